import { open, stat } from "node:fs/promises";
import type { FileSource } from "../platform/index.ts";

/**
 * A FileSource over a file on disk. Each slice opens, reads and closes, so nothing stays open
 * between calls (the port has no close) and a file replaced meanwhile is read as it is now; the
 * chunker notices a short read and the uploader's hashes catch any other change.
 */
export async function fileSource(path: string): Promise<FileSource> {
  const { size } = await stat(path);
  return {
    size,
    async slice(start, end) {
      const handle = await open(path, "r");
      try {
        const bytes = new Uint8Array(end - start);
        let filled = 0;
        while (filled < bytes.length) {
          const { bytesRead } = await handle.read(bytes, filled, bytes.length - filled, start + filled);
          if (bytesRead === 0) break;
          filled += bytesRead;
        }
        return filled === bytes.length ? bytes : bytes.subarray(0, filled);
      } finally {
        await handle.close();
      }
    },
  };
}
