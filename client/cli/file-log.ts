import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import type { DurableLog } from "../store/index.ts";
import { isNodeError } from "./errors.ts";

/**
 * The journal that makes the CLI's fake-indexeddb database durable (client/store/journal.ts):
 * every committed transaction is appended and fsynced before the caller hears of it; compaction
 * replaces the whole file atomically (temp + fsync + rename). Synchronous by the port's contract.
 */
export function fileLog(path: string): DurableLog {
  return {
    read: () => {
      try {
        return readFileSync(path, "utf8");
      } catch (error) {
        if (isNodeError(error, "ENOENT")) return "";
        throw error;
      }
    },
    append: (record) => {
      const fd = openSync(path, "a");
      try {
        writeSync(fd, record);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    },
    replace: (content) => {
      const temp = `${path}.tmp`;
      const fd = openSync(temp, "w");
      try {
        writeSync(fd, content);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temp, path);
    },
  };
}
