import { open, stat } from "node:fs/promises";
import type { FileSource } from "../platform/index.ts";

/**
 * A FileSource over a file on disk. Each slice opens, reads and closes, so nothing stays open
 * between calls (the port has no close) and a file replaced meanwhile is read as it is now; the
 * chunker notices a short read and the uploader's hashes catch any other change.
 */
export async function fileSource(path: string): Promise<FileSource> {
  const { size } = await stat(path);
  const readInto = async (start: number, target: Uint8Array): Promise<number> => {
    const handle = await open(path, "r");
    try {
      let filled = 0;
      while (filled < target.length) {
        const { bytesRead } = await handle.read(target, filled, target.length - filled, start + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return filled;
    } finally {
      await handle.close();
    }
  };
  return {
    size,
    readInto,
    async slice(start, end) {
      const bytes = new Uint8Array(end - start);
      const filled = await readInto(start, bytes);
      return filled === bytes.length ? bytes : bytes.subarray(0, filled);
    },
  };
}
