import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { caughtUp, type EventLog, openEventLog } from "../support/event-log.ts";
import { type Chunked, downloadFile, manifestOf, putChunk, randomFile, uploadFile } from "../support/http-upload.ts";
import { type RunningLedgerbox, removeDir, startLedgerbox } from "../support/ledgerbox.ts";
import { historyAll, listAll, pullChanges, stateAll } from "../support/sync-reads.ts";

const NAMESPACES = ["alice", "bob"] as const;

/** The file's metadata without what is fresh on every read (presigned URLs and their expiry). */
async function metaOf(server: RunningLedgerbox, path: string, user: string) {
  const { status, body } = await server.api("GET", `/v1/files/meta?path=${encodeURIComponent(path)}`, { user });
  if (status !== 200) return { status, body };
  const { urlExpiresAt: _fresh, chunks, ...rest } = body;
  return { ...rest, chunks: chunks.map(({ url: _url, ...chunk }: { url: string }) => chunk) };
}

/** Every read a client can make, for each namespace: what must survive restarts and rebuilds. */
async function snapshot(server: RunningLedgerbox, uploads: { user: string; uploadId: string }[]) {
  const result: Record<string, unknown> = {};
  for (const user of NAMESPACES) {
    const feed = await pullChanges(server, { user, limit: 3 });
    const listing = await listAll(server, { user, limit: 2 });
    const paths = [...new Set(feed.changes.map((change) => change.path))].sort();
    const histories = Object.fromEntries(
      await Promise.all(paths.map(async (path) => [path, await historyAll(server, path, { user, limit: 2 })])),
    );
    const metas = Object.fromEntries(
      await Promise.all(listing.map(async (file) => [file.path, await metaOf(server, file.path, user)])),
    );
    const states = await Promise.all(feed.pages.map((page) => stateAll(server, page.cursor, { user })));
    const latest = (await server.api("GET", "/v1/changes/latest", { user })).body;
    result[user] = { pages: feed.pages, listing, histories, metas, states, latest };
  }
  const statuses = [];
  for (const { user, uploadId } of uploads) {
    const { status, body } = await server.api("GET", `/v1/uploads/${uploadId}`, { user });
    if (status !== 200) throw new Error(`GET /v1/uploads/${uploadId}: ${status} ${JSON.stringify(body)}`);
    // Fresh URLs for missing chunks are issued on every read; everything else must be equal.
    statuses.push({
      status,
      body: {
        ...body,
        chunks: body.chunks.map(({ upload, ...chunk }: { upload?: unknown }) => ({ ...chunk, hasUrl: !!upload })),
      },
    });
  }
  result.uploads = statuses;
  return result;
}

describe("persistence: restart on the same data dir, and read-model rebuilds", () => {
  let server: RunningLedgerbox;
  let log: EventLog;
  const files = new Map<string, Chunked>();
  const uploads: { user: string; uploadId: string }[] = [];
  let pending: { uploadId: string; file: Chunked };

  const upload = async (path: string, file: Chunked, options: Parameters<typeof uploadFile>[3] = {}) => {
    const done = await uploadFile(server, path, file, options);
    files.set(`${options.user ?? "alice"}:${done.result.path}`, file);
    uploads.push({ user: options.user ?? "alice", uploadId: done.uploadId });
    return done;
  };

  beforeAll(async () => {
    server = await startLedgerbox();
    log = openEventLog(server);
    await upload("/p/big.bin", randomFile(400_000, 64 * 1024));
    const plan = await upload("/p/plan.txt", randomFile(3000, 1000), { clientId: "laptop" });
    await upload("/p/plan.txt", randomFile(3100, 1000), { clientId: "laptop", baseRevision: plan.result.revision });
    await upload("/p/plan.txt", randomFile(2900, 1000), { clientId: "phone", baseRevision: plan.result.revision }); // conflicted copy
    await upload("/p/gone.txt", randomFile(10, 64));
    await upload("/p/old-name.txt", randomFile(700, 256));
    for (const [route, body] of [
      ["/v1/files/delete", { path: "/p/gone.txt" }],
      ["/v1/files/move", { from: "/p/old-name.txt", to: "/p/new-name.txt" }],
      ["/v1/files/restore", { path: "/p/plan.txt", revision: 1 }],
    ] as const) {
      const answer = await server.api("POST", route, { body });
      if (answer.status !== 200) throw new Error(`${route}: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
    await upload("/bobs/one.txt", randomFile(500, 128), { user: "bob" });
    // An upload left half-done: one of three chunks sent and confirmed.
    const file = randomFile(3000, 1000);
    const created = await server.api("POST", "/v1/uploads", { body: manifestOf(file, "/p/half.bin") });
    expect(await putChunk(created.body.chunks[0], file.chunks[0]!.bytes)).toBeLessThan(300);
    expect((await server.api("POST", `/v1/uploads/${created.body.uploadId}/chunks/0`)).status).toBe(200);
    pending = { uploadId: created.body.uploadId, file };
    uploads.push({ user: "alice", uploadId: pending.uploadId });
    await caughtUp(server, log);
  }, 20_000);

  afterAll(async () => {
    log?.close();
    await server?.close();
    if (server) await removeDir(server.dataDir);
  });

  it("serves the same listing, downloads, change feed and cursors after a restart, and continues the revisions", async () => {
    const before = await snapshot(server, uploads);
    const oldPages = await pullChanges(server, { limit: 3 });
    const latestBefore = (await server.api("GET", "/v1/changes/latest")).body.cursor as string;

    log.close();
    server = await server.restart();
    log = openEventLog(server);
    await caughtUp(server, log);

    expect(await snapshot(server, uploads)).toEqual(before);
    for (const [key, file] of files) {
      const [user, path] = [key.slice(0, key.indexOf(":")), key.slice(key.indexOf(":") + 1)];
      const listed = (await listAll(server, { user })).some((entry) => entry.path === path);
      if (!listed) continue; // deleted, moved away or overwritten since
      const meta = await server.api("GET", `/v1/files/meta?path=${encodeURIComponent(path)}`, { user });
      if (meta.body.size !== file.bytes.length) continue; // a later version lives there
      const downloaded = await downloadFile(server, path, { user });
      expect(Buffer.compare(downloaded.bytes, Buffer.from(file.bytes)), path).toBe(0);
    }
    // Cursors issued before the restart still work and page the same way.
    for (let i = 0; i < oldPages.pages.length - 1; i++) {
      const next = await server.api("GET", `/v1/changes?limit=3&cursor=${encodeURIComponent(oldPages.pages[i]!.cursor)}`);
      expect(next.status).toBe(200);
      expect(next.body).toEqual(oldPages.pages[i + 1]);
    }
    expect((await server.api("GET", `/v1/changes?cursor=${encodeURIComponent(latestBefore)}`)).body.changes).toEqual([]);

    // The half-done upload resumes: fresh URLs for what is missing, the confirmed chunk remembered.
    const status = await server.api("GET", `/v1/uploads/${pending.uploadId}`);
    expect(status.body.status).toBe("open");
    expect(status.body.chunks.map((chunk: { status: string }) => chunk.status)).toEqual(["uploaded", "missing", "missing"]);
    for (const chunk of status.body.chunks.slice(1)) {
      expect(await putChunk(chunk, pending.file.chunks[chunk.index]!.bytes)).toBeLessThan(300);
      expect((await server.api("POST", `/v1/uploads/${pending.uploadId}/chunks/${chunk.index}`)).status).toBe(200);
    }
    const completed = await server.api("POST", `/v1/uploads/${pending.uploadId}/complete`);
    expect(completed.body).toMatchObject({ path: "/p/half.bin", revision: 1, conflict: false });
    files.set("alice:/p/half.bin", pending.file);

    // A new version of an existing file gets the next revision, and shows up after the old latest cursor.
    const planMeta = await server.api("GET", "/v1/files/meta?path=/p/plan.txt");
    const next = await upload("/p/plan.txt", randomFile(1234, 1000), { baseRevision: planMeta.body.revision });
    expect(next.result.revision).toBe(planMeta.body.revision + 1);
    expect(next.result.fileId).toBe(planMeta.body.fileId);
    await caughtUp(server, log);
    const news = await pullChanges(server, { cursor: latestBefore });
    expect(news.changes.map((change) => [change.path, change.revision])).toEqual([
      ["/p/half.bin", 1],
      ["/p/plan.txt", next.result.revision],
    ]);
  });

  it("rebuilds the read models from the log to exactly the same answers; old cursors page the same", async () => {
    const before = await snapshot(server, uploads);
    const admin = await server.token("ops", { admin: true });
    const plain = await server.token("ops");
    expect((await server.api("POST", "/v1/admin/projections/rebuild", { token: plain })).status).toBe(403);

    const started = await server.api("POST", "/v1/admin/projections/rebuild", { token: admin });
    expect(started.status).toBe(202);
    expect(started.body.rebuild).toMatchObject({ startedAt: expect.any(String) });
    const finished = await waitForRebuild(server, admin);
    expect(finished.rebuild).toMatchObject({ state: "finished", finishedAt: expect.any(String), error: null });
    expect(finished.lag).toBe(0);
    await caughtUp(server, log);

    const after = await snapshot(server, uploads);
    expect(after).toEqual(before);
    // Every cursor handed out before the rebuild gives the same page now.
    for (const user of NAMESPACES) {
      const pages = (before[user] as { pages: { cursor: string }[] }).pages;
      for (let i = 0; i < pages.length - 1; i++) {
        const page = await server.api("GET", `/v1/changes?limit=3&cursor=${encodeURIComponent(pages[i]!.cursor)}`, { user });
        expect(page.body).toEqual(pages[i + 1]);
      }
    }

    // Writes go on after a rebuild, appended to the same feed.
    const latest = (before.alice as { latest: { cursor: string } }).latest.cursor;
    await upload("/p/after-rebuild.txt", randomFile(99, 64));
    await caughtUp(server, log);
    const news = await pullChanges(server, { cursor: latest });
    expect(news.changes.map((change) => change.path)).toEqual(["/p/after-rebuild.txt"]);
  });

  it("keeps a rebuild's results across a restart", async () => {
    const before = await snapshot(server, uploads);
    log.close();
    server = await server.restart();
    log = openEventLog(server);
    await caughtUp(server, log);
    expect(await snapshot(server, uploads)).toEqual(before);
  });
});

async function waitForRebuild(server: RunningLedgerbox, admin: string) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const { status, body } = await server.api("GET", "/v1/admin/projections", { token: admin });
    expect(status).toBe(200);
    if (body.rebuild?.finishedAt && body.lag === 0) return body;
    if (body.rebuild?.state === "failed") throw new Error(`rebuild failed: ${JSON.stringify(body.rebuild)}`);
    if (Date.now() > deadline) throw new Error(`rebuild did not finish: ${JSON.stringify(body)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
