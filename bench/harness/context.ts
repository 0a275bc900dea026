import { existsSync } from "node:fs";
import { join } from "node:path";
import { loadStackSettings, type ServerStatus, type StackSettings, serverStatus } from "../../test/support/stack-env.ts";
import { writeRandomFile } from "./large-file.ts";
import type { Sizes } from "./sizes.ts";

export interface BenchContext {
  readonly quick: boolean;
  readonly sizes: Sizes;
  /** Scratch directory for this run, removed at the end. */
  readonly scratch: string;
  readonly stack: { readonly settings: StackSettings; readonly kafka: ServerStatus; readonly s3: ServerStatus };
  /** The large random file (written once per run and per size, then shared). */
  largeFile(bytes?: number): Promise<string>;
  log(message: string): void;
}

export async function createContext(quick: boolean, sizes: Sizes, scratch: string): Promise<BenchContext> {
  const settings = loadStackSettings();
  const [kafka, s3] = await Promise.all([serverStatus("kafka", settings), serverStatus("s3", settings)]);
  const files = new Map<number, Promise<string>>();
  return {
    quick,
    sizes,
    scratch,
    stack: { settings, kafka, s3 },
    largeFile(bytes = sizes.largeFileBytes) {
      let file = files.get(bytes);
      if (!file) {
        const path = join(scratch, `large-${bytes}.bin`);
        file = existsSync(path) ? Promise.resolve(path) : writeRandomFile(path, bytes).then(() => path);
        files.set(bytes, file);
      }
      return file;
    },
    log(message) {
      process.stderr.write(`  · ${message}\n`);
    },
  };
}
