import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningLedgerbox, removeDir, startLedgerbox } from "../../test/support/ledgerbox.ts";
import { createApi } from "../api/client.ts";
import { bytesSource } from "../platform/file-source.ts";
import { defaultPlatform, seededRandom } from "../platform/index.ts";
import { MemoryLog } from "../store/durable-log.ts";
import { openStore } from "../store/open.ts";
import { createUploader } from "../upload/uploader.ts";
import { createDownloader } from "./download.ts";
import { memorySink } from "./sink.ts";

let server: RunningLedgerbox;
beforeAll(async () => {
  server = await startLedgerbox();
});
afterAll(async () => {
  await server.close();
  await removeDir(server.dataDir);
});

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((byte, i) => byte === b[i]);

describe("downloader against the real server", () => {
  it("downloads what was uploaded, byte for byte, verified", async () => {
    const random = seededRandom(5);
    const file = new Uint8Array(6 * 1024 * 1024 + 3);
    for (let i = 0; i < file.length; i += 4096) file[i] = Math.floor(random.next() * 256);
    const platform = defaultPlatform();
    const api = createApi({
      baseUrl: server.url,
      token: await server.token("gina"),
      clientId: "download-test",
      fetch: platform.fetch,
    });
    const { db } = await openStore({ indexedDB: new IDBFactory(), IDBKeyRange, journal: new MemoryLog() });
    const uploaded = await createUploader({ api, db, platform }).upload({ source: bytesSource(file), path: "/photos/x.raw" })
      .done;
    await expect
      .poll(
        () =>
          api.fileMeta("/photos/x.raw").then(
            (m) => m.revision,
            () => null,
          ),
        { timeout: 5000 },
      )
      .toBe(1);

    const downloader = createDownloader({ api, platform });
    const sink = memorySink();
    const meta = await downloader.download("/photos/x.raw", sink);
    expect(meta.contentHash).toBe(uploaded.contentHash);
    expect(sink.closed).toBe(true);
    expect(sameBytes(sink.bytes(), file)).toBe(true);
    expect(downloader.counters.getsIssued).toBe(meta.chunks.length);
  });
});
