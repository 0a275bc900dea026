import { randomBytes } from "node:crypto";
import { mkdir, open, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";

/**
 * Writes a file so that readers see either the old file or the whole new one: the bytes go to a
 * temporary file (in `tempDir`, on the same disk), are flushed to stable storage, and the temp
 * file is renamed over the target. A failure midway removes the temp file and leaves the target.
 */
export async function writeAtomically(
  target: string,
  bytes: AsyncIterable<Uint8Array>,
  tempDir = dirname(target),
): Promise<void> {
  await mkdir(tempDir, { recursive: true });
  await mkdir(dirname(target), { recursive: true });
  const temp = join(tempDir, `.ledgerbox-tmp-${randomBytes(6).toString("hex")}`);
  const handle = await open(temp, "wx");
  try {
    try {
      for await (const part of bytes) await handle.write(part);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
