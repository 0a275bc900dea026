import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { caughtUp, type EventLog, openEventLog } from "../support/event-log.ts";
import { randomFile, uploadFile } from "../support/http-upload.ts";
import { type RunningLedgerbox, startLedgerbox } from "../support/ledgerbox.ts";
import { type EventStreamReader, openEventStream } from "../support/sse.ts";
import { pullChanges } from "../support/sync-reads.ts";

const cursorOf = (event: { data: string }): string => (JSON.parse(event.data) as { cursor: string }).cursor;
const isChanges = (event: { event: string }) => event.event === "changes";
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("push: server-sent change hints over HTTP", () => {
  let server: RunningLedgerbox;
  let log: EventLog;
  const open: EventStreamReader[] = [];
  const stream = async (options: Parameters<typeof openEventStream>[1] = {}) => {
    const reader = await openEventStream(server, options);
    open.push(reader);
    return reader;
  };
  const latest = async (user = "alice"): Promise<string> => (await server.api("GET", "/v1/changes/latest", { user })).body.cursor;

  beforeAll(async () => {
    server = await startLedgerbox({ LEDGERBOX_SSE_HEARTBEAT_MS: "200" });
    log = openEventLog(server);
    await uploadFile(server, "/push/seed.txt", randomFile(100, 64), { clientId: "laptop" });
    await caughtUp(server, log);
  });
  afterEach(async () => {
    // Close every stream, or the server's close would wait on them.
    await Promise.all(open.splice(0).map((reader) => reader.close()));
  });
  afterAll(async () => {
    log?.close();
    await server?.close();
  });

  it("announces another client's upload within a couple of seconds; pulling from the old cursor returns it", async () => {
    const before = await latest();
    const reader = await stream({ cursor: before });
    expect(reader.status).toBe(200);
    expect(reader.headers.get("content-type")).toMatch(/^text\/event-stream/);
    // Up to date: nothing to announce yet.
    await pause(300);
    expect(reader.events.filter(isChanges)).toEqual([]);

    const started = Date.now();
    const { result } = await uploadFile(server, "/push/from-phone.txt", randomFile(4000, 1024), { clientId: "phone" });
    const hint = await reader.next(isChanges, { timeoutMs: 2000 });
    expect(Date.now() - started).toBeLessThan(2500);
    expect(hint.event).toBe("changes");
    const announced = cursorOf(hint);
    expect(typeof announced).toBe("string");
    expect(announced).not.toBe(before);

    const pulled = await pullChanges(server, { cursor: before });
    expect(pulled.changes).toEqual([
      expect.objectContaining({ kind: "upsert", path: "/push/from-phone.txt", fileId: result.fileId, revision: 1 }),
    ]);
    expect(pulled.cursor).toBe(announced);
    // Pulling from the announced cursor: nothing more.
    expect((await pullChanges(server, { cursor: announced })).changes).toEqual([]);
  });

  it("announces each later change again on the same connection, never a cursor it already announced", async () => {
    const reader = await stream({ cursor: await latest() });
    await uploadFile(server, "/push/one.txt", randomFile(100, 64), { clientId: "phone" });
    const first = await reader.next(isChanges);
    const seen = reader.events.length;
    await uploadFile(server, "/push/two.txt", randomFile(100, 64), { clientId: "phone" });
    const second = await reader.next(isChanges, { from: seen });
    expect(cursorOf(second)).not.toBe(cursorOf(first));
    const between = await pullChanges(server, { cursor: cursorOf(first) });
    expect(between.changes.map((change) => change.path)).toEqual(["/push/two.txt"]);
    expect(between.cursor).toBe(cursorOf(second));
    const cursors = reader.events.filter(isChanges).map(cursorOf);
    expect(new Set(cursors).size).toBe(cursors.length);
  });

  it("announces at once when connecting with an old cursor, and when connecting without one", async () => {
    const start = (await pullChanges(server, { limit: 1 })).pages[0]!.cursor;
    const now = await latest();
    expect(start).not.toBe(now);
    const old = await stream({ cursor: start });
    const hint = await old.next(isChanges, { timeoutMs: 1000 });
    expect(hint.atMs).toBeLessThan(1000);
    expect(cursorOf(hint)).toBe(now);

    const fresh = await stream();
    expect(cursorOf(await fresh.next(isChanges, { timeoutMs: 1000 }))).toBe(now);
  });

  it("sends heartbeat comment lines at the configured interval", async () => {
    const reader = await stream({ cursor: await latest() });
    await pause(900);
    const heartbeats = reader.comments.filter((comment) => comment.text === "heartbeat");
    expect(heartbeats.length).toBeGreaterThanOrEqual(2);
    expect(heartbeats.length).toBeLessThanOrEqual(6);
    expect(reader.events.filter(isChanges)).toEqual([]);
  });

  it("keeps namespaces apart: a stream for bob gets nothing from alice's upload", async () => {
    const bob = await stream({ user: "bob", cursor: await latest("bob") });
    const alice = await stream({ cursor: await latest() });
    await uploadFile(server, "/push/alice-secret.txt", randomFile(100, 64));
    await alice.next(isChanges);
    await pause(500);
    expect(bob.events).toEqual([]);
    expect(bob.comments.some((comment) => comment.text === "heartbeat")).toBe(true);

    // bob's own upload does reach bob.
    await uploadFile(server, "/push/bob.txt", randomFile(100, 64), { user: "bob" });
    const hint = await bob.next(isChanges);
    const pulled = await pullChanges(server, { user: "bob" });
    expect(pulled.changes.map((change) => change.path)).toEqual(["/push/bob.txt"]);
    expect(pulled.cursor).toBe(cursorOf(hint));
  });

  it("a stream in a granted shared namespace hears that namespace's changes", async () => {
    const token = await server.token("carol", { ns: ["team"] });
    const teamLatest = (await server.api("GET", "/v1/changes/latest", { token, namespace: "team" })).body.cursor;
    const reader = await stream({ token, namespace: "team", cursor: teamLatest });
    await uploadFile(server, "/push/team.txt", randomFile(100, 64), { user: "team" });
    const hint = await reader.next(isChanges);
    const pulled = await pullChanges(server, { user: "team", cursor: teamLatest });
    expect(pulled.changes.map((change) => change.path)).toEqual(["/push/team.txt"]);
    expect(pulled.cursor).toBe(cursorOf(hint));
  });

  it("refuses a stream without a token (401), with a malformed cursor (400), for a foreign namespace (403)", async () => {
    const anonymous = await server.api("GET", "/v1/changes/stream", { token: null });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toMatchObject({ error: expect.any(String), message: expect.any(String) });
    const malformed = await server.api("GET", "/v1/changes/stream?cursor=nonsense");
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ error: expect.any(String), message: expect.any(String) });
    const foreign = await server.api("GET", "/v1/changes/stream", { user: "mallory", namespace: "alice" });
    expect(foreign.status).toBe(403);
  });
});
