import { abortReason } from "../platform/clock.ts";
import type { FileSource } from "../platform/file-source.ts";
import { continueCut, findCut, startCut } from "./cut.ts";
import { type ChunkerParams, FASTCDC, type ResolvedParams, resolveParams } from "./params.ts";
import { SlabPool } from "./slabs.ts";

/**
 * One content-defined chunk. `bytes` is a view into a buffer the chunker reads into; it stays
 * as it is until `release` is called, after which the chunker may read other bytes into it. A
 * consumer that never releases a chunk keeps its bytes for as long as it refers to them.
 */
export interface Chunk {
  readonly index: number;
  /** Byte offset of the chunk in the file. */
  readonly offset: number;
  readonly size: number;
  readonly bytes: Uint8Array;
  /** Done with `bytes` (hashed, sent): their buffer may be reused. Later calls do nothing. */
  readonly release: () => void;
}

/**
 * Bytes per read from a source that reads into the chunker's buffer. The cut search follows the
 * reads, so a read may end anywhere. A read costs a call into the runtime (a disk read opens the
 * file, about half a millisecond of CPU under load), which at 1 MiB per read cost the uploading
 * thread more than the bytes read ahead cost now: only the bytes since the last cut, less than
 * maxSize, are copied when the chunker moves to another buffer.
 */
const READ_SIZE = 4 * 1024 * 1024;

/**
 * Free slabs the chunker keeps for reuse. An uploader releases chunks in bursts (a confirmation
 * batch, PUTs finishing together), so several slabs come free at once; keeping only one left the
 * others to the garbage collector while new ones were allocated, and each new slab (12 MiB) was a
 * fresh zeroed allocation that fragmented the native heap: over a 4 GiB upload the process's
 * resident memory crept from ~110 to ~200 MiB. Kept, the pool never holds more slabs than were in
 * use at once: four in that upload, which peaked at 147 MiB.
 */
const SPARE_SLABS = 8;

export interface ChunkOptions {
  /** Only for tests and experiments: clients must use the default so they cut alike. */
  readonly params?: ChunkerParams;
  readonly signal?: AbortSignal;
}

export interface ChunkFileOptions extends ChunkOptions {
  /** How many bytes to read from the source at a time; defaults to 1 MiB. */
  readonly readSize?: number;
  /**
   * Where to begin: the end of a chunk cut earlier (its offset + size, and the next index). FastCDC
   * decides each cut from the bytes since the previous one, so chunking resumed at a cut yields the
   * same chunks as chunking from the start would.
   */
  readonly resumeAt?: { readonly offset: number; readonly index: number };
}

const resolved = new WeakMap<ChunkerParams, ResolvedParams>();
const resolve = (params: ChunkerParams): ResolvedParams => {
  let value = resolved.get(params);
  if (!value) {
    value = resolveParams(params);
    resolved.set(params, value);
  }
  return value;
};

/**
 * Where the streaming core gets its bytes: pieces handed over (`read`, null at the end), or reads
 * straight into its buffer (`readInto`, 0 at the end), which needs no buffer per read.
 */
type Input =
  | { readonly read: () => Promise<Uint8Array | null> }
  | { readonly readInto: (target: Uint8Array) => Promise<number>; readonly readSize: number };

/**
 * The streaming core: reads into slabs (see slabs.ts) and yields each chunk as a view of its slab
 * as soon as its cut is read. When a slab has no room for the next read, the bytes since the last
 * cut (less than maxSize) move to the start of another slab, and the slab is reused once every
 * chunk cut from it is released. Without releases this holds what the consumer holds, plus a slab.
 */
async function* chunkPieces(input: Input, options: ChunkOptions, first = { offset: 0, index: 0 }): AsyncGenerator<Chunk> {
  const params = resolve(options.params ?? FASTCDC);
  const signal = options.signal;
  const readSize = "readSize" in input ? input.readSize : 0;
  const slabs = new SlabPool(2 * params.maxSize + readSize, SPARE_SLABS);
  let slab = slabs.take();
  let start = 0;
  let end = 0;
  let eof = false;
  let progress = startCut(params);
  let { offset, index } = first;
  /** Room for `bytes` more at the end of the slab: move the bytes since the last cut to another slab. */
  const makeRoom = (bytes: number) => {
    if (end + bytes <= slab.bytes.length) return;
    const held = end - start;
    const next = slabs.take(held + bytes);
    next.bytes.set(slab.bytes.subarray(start, end));
    slab.retire();
    slab = next;
    start = 0;
    end = held;
  };
  for (;;) {
    let cut = continueCut(slab.bytes, start, end, eof, params, progress);
    while (cut < 0) {
      if (signal?.aborted) throw abortReason(signal);
      if ("readInto" in input) {
        makeRoom(readSize);
        const read = await input.readInto(slab.bytes.subarray(end, end + readSize));
        if (read === 0) eof = true;
        end += read;
      } else {
        const piece = await input.read();
        if (piece === null) eof = true;
        else {
          makeRoom(piece.length);
          slab.bytes.set(piece, end);
          end += piece.length;
        }
      }
      cut = continueCut(slab.bytes, start, end, eof, params, progress);
    }
    if (cut === start) return;
    const size = cut - start;
    const { bytes, release } = slab.lease(start, cut);
    yield { index, offset, size, bytes, release };
    index++;
    offset += size;
    start = cut;
    progress = startCut(params);
  }
}

/** Chunks a web ReadableStream (a browser `file.stream()`, a fetch body, a Deno/Node web stream). */
export async function* chunkStream(stream: ReadableStream<Uint8Array>, options: ChunkOptions = {}): AsyncGenerator<Chunk> {
  const reader = stream.getReader();
  let finished = false;
  try {
    yield* chunkPieces(
      {
        read: async () => {
          const { done, value } = await reader.read();
          return done ? null : value;
        },
      },
      options,
    );
    finished = true;
  } finally {
    // A consumer that stops early (or an error) should not leave the producer running.
    if (finished) reader.releaseLock();
    else await reader.cancel().catch(() => undefined);
  }
}

/** Chunks a FileSource by reading slices, so files larger than memory work in every runtime. */
export function chunkFile(source: FileSource, options: ChunkFileOptions = {}): AsyncGenerator<Chunk> {
  const readSize = options.readSize ?? READ_SIZE;
  const first = options.resumeAt ?? { offset: 0, index: 0 };
  let position = first.offset;
  const shortRead = (got: number, end: number) =>
    new ChunkSourceError(`the file source returned ${got} bytes for [${position}, ${end}); did the file change?`);
  const readInto = source.readInto?.bind(source);
  if (readInto) {
    return chunkPieces(
      {
        readSize,
        readInto: async (target) => {
          const end = Math.min(source.size, position + target.length);
          if (position >= end) return 0;
          const read = await readInto(position, target.subarray(0, end - position));
          if (read !== end - position) throw shortRead(read, end);
          position = end;
          return read;
        },
      },
      options,
      first,
    );
  }
  return chunkPieces(
    {
      read: async () => {
        if (position >= source.size) return null;
        const end = Math.min(source.size, position + readSize);
        const piece = await source.slice(position, end);
        if (piece.length !== end - position) throw shortRead(piece.length, end);
        position = end;
        return piece;
      },
    },
    options,
    first,
  );
}

export class ChunkSourceError extends Error {
  override readonly name = "ChunkSourceError";
}

/** Cut offsets (chunk ends) of bytes already in memory; for tests and benchmarks. */
export function cutPoints(bytes: Uint8Array, params: ChunkerParams = FASTCDC): number[] {
  const resolvedParams = resolve(params);
  const cuts: number[] = [];
  let start = 0;
  while (start < bytes.length) {
    // Mirrors the streaming core: the whole remainder is visible, and findCut caps it at maxSize.
    start = findCut(bytes, start, bytes.length, resolvedParams);
    cuts.push(start);
  }
  return cuts;
}
