import { execFileSync } from "node:child_process";
import { closeSync, fsyncSync, mkdtempSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { describe, expect, it } from "vitest";
import type { DurableLog } from "./durable-log.ts";
import { openStore } from "./open.ts";

/**
 * The file-backed DurableLog the Node/Deno CLI uses (node:fs works in Deno too). It lives in this
 * test because client/ outside client/cli/ may not import node:*; client/cli/ carries the same code.
 */
function fileLog(path: string, options: { fsync: boolean } = { fsync: true }): DurableLog {
  return {
    read: () => {
      try {
        return readFileSync(path, "utf8");
      } catch (error) {
        if ((error as { code?: string }).code === "ENOENT") return "";
        throw error;
      }
    },
    append: (record) => {
      const fd = openSync(path, "a");
      try {
        writeSync(fd, record);
        if (options.fsync) fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    },
    replace: (content) => {
      const temp = `${path}.tmp`;
      const fd = openSync(temp, "w");
      try {
        writeSync(fd, content);
        if (options.fsync) fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temp, path);
    },
  };
}

describe("file-backed journal", () => {
  it("keeps every acknowledged write when the process is killed without closing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ledgerbox-store-"));
    const journalPath = join(dir, "store.journal");
    const child = join(dir, "child.mts");
    const here = resolve(import.meta.dirname);
    const fakeIndexedDb = resolve(here, "../../node_modules/fake-indexeddb/build/esm/index.js");
    writeFileSync(
      child,
      `import { IDBFactory, IDBKeyRange } from ${JSON.stringify(fakeIndexedDb)};
       import { openStore } from ${JSON.stringify(join(here, "open.ts"))};
       import { appendFileSync, closeSync, fsyncSync, openSync, readFileSync } from "node:fs";
       // The same append-then-fsync as fileLog above (this child cannot import a test file).
       const path = ${JSON.stringify(journalPath)};
       const journal = {
         read: () => { try { return readFileSync(path, "utf8"); } catch { return ""; } },
         append: (record: string) => { appendFileSync(path, record); const fd = openSync(path, "r+"); fsyncSync(fd); closeSync(fd); },
         replace: () => { throw new Error("not compacting in this test"); },
       };
       const { db } = await openStore({ indexedDB: new IDBFactory(), IDBKeyRange, journal });
       for (let i = 0; i < 50; i++) await db.meta.put({ key: "k" + i, value: i });
       await db.meta.delete("k0");
       process.kill(process.pid, "SIGKILL");`,
    );
    const died = (() => {
      try {
        // node itself (not the tsx wrapper, which would outlive the child) so the kill hits the writer.
        execFileSync(process.execPath, ["--import", "tsx", child], { cwd: resolve(here, "../.."), stdio: "pipe" });
        return null;
      } catch (error) {
        return error as { signal?: string; stderr?: Buffer };
      }
    })();
    expect(died?.signal, String(died?.stderr)).toBe("SIGKILL");
    const { db } = await openStore({ indexedDB: new IDBFactory(), IDBKeyRange, journal: fileLog(journalPath) });
    const rows = await db.meta.toArray();
    expect(rows).toHaveLength(49);
    expect(rows.find((row) => row.key === "k49")?.value).toBe(49);
  });
});
