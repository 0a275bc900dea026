/**
 * A file the client can read in pieces, as tus-js-client does: the uploader and chunker never hold
 * a whole file, so files larger than memory work. Browsers wrap a `File`/`Blob`; the CLI wraps a
 * file handle (it lives in client/cli/ because it needs node:fs or Deno APIs).
 */
export interface FileSource {
  /** Total size in bytes; fixed for the life of the source. */
  readonly size: number;
  /**
   * Bytes [start, end) with end ≤ size. The result may be a view into a buffer the source reuses
   * only if the caller is done with it before the next call; the chunker copies what it keeps.
   */
  slice(start: number, end: number): Promise<Uint8Array>;
  /**
   * Optional: read bytes from `start` straight into `target` (up to its length) and say how many
   * were read, fewer only at the end of the file. The chunker prefers it to `slice`, so every byte of
   * a scan is read into the buffer it cuts from without a buffer allocated per read, whose garbage
   * a runtime must collect (a disk file can, a Blob cannot).
   */
  readInto?(start: number, target: Uint8Array): Promise<number>;
}

/** A FileSource over a web `Blob` (browsers' `File`, and `Blob` in Node 20+ and Deno). */
export const blobSource = (blob: Blob): FileSource => ({
  size: blob.size,
  slice: async (start, end) => new Uint8Array(await blob.slice(start, end).arrayBuffer()),
});

/** A FileSource over bytes already in memory (tests, small files). */
export const bytesSource = (bytes: Uint8Array): FileSource => ({
  size: bytes.length,
  slice: async (start, end) => bytes.subarray(start, end),
});
