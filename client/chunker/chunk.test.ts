import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_CHUNK_BYTES } from "../../domain/manifest.ts";
import { bytesSource, type FileSource } from "../platform/file-source.ts";
import { seededRandom } from "../platform/random.ts";
import { type Chunk, ChunkSourceError, chunkFile, chunkStream, cutPoints } from "./chunk.ts";
import { type ChunkerParams, ChunkerParamsError, FASTCDC, resolveParams } from "./params.ts";

// Small parameters keep property inputs small; the algorithm is the same at any scale.
const SMALL: ChunkerParams = { minSize: 64, avgSize: 256, maxSize: 1024 };

const pseudoRandomBytes = (seed: number, length: number): Uint8Array => {
  const random = seededRandom(seed);
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = Math.floor(random.next() * 256);
  return bytes;
};

/** A stream that hands the bytes over in the given piece sizes (cycled). */
const streamOf = (bytes: Uint8Array, pieceSizes: readonly number[]): ReadableStream<Uint8Array> => {
  let position = 0;
  let turn = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (position >= bytes.length) {
        controller.close();
        return;
      }
      const size = pieceSizes[turn++ % pieceSizes.length]!;
      controller.enqueue(bytes.slice(position, position + size));
      position += size;
    },
  });
};

/** A source that can only be read into the caller's buffer (as the CLI's file source prefers), up to `limit` bytes. */
const readIntoSource = (bytes: Uint8Array, limit = bytes.length): FileSource => ({
  size: bytes.length,
  slice: () => Promise.reject(new Error("slice must not be used when readInto is there")),
  readInto: async (start, target) => {
    const piece = bytes.subarray(start, Math.min(limit, start + target.length));
    target.set(piece);
    return piece.length;
  },
});

const collect = async (chunks: AsyncIterable<Chunk>): Promise<Chunk[]> => {
  const out: Chunk[] = [];
  for await (const chunk of chunks) out.push(chunk);
  return out;
};

const concat = (chunks: readonly Chunk[]): Uint8Array => {
  const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.size, 0));
  for (const chunk of chunks) out.set(chunk.bytes, chunk.offset);
  return out;
};

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
};

const inputs = fc.oneof(
  fc.uint8Array({ minLength: 0, maxLength: 6000 }),
  fc
    .integer({ min: 0, max: 2 ** 31 })
    .chain((seed) => fc.integer({ min: 0, max: 12_000 }).map((n) => pseudoRandomBytes(seed, n))),
  // Low-entropy input: long runs are where a gear hash is at its weakest.
  fc.integer({ min: 0, max: 12_000 }).map((n) => new Uint8Array(n).fill(7)),
);
const pieces = fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 1, maxLength: 5 });

describe("chunker", () => {
  it("yields chunks that concatenate to the input, in order, with consistent index/offset/size", async () => {
    await fc.assert(
      fc.asyncProperty(inputs, pieces, async (bytes, pieceSizes) => {
        const chunks = await collect(chunkStream(streamOf(bytes, pieceSizes), { params: SMALL }));
        expect(concat(chunks)).toEqual(bytes);
        let offset = 0;
        for (const [i, chunk] of chunks.entries()) {
          expect(chunk.index).toBe(i);
          expect(chunk.offset).toBe(offset);
          expect(chunk.bytes.length).toBe(chunk.size);
          offset += chunk.size;
        }
      }),
    );
  });

  it("keeps every chunk within [min, max], except a shorter last one", async () => {
    await fc.assert(
      fc.asyncProperty(inputs, async (bytes) => {
        const chunks = await collect(chunkFile(bytesSource(bytes), { params: SMALL, readSize: 777 }));
        for (const [i, chunk] of chunks.entries()) {
          expect(chunk.size).toBeLessThanOrEqual(SMALL.maxSize);
          expect(chunk.size).toBeGreaterThanOrEqual(i === chunks.length - 1 ? 1 : SMALL.minSize);
        }
      }),
    );
  });

  it("cuts the same places however the input is split into reads (stream, file slices, reads into its buffer, whole buffer)", async () => {
    await fc.assert(
      fc.asyncProperty(inputs, pieces, fc.integer({ min: 1, max: 5000 }), async (bytes, pieceSizes, readSize) => {
        const whole = cutPoints(bytes, SMALL);
        const streamed = (await collect(chunkStream(streamOf(bytes, pieceSizes), { params: SMALL }))).map(
          (c) => c.offset + c.size,
        );
        const sliced = (await collect(chunkFile(bytesSource(bytes), { params: SMALL, readSize }))).map((c) => c.offset + c.size);
        const readInto = await collect(chunkFile(readIntoSource(bytes), { params: SMALL, readSize }));
        expect(streamed).toEqual(whole);
        expect(sliced).toEqual(whole);
        expect(readInto.map((c) => c.offset + c.size)).toEqual(whole);
        // Chunks are copies: reads into the reused buffer after a cut never change a chunk handed out.
        expect(sameBytes(concat(readInto), bytes)).toBe(true);
      }),
    );
  });

  it("chunking resumed at any cut yields the same remaining chunks as chunking from the start", async () => {
    await fc.assert(
      fc.asyncProperty(inputs, fc.nat(), async (bytes, pick) => {
        const all = await collect(chunkFile(bytesSource(bytes), { params: SMALL }));
        if (all.length === 0) return;
        const from = all[pick % all.length]!;
        const resumeAt = { offset: from.offset, index: from.index };
        const resumed = await collect(chunkFile(bytesSource(bytes), { params: SMALL, resumeAt }));
        const resumedInto = await collect(chunkFile(readIntoSource(bytes), { params: SMALL, resumeAt }));
        const shape = (chunk: Chunk) => [chunk.index, chunk.offset, chunk.size];
        expect(resumed.map(shape)).toEqual(all.slice(from.index).map(shape));
        expect(resumedInto.map(shape)).toEqual(all.slice(from.index).map(shape));
      }),
    );
  });

  it("resynchronises after an insertion: cuts before the edit are kept, cuts after it come back shifted", () => {
    const chunksAfterEdit: number[] = [];
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.integer({ min: 0, max: 20_000 }),
        fc.uint8Array({ minLength: 1, maxLength: 500 }),
        (seed, at, inserted) => {
          // At least 40 max-size spans after the edit, so the chunkings have room to meet again.
          const original = pseudoRandomBytes(seed, at + 40 * SMALL.maxSize);
          const edited = new Uint8Array(original.length + inserted.length);
          edited.set(original.subarray(0, at));
          edited.set(inserted, at);
          edited.set(original.subarray(at), at + inserted.length);
          const before = cutPoints(original, SMALL);
          const after = cutPoints(edited, SMALL);
          // A cut at c looks only at bytes up to c, so every cut before the edit is untouched.
          expect(after.filter((c) => c < at)).toEqual(before.filter((c) => c < at));
          const shifted = before.filter((c) => c > at).map((c) => c + inserted.length);
          const newCuts = after.filter((c) => c > at);
          const meet = newCuts.findIndex((c) => shifted.includes(c));
          expect(meet).toBeGreaterThanOrEqual(0);
          // From the first shared cut on, the two chunkings are identical.
          expect(newCuts.slice(meet)).toEqual(shifted.slice(shifted.indexOf(newCuts[meet]!)));
          chunksAfterEdit.push(meet + 1);
        },
      ),
      { numRuns: 300 },
    );
    // Normalized chunking resynchronises within a few chunks (geometric tail: in 20,000 trials the
    // worst was 18 chunks, the mean about 2). Only the chunks near the edit are new.
    expect(Math.max(...chunksAfterEdit)).toBeLessThanOrEqual(30);
    expect(chunksAfterEdit.reduce((a, b) => a + b, 0) / chunksAfterEdit.length).toBeLessThan(5);
  });

  it("yields nothing for an empty input and one chunk for an input no longer than minSize", async () => {
    expect(await collect(chunkFile(bytesSource(new Uint8Array(0))))).toEqual([]);
    const small = pseudoRandomBytes(1, 1000);
    const chunks = await collect(chunkFile(bytesSource(small)));
    expect(chunks.map((c) => c.size)).toEqual([1000]);
  });

  it("cuts a 24 MiB file with the production parameters into 256 KiB..4 MiB chunks averaging about 1 MiB", async () => {
    const bytes = pseudoRandomBytes(42, 24 * 1024 * 1024);
    const chunks = await collect(chunkFile(bytesSource(bytes)));
    // Deep equality on 24 MiB is slow in the matcher; a plain loop says the same.
    expect(sameBytes(concat(chunks), bytes)).toBe(true);
    for (const chunk of chunks.slice(0, -1)) {
      expect(chunk.size).toBeGreaterThanOrEqual(FASTCDC.minSize);
      expect(chunk.size).toBeLessThanOrEqual(FASTCDC.maxSize);
    }
    const readInto = await collect(chunkFile(readIntoSource(bytes)));
    expect(readInto.map((c) => c.size)).toEqual(chunks.map((c) => c.size));
    const mean = bytes.length / chunks.length;
    expect(mean).toBeGreaterThan(0.7 * 1024 * 1024);
    expect(mean).toBeLessThan(1.6 * 1024 * 1024);
    // Pinned cut points: a change here means clients would stop sharing chunks. Never update casually.
    expect(chunks.slice(0, 4).map((c) => c.size)).toMatchInlineSnapshot(`
      [
        1054119,
        1056625,
        1068035,
        1213782,
      ]
    `);
  });

  it("reports a file that ends before its size as changed, whichever way it is read", async () => {
    const bytes = pseudoRandomBytes(3, 5000);
    const truncated: FileSource = { size: 5000, slice: async (start, end) => bytes.subarray(start, Math.min(end, 4000)) };
    await expect(collect(chunkFile(truncated, { params: SMALL }))).rejects.toThrow(ChunkSourceError);
    await expect(collect(chunkFile(readIntoSource(bytes, 4000), { params: SMALL }))).rejects.toThrow(ChunkSourceError);
  });

  it("stops when its signal aborts", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(collect(chunkFile(bytesSource(new Uint8Array(10)), { signal: controller.signal }))).rejects.toThrow(/abort/i);
  });
});

describe("chunker parameters", () => {
  it("production parameters fit the server's chunk limit", () => {
    expect(FASTCDC).toEqual({ minSize: 262_144, avgSize: 1_048_576, maxSize: 4_194_304 });
    expect(FASTCDC.maxSize).toBeLessThanOrEqual(MAX_CHUNK_BYTES);
  });

  it("derives NC-2 masks from the normal size and rejects bad parameters", () => {
    const resolved = resolveParams(FASTCDC);
    expect((resolved.maskS >>> 0).toString(2)).toBe(`${"1".repeat(22)}${"0".repeat(10)}`);
    expect((resolved.maskL >>> 0).toString(2)).toBe(`${"1".repeat(18)}${"0".repeat(14)}`);
    expect(() => resolveParams({ minSize: 10, avgSize: 300, maxSize: 1000 })).toThrow(ChunkerParamsError);
    expect(() => resolveParams({ minSize: 512, avgSize: 256, maxSize: 1000 })).toThrow(ChunkerParamsError);
    expect(() => resolveParams({ minSize: 1, avgSize: 1 << 20, maxSize: MAX_CHUNK_BYTES + 1 })).toThrow(/limit/);
  });
});

const sameAs = (chunk: Chunk, file: Uint8Array) =>
  chunk.bytes.length === chunk.size && chunk.bytes.every((byte, i) => byte === file[chunk.offset + i]);

describe("chunk buffers reused", () => {
  it("never changes a chunk's bytes before it is released, whatever is held and released in what order", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.integer({ min: 0, max: 20_000 }),
        fc.integer({ min: 1, max: 3000 }),
        fc.boolean(),
        // For each chunk: how many later chunks arrive before it is released (-1: never).
        fc.array(fc.integer({ min: -1, max: 12 }), { minLength: 1, maxLength: 40 }),
        async (seed, length, readSize, viaStream, holds) => {
          const file = pseudoRandomBytes(seed, length);
          const chunks = viaStream
            ? chunkStream(new Blob([file as Uint8Array<ArrayBuffer>]).stream(), { params: SMALL })
            : chunkFile(readIntoSource(file), { params: SMALL, readSize });
          const held: { chunk: Chunk; until: number }[] = [];
          const seen: Chunk[] = [];
          for await (const chunk of chunks) {
            // Everything still held must be intact whenever the chunker has read more.
            for (const other of held) expect(sameAs(other.chunk, file)).toBe(true);
            const hold = holds[chunk.index % holds.length]!;
            held.push({ chunk, until: hold < 0 ? Number.POSITIVE_INFINITY : chunk.index + hold });
            for (const entry of held.filter((entry) => entry.until <= chunk.index)) {
              expect(sameAs(entry.chunk, file)).toBe(true);
              entry.chunk.release();
              entry.chunk.release();
            }
            held.splice(0, held.length, ...held.filter((entry) => entry.until > chunk.index));
            seen.push(chunk);
          }
          for (const entry of held) expect(sameAs(entry.chunk, file)).toBe(true);
          expect(seen.map((chunk) => chunk.offset + chunk.size)).toEqual(cutPoints(file, SMALL));
        },
      ),
      { numRuns: 150 },
    );
  });

  it("reads a long file through a few buffers when chunks are released promptly", async () => {
    const file = pseudoRandomBytes(3, 200_000);
    const buffers = new Set<ArrayBufferLike>();
    let count = 0;
    for await (const chunk of chunkFile(bytesSource(file), { params: SMALL, readSize: 512 })) {
      buffers.add(chunk.bytes.buffer);
      count++;
      chunk.release();
    }
    expect(count).toBeGreaterThan(300);
    expect(buffers.size).toBeLessThanOrEqual(3);
  });

  it("allocates anew rather than reuse a buffer holding a chunk that is never released", async () => {
    const file = pseudoRandomBytes(4, 50_000);
    const kept: Chunk[] = [];
    for await (const chunk of chunkFile(readIntoSource(file), { params: SMALL, readSize: 700 })) kept.push(chunk);
    expect(kept.every((chunk) => sameAs(chunk, file))).toBe(true);
  });
});

describe("buffer reuse", () => {
  it("needs no more buffers than the chunks held at once, however long the file, when they come back in bursts", async () => {
    const bytes = pseudoRandomBytes(7, 3 * 1024 * 1024);
    const readSize = 16 * 1024;
    const buffers = new Set<ArrayBufferLike>();
    let held: Chunk[] = [];
    let chunks = 0;
    for await (const chunk of chunkFile(readIntoSource(bytes), { params: SMALL, readSize })) {
      buffers.add(chunk.bytes.buffer);
      held.push(chunk);
      chunks++;
      // An uploader's releases come in bursts: a confirmation batch, PUTs that end together.
      if (held.length === 200) {
        for (const each of held) each.release();
        held = [];
      }
    }
    // 200 chunks of ~256 bytes span a few slabs of 2 × 1 KiB + 16 KiB; a pool that let all but one
    // free slab go would allocate new ones for the whole file.
    expect(chunks).toBeGreaterThan(5000);
    expect(buffers.size).toBeLessThanOrEqual(8);
  });
});
