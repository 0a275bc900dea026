import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { caughtUp, type EventLog, openEventLog } from "../support/event-log.ts";
import { randomFile, uploadFile } from "../support/http-upload.ts";
import { type RunningLedgerbox, startLedgerbox } from "../support/ledgerbox.ts";
import { applyChanges, byPath, type Change, listAll, pullChanges } from "../support/sync-reads.ts";

const name = (i: number) => `/c/f${String(i).padStart(2, "0")}.txt`;
const comparable = (file: { path: string; fileId: string; revision: number; size: number; contentHash: string }) => ({
  path: file.path,
  fileId: file.fileId,
  revision: file.revision,
  size: file.size,
  contentHash: file.contentHash,
});

describe("getChange: paging the change feed over HTTP", () => {
  let server: RunningLedgerbox;
  let log: EventLog;
  const fileIds = new Map<string, string>();

  beforeAll(async () => {
    server = await startLedgerbox();
    // 25 new files, a few at a time (each is its own path stream, so they do not contend).
    for (let start = 0; start < 25; start += 5) {
      await Promise.all(
        Array.from({ length: 5 }, async (_, offset) => {
          const { result } = await uploadFile(server, name(start + offset), randomFile(200 + start + offset, 64));
          fileIds.set(name(start + offset), result.fileId);
        }),
      );
    }
    // A second version of f07, then restore its first: history moves on, content goes back.
    await uploadFile(server, name(7), randomFile(300, 64), { baseRevision: 1 });
    expect((await server.api("POST", "/v1/files/restore", { body: { path: name(7), revision: 1 } })).status).toBe(200);
    expect((await server.api("POST", "/v1/files/delete", { body: { path: name(3) } })).status).toBe(200);
    expect((await server.api("POST", "/v1/files/move", { body: { from: name(5), to: "/c/moved/f05.txt" } })).status).toBe(200);
    log = openEventLog(server);
    await caughtUp(server, log);
  }, 20_000);

  afterAll(async () => {
    log?.close();
    await server?.close();
  });

  it("pages with limit=7 until hasMore is false, and the pages add up to the whole feed", async () => {
    const paged = await pullChanges(server, { limit: 7 });
    // 25 creates + f07 v2 + restore + delete + move (delete and upsert) = 30 changes.
    expect(paged.changes).toHaveLength(30);
    expect(paged.pages.map((page) => page.changes.length)).toEqual([7, 7, 7, 7, 2]);
    expect(paged.pages.map((page) => page.hasMore)).toEqual([true, true, true, true, false]);
    for (const page of paged.pages.slice(0, -1)) expect(page.cursor).not.toBe(paged.cursor);

    const whole = await pullChanges(server, { limit: 1000 });
    expect(whole.pages).toHaveLength(1);
    expect(whole.changes).toEqual(paged.changes);
    expect(whole.cursor).toBe(paged.cursor);

    // Without a limit the default (500) holds all of them in one page.
    const defaulted = await server.api("GET", "/v1/changes");
    expect(defaulted.status).toBe(200);
    expect(defaulted.body.changes).toEqual(paged.changes);
    expect(defaulted.body.hasMore).toBe(false);
  });

  it("applying every change to an empty map yields exactly the current listing", async () => {
    const { changes } = await pullChanges(server, { limit: 7 });
    const applied = byPath([...applyChanges(changes).values()].map(comparable));
    const listing = byPath((await listAll(server)).map(comparable));
    expect(applied).toEqual(listing);
    expect(listing).toHaveLength(24);
    expect(listing.map((file) => file.path)).not.toContain(name(3));
    expect(listing.map((file) => file.path)).not.toContain(name(5));
    expect(listing.map((file) => file.path)).toContain("/c/moved/f05.txt");
    // The restored f07 is revision 3 with revision 1's content.
    const f07 = changes.filter((change) => change.path === name(7));
    expect(f07.map((change) => [change.kind, change.revision])).toEqual([
      ["upsert", 1],
      ["upsert", 2],
      ["upsert", 3],
    ]);
    expect(f07[2]!.contentHash).toBe(f07[0]!.contentHash);
    expect(f07[2]!.fileId).toBe(f07[0]!.fileId);
  });

  it("each change has the binding fields, in log order", async () => {
    const { changes } = await pullChanges(server, { limit: 7 });
    for (const change of changes) {
      expect(Object.keys(change).sort()).toEqual(["at", "contentHash", "fileId", "kind", "path", "revision", "size"].sort());
      expect(["upsert", "delete"]).toContain(change.kind);
      expect(Number.isNaN(Date.parse(change.at))).toBe(false);
      if (change.kind === "upsert") expect(change.contentHash).toMatch(/^[0-9a-f]{64}$/);
    }
    // Log order: times never go backwards, and the creates come first, in the order they landed.
    const times = changes.map((change) => Date.parse(change.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(changes.slice(0, 25).every((change) => change.kind === "upsert" && change.revision === 1)).toBe(true);
    const deleted = changes.find((change) => change.path === name(3) && change.kind === "delete");
    expect(deleted).toMatchObject({ fileId: fileIds.get(name(3)), revision: 2 });
  });

  it("shows a move as delete(old) immediately followed by upsert(new) with the same fileId", async () => {
    const { changes } = await pullChanges(server, { limit: 7 });
    const at = changes.findIndex((change) => change.path === name(5) && change.kind === "delete");
    expect(at).toBeGreaterThan(0);
    const [out, into] = [changes[at]!, changes[at + 1]!];
    expect(out).toMatchObject({ kind: "delete", path: name(5), fileId: fileIds.get(name(5)) });
    expect(into).toMatchObject({ kind: "upsert", path: "/c/moved/f05.txt", fileId: fileIds.get(name(5)) });
    expect(into.contentHash).toBe(changes.find((change) => change.path === name(5) && change.kind === "upsert")!.contentHash);
  });

  it("/v1/changes/latest gives a cursor with nothing after it until the next change", async () => {
    const latest = await server.api("GET", "/v1/changes/latest");
    expect(latest.status).toBe(200);
    expect(typeof latest.body.cursor).toBe("string");
    const { changes: all, cursor: end } = await pullChanges(server);
    expect(latest.body.cursor).toBe(end);
    expect(all.length).toBeGreaterThan(0);

    const empty = await server.api("GET", `/v1/changes?cursor=${encodeURIComponent(latest.body.cursor)}`);
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({ changes: [], cursor: latest.body.cursor, hasMore: false });

    const { result } = await uploadFile(server, "/c/news.txt", randomFile(123, 64));
    await caughtUp(server, log);
    const news = await pullChanges(server, { cursor: latest.body.cursor });
    expect(news.changes).toEqual([
      expect.objectContaining({ kind: "upsert", path: "/c/news.txt", fileId: result.fileId, revision: 1, size: 123 }),
    ]);
    expect((await server.api("GET", "/v1/changes/latest")).body.cursor).toBe(news.cursor);
    const after = await server.api("GET", `/v1/changes?cursor=${encodeURIComponent(news.cursor)}`);
    expect(after.body.changes).toEqual([]);
  });

  it("answers 400 with {error, message} to a malformed cursor", async () => {
    const valid = (await server.api("GET", "/v1/changes/latest")).body.cursor as string;
    const malformed = [
      "garbage",
      "!!!!",
      `${valid}x`,
      valid.slice(0, -3),
      Buffer.from("lb1:not-a-position").toString("base64url"),
      Buffer.from("lb2:00000000000000010000000000000001").toString("base64url"),
      Buffer.from("lb1:0000000000000001").toString("base64url"),
      "%00",
    ];
    for (const cursor of malformed) {
      const answer = await server.api("GET", `/v1/changes?cursor=${encodeURIComponent(cursor)}`);
      expect(answer.status, `cursor ${JSON.stringify(cursor)}`).toBe(400);
      expect(answer.body).toMatchObject({ error: expect.any(String), message: expect.any(String) });
    }
  });

  it("answers 400 to a limit outside 1..1000", async () => {
    for (const limit of ["0", "1001", "-1", "abc", "1.5", ""]) {
      const answer = await server.api("GET", `/v1/changes?limit=${limit}`);
      expect(answer.status, `limit=${limit}`).toBe(400);
      expect(answer.body).toMatchObject({ error: expect.any(String), message: expect.any(String) });
    }
    expect((await server.api("GET", "/v1/changes?limit=1")).body.changes).toHaveLength(1);
    expect((await server.api("GET", "/v1/changes?limit=1000")).status).toBe(200);
  });

  it("keeps namespaces apart: bob sees none of alice's changes, and alice none of bob's", async () => {
    const bobStart = await pullChanges(server, { user: "bob" });
    expect(bobStart.changes).toEqual([]);
    const bobLatest = await server.api("GET", "/v1/changes/latest", { user: "bob" });
    expect(bobLatest.status).toBe(200);
    expect(
      (await server.api("GET", `/v1/changes?cursor=${encodeURIComponent(bobLatest.body.cursor)}`, { user: "bob" })).body.changes,
    ).toEqual([]);
    const aliceBefore = (await pullChanges(server)).cursor;

    await uploadFile(server, "/bob-only.txt", randomFile(50, 64), { user: "bob" });
    await caughtUp(server, log);
    const bob = await pullChanges(server, { user: "bob" });
    expect(bob.changes.map((change: Change) => change.path)).toEqual(["/bob-only.txt"]);
    expect((await pullChanges(server, { cursor: aliceBefore })).changes).toEqual([]);
    expect((await listAll(server)).map((file) => file.path)).not.toContain("/bob-only.txt");
    // A cursor from alice's feed used in bob's namespace shows only bob's changes after it.
    const crossed = await pullChanges(server, { user: "bob", cursor: aliceBefore });
    expect(crossed.changes.map((change) => change.path)).toEqual(["/bob-only.txt"]);
  });
});
