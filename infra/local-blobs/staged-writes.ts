import type { FileHandle } from "node:fs/promises";

/**
 * Bytes per write. Each fs/promises write is a thread-pool round trip: one per 64 KiB piece of a
 * request body cost 0.4-0.5 ms of the event loop per MiB, plus as much again on the pool, where
 * writes of 1 MiB cost 0.04 and 0.25-0.29 (a scratch loop writing 512 MiB). A quarter of that keeps
 * most of the gain for a fraction of the memory each PUT in flight holds.
 */
const STAGED_WRITE_BYTES = 256 * 1024;

async function writeAll(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
    offset += bytesWritten;
  }
}

/**
 * A stream's pieces on their way to a file, gathered into writes of `STAGED_WRITE_BYTES`. Pieces are
 * copied into a buffer of its own, so a source that reuses its buffers cannot change bytes still
 * waiting to be written. `flush` writes what is left; nothing is written without `add` or `flush`
 * being awaited, so a slow disk still slows the sender down.
 */
export class StagedWrites {
  private readonly staging: Buffer;
  private filled = 0;

  constructor(
    private readonly handle: FileHandle,
    bytes = STAGED_WRITE_BYTES,
  ) {
    this.staging = Buffer.allocUnsafe(bytes);
  }

  async add(piece: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < piece.length) {
      const copied = Math.min(piece.length - offset, this.staging.length - this.filled);
      this.staging.set(piece.subarray(offset, offset + copied), this.filled);
      this.filled += copied;
      offset += copied;
      if (this.filled === this.staging.length) await this.flush();
    }
  }

  async flush(): Promise<void> {
    if (this.filled === 0) return;
    await writeAll(this.handle, this.staging.subarray(0, this.filled));
    this.filled = 0;
  }
}
