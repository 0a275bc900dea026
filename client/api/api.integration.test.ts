import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningLedgerbox, removeDir, startLedgerbox } from "../../test/support/ledgerbox.ts";
import { bytesSource } from "../platform/file-source.ts";
import { defaultPlatform } from "../platform/index.ts";
import { MemoryLog } from "../store/durable-log.ts";
import { openStore } from "../store/open.ts";
import { createUploader } from "../upload/uploader.ts";
import { createApi, type LedgerboxApi } from "./client.ts";
import { ApiError } from "./errors.ts";

/** Every route of the contract through the typed client, against the real server. */
let server: RunningLedgerbox;
let api: LedgerboxApi;
const platform = defaultPlatform();

beforeAll(async () => {
  server = await startLedgerbox();
  api = createApi({ baseUrl: server.url, token: await server.token("ivy"), clientId: "api-test.1", fetch: platform.fetch });
});
afterAll(async () => {
  await server.close();
  await removeDir(server.dataDir);
});

const put = async (path: string, text: string, baseRevision: number | null = null) => {
  const { db } = await openStore({ indexedDB: new IDBFactory(), IDBKeyRange, journal: new MemoryLog() });
  const bytes = new TextEncoder().encode(text);
  return createUploader({ api, db, platform }).upload({ source: bytesSource(bytes), path, baseRevision }).done;
};

const eventually = <T>(read: () => Promise<T>, ok: (value: T) => boolean) =>
  expect.poll(() => read().then(ok, () => false), { timeout: 5000, interval: 50 }).toBe(true);

describe("API client against the real server", () => {
  it("covers listing, metadata, history, move, delete, restore, state and the change feed", async () => {
    const start = await api.latestCursor();
    const notices = api.changeNotices({ cursor: start }, AbortSignal.timeout(10_000));
    const firstNotice = notices.next();

    const created = await put("/notes/a.txt", "first");
    expect(created.revision).toBe(1);
    // The stream announces the change: a hint carrying a cursor.
    const notice = await firstNotice;
    expect(notice.done).toBe(false);
    expect(typeof notice.value?.cursor).toBe("string");
    await notices.return(undefined);

    await put("/notes/a.txt", "second", 1);
    await eventually(
      () => api.fileMeta("/notes/a.txt"),
      (meta) => meta.revision === 2,
    );
    const meta = await api.fileMeta("/notes/a.txt");
    expect(meta).toMatchObject({ path: "/notes/a.txt", revision: 2, size: 6 });
    expect(meta.chunks[0]?.url).toMatch(/^http/);

    const listing = await api.listFiles({ prefix: "/notes/" });
    expect(listing.files.map((file) => file.path)).toEqual(["/notes/a.txt"]);

    const moved = await api.moveFile({ from: "/notes/a.txt", to: "/notes/b.txt" });
    expect(moved.path).toBe("/notes/b.txt");
    const restored = await api.restoreFile({ path: "/notes/b.txt", revision: moved.revision });
    expect(restored.path).toBe("/notes/b.txt");
    const deleted = await api.deleteFile({ path: "/notes/b.txt", baseRevision: restored.revision });
    expect(deleted.path).toBe("/notes/b.txt");

    await eventually(
      () => api.changes({ cursor: start }),
      (page) => page.changes.some((change) => change.kind === "delete" && change.path === "/notes/b.txt"),
    );
    const page = await api.changes({ cursor: start, limit: 100 });
    expect(page.changes.map((change) => [change.kind, change.path])).toEqual([
      ["upsert", "/notes/a.txt"],
      ["upsert", "/notes/a.txt"],
      ["delete", "/notes/a.txt"],
      ["upsert", "/notes/b.txt"],
      ["upsert", "/notes/b.txt"],
      ["delete", "/notes/b.txt"],
    ]);
    expect(page.hasMore).toBe(false);

    await eventually(
      () => api.history({ path: "/notes/a.txt" }),
      (history) => history.entries.length >= 3,
    );
    const history = await api.history({ path: "/notes/a.txt" });
    expect(history.entries[0]).toMatchObject({ revision: 1, actor: "ivy", clientId: "api-test.1" });

    const then = await api.state({ at: history.entries[1]!.cursor! });
    expect(then.files.map((file) => [file.path, file.revision])).toEqual([["/notes/a.txt", 2]]);
  });

  it("reports contract errors as ApiError with the server's code", async () => {
    const missing = await api.fileMeta("/nope.txt").catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(ApiError);
    expect(missing).toMatchObject({ status: 404, code: "file_not_found" });
    await expect(api.changes({ cursor: "not-a-cursor" })).rejects.toMatchObject({ status: 400, code: "invalid_cursor" });
    const stranger = createApi({ ...api.connection, namespace: "someone-else" });
    await expect(stranger.latestCursor()).rejects.toMatchObject({ status: 403 });
  });
});
