/**
 * The runtime-neutral client under Deno, against a real server the harness started: upload and
 * verified download through the API client, and two live sync engines (Dexie store over
 * fake-indexeddb) converging through the server's change stream.
 */
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { filter, firstValueFrom } from "rxjs";
import { createApi } from "../../client/api/index.ts";
import { createSyncClient, MemoryFiles } from "../../client/index.ts";
import { bytesSource, defaultPlatform } from "../../client/platform/index.ts";
import { openStore } from "../../client/store/index.ts";
import { apiChangeFeed, apiFileCommands } from "../../client/sync/adapters/api-feed.ts";
import { clientTransfers } from "../../client/sync/adapters/client-transfers.ts";
import { assert, assertBytesEqual, Deno, serverFromEnv, waitFor } from "./deno-runtime.ts";

const server = serverFromEnv();

/** The client core wired as a browser would: Dexie (here over fake-indexeddb), uploader, downloader, API. */
async function kit(clientId: string) {
  const platform = defaultPlatform();
  const api = createApi({ baseUrl: server.url, token: server.token, clientId, fetch: platform.fetch });
  const opened = await openStore({ indexedDB: new IDBFactory(), IDBKeyRange, name: `records-${clientId}` });
  return { api, transfers: clientTransfers(api, opened.db, platform), feed: apiChangeFeed(api), commands: apiFileCommands(api) };
}

const randomBytes = (size: number): Uint8Array => {
  const bytes = new Uint8Array(size);
  for (let offset = 0; offset < size; offset += 65536)
    crypto.getRandomValues(bytes.subarray(offset, Math.min(size, offset + 65536)));
  return bytes;
};

Deno.test({
  name: "upload and verified download of a multi-chunk file",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const { transfers } = await kit("deno-transfer");
    const bytes = randomBytes(6 * 1024 * 1024 + 7);
    const result = await transfers.upload("/deno/upload.bin", bytesSource(bytes), null);
    assert(result.conflict === false && result.size === bytes.length, `upload answered ${JSON.stringify(result)}`);
    // Read models follow the log asynchronously: the commit is acknowledged before it is listed.
    const remote = await waitFor(
      async () => (await transfers.download("/deno/upload.bin")) ?? undefined,
      10_000,
      "the upload to be listed",
    );
    assert(remote.meta.contentHash === result.contentHash, "the manifest has the uploaded content hash");
    const parts: Uint8Array[] = [];
    for await (const part of remote.bytes()) parts.push(part);
    const joined = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
    let at = 0;
    for (const part of parts) {
      joined.set(part, at);
      at += part.length;
    }
    assertBytesEqual(joined, bytes, "downloaded bytes");
  },
});

Deno.test({
  name: "two live sync engines converge through the change stream",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    // Wired by the library entry exactly as a browser app would, with fake-indexeddb for IndexedDB.
    const engines = await Promise.all(
      ["deno-one", "deno-two"].map(async (clientId) => {
        const files = new MemoryFiles();
        const client = await createSyncClient({
          baseUrl: server.url,
          token: server.token,
          clientId,
          files,
          indexedDB: new IDBFactory(),
          IDBKeyRange,
          databaseName: clientId,
        });
        const engine = client.engine;
        await engine.start();
        await firstValueFrom(engine.status$.pipe(filter((status) => status.state === "live")));
        return { engine, files, client };
      }),
    );
    const [one, two] = engines as [(typeof engines)[0], (typeof engines)[0]];
    try {
      const text = new TextEncoder().encode(`written under Deno at ${new Date().toISOString()}`);
      one.files.edit("/deno/synced.txt", text);
      // No pull is asked for on the second engine: the server's change notice must bring it.
      const arrived = await waitFor(
        async () => ((await two.files.stat("/deno/synced.txt")) ? two.files.bytes("/deno/synced.txt") : undefined),
        20_000,
        "the edit to reach the second engine",
      );
      assertBytesEqual(arrived, text, "synced bytes");
      assert(two.engine.counters().downloads >= 1, "the second engine downloaded");
      // It may still be finishing a pull (other suites upload to the same server): it must settle live.
      await waitFor(
        async () => (two.engine.currentStatus.state === "live" ? true : undefined),
        10_000,
        "the second engine to be live",
      );

      two.files.edit("/deno/synced.txt", null);
      await waitFor(async () => ((await one.files.stat("/deno/synced.txt")) === null ? true : undefined), 20_000, "the delete");
    } finally {
      for (const { client } of engines) client.close();
    }
  },
});
