import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asToken } from "../support/as-token.ts";
import { caughtUp, type EventLog, openEventLog } from "../support/event-log.ts";
import { downloadFile, randomFile, uploadFile } from "../support/http-upload.ts";
import { type RunningLedgerbox, startLedgerbox } from "../support/ledgerbox.ts";
import { applyChanges, byPath, historyAll, listAll, pullChanges, stateAll } from "../support/sync-reads.ts";

interface HistoryEntry {
  readonly type: string;
  readonly revision: number;
  readonly at: string;
  readonly actor: string;
  readonly clientId: string;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const summary = (file: { path: string; fileId: string; revision: number; size: number; contentHash: string }) => ({
  path: file.path,
  fileId: file.fileId,
  revision: file.revision,
  size: file.size,
  contentHash: file.contentHash,
});
const expectError = (answer: Awaited<ReturnType<RunningLedgerbox["api"]>>, status: number) => {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(answer.body).toMatchObject({ error: expect.any(String), message: expect.any(String) });
};

describe("file commands, history and point-in-time state over HTTP", () => {
  let server: RunningLedgerbox;
  let log: EventLog;
  beforeAll(async () => {
    server = await startLedgerbox();
    log = openEventLog(server);
  });
  afterAll(async () => {
    log?.close();
    await server?.close();
  });

  it("deletes only from the right base revision: a stale one is 409, the current one succeeds", async () => {
    const user = "deleter";
    const v1 = await uploadFile(server, "/d/doc.txt", randomFile(1000, 256), { user });
    await uploadFile(server, "/d/doc.txt", randomFile(1000, 256), { user, baseRevision: v1.result.revision });

    const stale = await server.api("POST", "/v1/files/delete", { user, body: { path: "/d/doc.txt", baseRevision: 1 } });
    expectError(stale, 409);
    expect(stale.body.message).toMatch(/revision 2/);
    await caughtUp(server, log);
    expect((await server.api("GET", "/v1/files/meta?path=/d/doc.txt", { user })).status).toBe(200);

    const done = await server.api("POST", "/v1/files/delete", { user, body: { path: "/d/doc.txt", baseRevision: 2 } });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ path: "/d/doc.txt", fileId: v1.result.fileId, revision: 3, status: "deleted" });
    await caughtUp(server, log);
    expectError(await server.api("GET", "/v1/files/meta?path=/d/doc.txt", { user }), 404);
    expect(await listAll(server, { user })).toEqual([]);
    // Deleting what is not there is 404, not a silent success.
    expectError(await server.api("POST", "/v1/files/delete", { user, body: { path: "/d/doc.txt" } }), 404);
    expectError(await server.api("POST", "/v1/files/delete", { user, body: { path: "/d/never.txt" } }), 404);
    // History keeps all three events.
    const history = await historyAll(server, "/d/doc.txt", { user });
    expect(history.map((entry) => [entry.type, entry.revision])).toEqual([
      ["FileVersionCommitted", 1],
      ["FileVersionCommitted", 2],
      ["FileDeleted", 3],
    ]);
  });

  it("moves keep the fileId, refuse an existing target (409), and leave history on both paths", async () => {
    const user = "mover";
    const a = randomFile(5000, 1024);
    const first = await uploadFile(server, "/m/a.txt", a, { user, clientId: "desk" });
    await uploadFile(server, "/m/b.txt", randomFile(10, 64), { user });

    const onto = await server.api("POST", "/v1/files/move", { user, body: { from: "/m/a.txt", to: "/m/b.txt" } });
    expectError(onto, 409);
    const ontoCase = await server.api("POST", "/v1/files/move", { user, body: { from: "/m/a.txt", to: "/M/B.TXT" } });
    expectError(ontoCase, 409);
    expectError(await server.api("POST", "/v1/files/move", { user, body: { from: "/m/nope.txt", to: "/m/x.txt" } }), 404);
    // A mover that has not seen the current revision moves nothing.
    const stale = await server.api("POST", "/v1/files/move", {
      user,
      body: { from: "/m/a.txt", to: "/m/x.txt", baseRevision: 7 },
    });
    expectError(stale, 409);
    expect(stale.body.error).toBe("revision_conflict");

    const moved = await server.api("POST", "/v1/files/move", {
      user,
      clientId: "desk",
      body: { from: "/m/a.txt", to: "/m/sub/c.txt" },
    });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ path: "/m/sub/c.txt", fileId: first.result.fileId, status: "live" });
    await caughtUp(server, log);

    const listing = byPath(await listAll(server, { user }));
    expect(listing.map((file) => file.path)).toEqual(["/m/b.txt", "/m/sub/c.txt"]);
    const downloaded = await downloadFile(server, "/m/sub/c.txt", { user });
    expect(downloaded.meta).toMatchObject({ fileId: first.result.fileId, contentHash: first.result.contentHash, size: 5000 });
    expect(Buffer.compare(downloaded.bytes, Buffer.from(a.bytes))).toBe(0);
    expectError(await server.api("GET", "/v1/files/meta?path=/m/a.txt", { user }), 404);

    const oldHistory = await historyAll(server, "/m/a.txt", { user });
    expect(oldHistory).toEqual([
      expect.objectContaining({ type: "FileVersionCommitted", revision: 1, fileId: first.result.fileId }),
      expect.objectContaining({ type: "FileMovedOut", revision: 2, fileId: first.result.fileId, to: "/m/sub/c.txt" }),
    ]);
    const newHistory = await historyAll(server, "/m/sub/c.txt", { user });
    expect(newHistory).toEqual([
      expect.objectContaining({
        type: "FileMovedIn",
        fileId: first.result.fileId,
        from: "/m/a.txt",
        contentHash: first.result.contentHash,
        clientId: "desk",
        actor: user,
      }),
    ]);
    // The old path is free again: a new file there is a new fileId.
    const again = await uploadFile(server, "/m/a.txt", randomFile(10, 64), { user });
    expect(again.result.fileId).not.toBe(first.result.fileId);
    expect(again.result.conflict).toBe(false);
  });

  it("restores an earlier revision: content hash and bytes are the old version's again", async () => {
    const user = "restorer";
    const versions = [randomFile(3000, 1000), randomFile(2500, 1000), randomFile(4000, 1000)];
    const results = [];
    let base: number | null = null;
    for (const bytes of versions) {
      const { result } = await uploadFile(server, "/r/notes.md", bytes, { user, baseRevision: base });
      results.push(result);
      base = result.revision;
    }
    expect(results.map((result) => result.revision)).toEqual([1, 2, 3]);

    const restored = await server.api("POST", "/v1/files/restore", {
      user,
      clientId: "web",
      body: { path: "/r/notes.md", revision: 1 },
    });
    expect(restored.status).toBe(200);
    expect(restored.body).toMatchObject({ path: "/r/notes.md", fileId: results[0]!.fileId, revision: 4, status: "live" });
    await caughtUp(server, log);

    const downloaded = await downloadFile(server, "/r/notes.md", { user });
    expect(downloaded.meta).toMatchObject({ revision: 4, contentHash: results[0]!.contentHash, size: 3000 });
    expect(Buffer.compare(downloaded.bytes, Buffer.from(versions[0]!.bytes))).toBe(0);
    const history = await historyAll(server, "/r/notes.md", { user });
    expect(history.at(-1)).toMatchObject({ type: "FileRestored", revision: 4, fromRevision: 1, clientId: "web" });

    // Restoring the restore's source a second time is a new revision too; unknown revisions are refused.
    expectError(await server.api("POST", "/v1/files/restore", { user, body: { path: "/r/notes.md", revision: 99 } }), 404);
    expectError(await server.api("POST", "/v1/files/restore", { user, body: { path: "/r/notes.md", revision: 0 } }), 400);
    expectError(await server.api("POST", "/v1/files/restore", { user, body: { path: "/r/none.md", revision: 1 } }), 404);
    const two = await server.api("POST", "/v1/files/restore", { user, body: { path: "/r/notes.md", revision: 2 } });
    expect(two.body).toMatchObject({ revision: 5 });
    await caughtUp(server, log);
    const meta = await server.api("GET", "/v1/files/meta?path=/r/notes.md", { user });
    expect(meta.body.contentHash).toBe(results[1]!.contentHash);
  });

  // A fileId names one file: clients rename in place by it. Restoring at the path a file moved away
  // from must not leave two live files sharing one fileId (refuse it, or give the copy a new id).
  it("restoring at a path the file was moved away from never leaves two live files with one fileId", async () => {
    const user = "restore-after-move";
    const { result } = await uploadFile(server, "/rm/x.txt", randomFile(100, 64), { user });
    expect((await server.api("POST", "/v1/files/move", { user, body: { from: "/rm/x.txt", to: "/rm/y.txt" } })).status).toBe(200);
    const restored = await server.api("POST", "/v1/files/restore", { user, body: { path: "/rm/x.txt", revision: 1 } });
    expect([200, 404, 409]).toContain(restored.status);
    await caughtUp(server, log);
    const listing = await listAll(server, { user });
    expect(listing.find((file) => file.path === "/rm/y.txt")?.fileId).toBe(result.fileId);
    const ids = listing.map((file) => file.fileId);
    expect(new Set(ids).size, JSON.stringify(listing.map((file) => [file.path, file.fileId]))).toBe(ids.length);
  });

  it("history entries carry type, revision, time, actor and client id, oldest first, in pages", async () => {
    const team = "team-h";
    const carol = await server.token("carol", { ns: [team] });
    const dave = await server.token("dave", { ns: [team] });
    const path = "/h/shared.txt";
    // Five events from two people on two devices.
    const post = (token: string, clientId: string, route: string, body: unknown) =>
      server.api("POST", route, { token, namespace: team, clientId, body });
    let revision: number | null = null;
    const writers = [
      [carol, "carol-laptop"],
      [dave, "dave-phone"],
      [carol, "carol-laptop"],
    ] as const;
    for (const [token, clientId] of writers) {
      // The ns claim is what lets both write in the team namespace.
      const { result } = await uploadFile(asToken(server, token), path, randomFile(100, 64), {
        namespace: team,
        clientId,
        baseRevision: revision,
      });
      revision = result.revision;
      await pause(5);
    }
    expect((await post(dave, "dave-phone", "/v1/files/restore", { path, revision: 1 })).status).toBe(200);
    expect((await post(carol, "carol-tablet", "/v1/files/delete", { path, baseRevision: 4 })).status).toBe(200);
    await caughtUp(server, log);

    const first = await server.api("GET", `/v1/files/history?path=${encodeURIComponent(path)}`, {
      token: carol,
      namespace: team,
    });
    expect(first.status).toBe(200);
    const entries = first.body.entries;
    expect(first.body.hasMore).toBe(false);
    expect(entries.map((entry: HistoryEntry) => [entry.type, entry.revision, entry.actor, entry.clientId])).toEqual([
      ["FileVersionCommitted", 1, "carol", "carol-laptop"],
      ["FileVersionCommitted", 2, "dave", "dave-phone"],
      ["FileVersionCommitted", 3, "carol", "carol-laptop"],
      ["FileRestored", 4, "dave", "dave-phone"],
      ["FileDeleted", 5, "carol", "carol-tablet"],
    ]);
    const times = entries.map((entry: HistoryEntry) => Date.parse(entry.at));
    expect(times.every((time: number) => !Number.isNaN(time))).toBe(true);
    expect(times).toEqual([...times].sort((x, y) => x - y));

    // Paging: limit 2 → 2, 2, 1, following cursor; the pages add up to the whole history.
    const pages = [];
    let cursor: string | null = null;
    do {
      const query: string = `path=${encodeURIComponent(path)}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const page = await server.api("GET", `/v1/files/history?${query}`, { token: dave, namespace: team });
      expect(page.status).toBe(200);
      pages.push(page.body);
      cursor = page.body.hasMore ? page.body.cursor : null;
      if (!page.body.hasMore) expect(page.body.cursor).toBeNull();
    } while (cursor !== null);
    expect(pages.map((page) => page.entries.length)).toEqual([2, 2, 1]);
    expect(pages.flatMap((page) => page.entries)).toEqual(entries);

    // The path is case-insensitive here too, and history is per namespace.
    const upper = await server.api("GET", `/v1/files/history?path=${encodeURIComponent(path.toUpperCase())}`, {
      token: carol,
      namespace: team,
    });
    expect(upper.body.entries).toEqual(entries);
    expectError(await server.api("GET", `/v1/files/history?path=${encodeURIComponent(path)}`, { user: "carol" }), 404);
    expectError(
      await server.api("GET", `/v1/files/history?path=${encodeURIComponent(path)}&cursor=zzz`, { token: carol, namespace: team }),
      400,
    );
  });

  it("GET /v1/state?at= gives the listing as it was at an ISO time or at a change cursor", async () => {
    const user = "timetraveller";
    const beforeAnything = new Date().toISOString();
    await pause(15);
    const a1 = await uploadFile(server, "/t/a.txt", randomFile(100, 64), { user });
    await pause(30);
    const afterA1 = new Date().toISOString();
    await pause(30);
    const b1 = await uploadFile(server, "/t/b.txt", randomFile(200, 64), { user });
    await uploadFile(server, "/t/a.txt", randomFile(300, 64), { user, baseRevision: 1 });
    await pause(30);
    const afterA2 = new Date().toISOString();
    await pause(30);
    expect((await server.api("POST", "/v1/files/delete", { user, body: { path: "/t/b.txt" } })).status).toBe(200);
    expect((await server.api("POST", "/v1/files/move", { user, body: { from: "/t/a.txt", to: "/t/c.txt" } })).status).toBe(200);
    await caughtUp(server, log);

    const atA1 = await stateAll(server, afterA1, { user });
    expect(atA1.files.map(summary)).toEqual([summary({ ...a1.result, path: "/t/a.txt" })]);
    const atA2 = await stateAll(server, afterA2, { user });
    expect(byPath(atA2.files).map((file) => [file.path, file.revision])).toEqual([
      ["/t/a.txt", 2],
      ["/t/b.txt", 1],
    ]);
    expect(atA2.files.find((file) => file.path === "/t/b.txt")!.fileId).toBe(b1.result.fileId);
    const before = await stateAll(server, beforeAnything, { user });
    expect(before).toEqual({ at: null, files: [] });
    const now = await stateAll(server, new Date().toISOString(), { user });
    expect(byPath(now.files).map(summary)).toEqual(byPath(await listAll(server, { user })).map(summary));

    // At every change cursor, the state is exactly the changes up to there applied in order.
    const { pages } = await pullChanges(server, { user, limit: 1 });
    const changes = pages.flatMap((page) => page.changes);
    expect(changes).toHaveLength(6);
    for (let k = 1; k <= changes.length; k++) {
      const state = await stateAll(server, pages[k - 1]!.cursor, { user, limit: 1 });
      expect(state.at).toBe(pages[k - 1]!.cursor);
      const expected = byPath([...applyChanges(changes.slice(0, k)).values()].map(summary));
      expect(byPath(state.files).map(summary), `after ${k} changes`).toEqual(expected);
    }
    // The cursor the ISO time resolved to is one of those.
    expect(pages.map((page) => page.cursor)).toContain(atA2.at);

    expectError(await server.api("GET", "/v1/state?at=yesterday", { user }), 400);
    expectError(await server.api("GET", "/v1/state", { user }), 400);
  });

  it("treats paths case-insensitively: /Docs/A.txt after /docs/a.txt updates the same file and keeps the first casing", async () => {
    const user = "casey";
    const first = await uploadFile(server, "/docs/a.txt", randomFile(100, 64), { user });
    const v2 = randomFile(150, 64);
    const second = await uploadFile(server, "/Docs/A.txt", v2, { user, baseRevision: first.result.revision });
    expect(second.result).toMatchObject({ path: "/docs/a.txt", fileId: first.result.fileId, revision: 2, conflict: false });
    await caughtUp(server, log);

    const listing = await listAll(server, { user });
    expect(listing.map((file) => [file.path, file.fileId, file.revision])).toEqual([["/docs/a.txt", first.result.fileId, 2]]);
    const viaOtherCase = await downloadFile(server, "/DOCS/a.TXT", { user });
    expect(viaOtherCase.meta.path).toBe("/docs/a.txt");
    expect(Buffer.compare(viaOtherCase.bytes, Buffer.from(v2.bytes))).toBe(0);
    const { changes } = await pullChanges(server, { user });
    expect(changes.map((change) => [change.kind, change.path, change.fileId, change.revision])).toEqual([
      ["upsert", "/docs/a.txt", first.result.fileId, 1],
      ["upsert", "/docs/a.txt", first.result.fileId, 2],
    ]);
    // Listing by a prefix in another case finds it as well.
    expect((await listAll(server, { user, prefix: "/DOCS/" })).map((file) => file.path)).toEqual(["/docs/a.txt"]);

    // A create that believes the path is new (no base) while it exists is a conflicted copy, never a second "/Docs/A.txt".
    const blind = await uploadFile(server, "/DOCS/A.TXT", randomFile(10, 64), { user, clientId: "other" });
    expect(blind.result.conflict).toBe(true);
    expect(blind.result.path.toLowerCase()).not.toBe("/docs/a.txt");
  });
});
