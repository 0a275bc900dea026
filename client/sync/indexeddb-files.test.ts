import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { afterEach, describe, expect, it } from "vitest";
import { seededRandom } from "../platform/index.ts";
import { createSyncEngine, type SyncEngine } from "./engine.ts";
import { IndexedDbFiles } from "./indexeddb-files.ts";
import { MemoryFiles } from "./memory-files.ts";
import { MemorySyncStore } from "./memory-store.ts";
import { FakeServer } from "./testing/fake-server.ts";

const open: { engine: SyncEngine; files?: IndexedDbFiles }[] = [];
afterEach(() => {
  for (const { engine, files } of open.splice(0)) {
    engine.stop();
    files?.close();
  }
});

describe("IndexedDbFiles (browser local files)", () => {
  it("syncs both ways with a memory-backed client and keeps files as Blobs", async () => {
    const server = new FakeServer();
    const browserFiles = new IndexedDbFiles({ indexedDB: new IDBFactory(), IDBKeyRange });
    const memoryFiles = new MemoryFiles();
    const make = (clientId: string, files: IndexedDbFiles | MemoryFiles) =>
      createSyncEngine({ ...server.client(clientId), store: new MemorySyncStore(), files, clientId, random: seededRandom(3) });
    const browser = make("browser", browserFiles);
    const other = make("other", memoryFiles);
    open.push({ engine: browser, files: browserFiles }, { engine: other });

    await browserFiles.userWrite("/notes/a.txt", new Blob(["from the browser"]));
    await browser.settle();
    await other.settle();
    expect(new TextDecoder().decode(memoryFiles.bytes("/notes/a.txt"))).toBe("from the browser");

    memoryFiles.edit("/notes/b.txt", new TextEncoder().encode("from elsewhere"));
    await other.settle();
    await browser.settle();
    const source = await browserFiles.open("/notes/b.txt");
    expect(new TextDecoder().decode(await source.slice(0, source.size))).toBe("from elsewhere");

    await browserFiles.userDelete("/notes/a.txt");
    await browser.settle();
    await other.settle();
    expect([...memoryFiles.snapshot().keys()]).toEqual(["/notes/b.txt"]);
  });
});
