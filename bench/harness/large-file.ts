import { createCipheriv, createHash } from "node:crypto";
import { open } from "node:fs/promises";
import { MiB } from "./stats.ts";

/**
 * A seeded keystream (AES-256-CTR over zeros): incompressible like random bytes, but the same
 * every run, so chunk boundaries and the delta figures are reproducible from run to run.
 */
export function seededBytes(seed: string): (length: number) => Buffer {
  const cipher = createCipheriv("aes-256-ctr", createHash("sha256").update(seed).digest(), Buffer.alloc(16));
  return (length) => cipher.update(Buffer.alloc(length));
}

/**
 * Seeded incompressible bytes written in 8 MiB pieces, so no scenario holds the file in memory and
 * no chunk repeats (a repeated chunk would be deduplicated and flatter the upload).
 */
export async function writeRandomFile(path: string, bytes: number, seed = `ledgerbox-bench-${bytes}`): Promise<void> {
  const next = seededBytes(seed);
  const handle = await open(path, "w");
  try {
    for (let written = 0; written < bytes; ) {
      const piece = next(Math.min(8 * MiB, bytes - written));
      await handle.write(piece, 0, piece.length, written);
      written += piece.length;
    }
  } finally {
    await handle.close();
  }
}

/** A copy of `source` with `insert` placed at `at`, streamed through the same 8 MiB pieces. */
export async function writeEdited(source: string, target: string, at: number, insert: Uint8Array): Promise<void> {
  const input = await open(source, "r");
  const output = await open(target, "w");
  try {
    const { size } = await input.stat();
    const piece = Buffer.alloc(8 * MiB);
    let out = 0;
    const copy = async (from: number, to: number) => {
      for (let offset = from; offset < to; ) {
        const { bytesRead } = await input.read(piece, 0, Math.min(piece.length, to - offset), offset);
        await output.write(piece, 0, bytesRead, out);
        offset += bytesRead;
        out += bytesRead;
      }
    };
    await copy(0, Math.min(at, size));
    await output.write(insert, 0, insert.length, out);
    out += insert.length;
    await copy(Math.min(at, size), size);
  } finally {
    await input.close();
    await output.close();
  }
}
