import { abortReason } from "../platform/clock.ts";
import type { FileSource } from "../platform/file-source.ts";
import { findCut } from "./cut.ts";
import { type ChunkerParams, FASTCDC, type ResolvedParams, resolveParams } from "./params.ts";

/** One content-defined chunk. `bytes` is a copy the consumer owns (it may be hashed and PUT concurrently). */
export interface Chunk {
  readonly index: number;
  /** Byte offset of the chunk in the file. */
  readonly offset: number;
  readonly size: number;
  readonly bytes: Uint8Array;
}

export interface ChunkOptions {
  /** Only for tests and experiments: clients must use the default so they cut alike. */
  readonly params?: ChunkerParams;
  readonly signal?: AbortSignal;
}

export interface ChunkFileOptions extends ChunkOptions {
  /** How many bytes to read from the source at a time; defaults to maxSize. */
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
 * The streaming core: keeps at most about 2 × maxSize + one piece in a buffer it reuses, and yields
 * chunks as soon as their cut is known.
 */
async function* chunkPieces(input: Input, options: ChunkOptions, first = { offset: 0, index: 0 }): AsyncGenerator<Chunk> {
  const params = resolve(options.params ?? FASTCDC);
  const signal = options.signal;
  let buffer = new Uint8Array(params.maxSize * 2 + ("readSize" in input ? Math.max(0, input.readSize - params.maxSize) : 0));
  let start = 0;
  let end = 0;
  let eof = false;
  let { offset, index } = first;
  /** Room for `bytes` more at the end of the buffer: slide what is held to the front, or grow. */
  const makeRoom = (bytes: number) => {
    if (end + bytes <= buffer.length) return;
    const held = end - start;
    if (held + bytes > buffer.length) {
      // Only a source that hands over pieces larger than maxSize gets here.
      const grown = new Uint8Array(Math.max(buffer.length * 2, held + bytes));
      grown.set(buffer.subarray(start, end));
      buffer = grown;
    } else {
      buffer.copyWithin(0, start, end);
    }
    start = 0;
    end = held;
  };
  for (;;) {
    // A cut is only final once maxSize bytes are visible (or the input ended).
    while (!eof && end - start < params.maxSize) {
      if (signal?.aborted) throw abortReason(signal);
      if ("readInto" in input) {
        makeRoom(input.readSize);
        const read = await input.readInto(buffer.subarray(end, end + input.readSize));
        if (read === 0) eof = true;
        end += read;
        continue;
      }
      const piece = await input.read();
      if (piece === null) {
        eof = true;
        break;
      }
      makeRoom(piece.length);
      buffer.set(piece, end);
      end += piece.length;
    }
    if (end === start) return;
    const cut = findCut(buffer, start, end, params);
    const size = cut - start;
    yield { index, offset, size, bytes: buffer.slice(start, cut) };
    index++;
    offset += size;
    start = cut;
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
  const readSize = options.readSize ?? (options.params ?? FASTCDC).maxSize;
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
