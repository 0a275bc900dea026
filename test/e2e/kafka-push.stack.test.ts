import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { downloadFile, eventually, randomFile, uploadFile } from "../support/http-upload.ts";
import { type RunningLedgerbox, removeDir, startLedgerbox } from "../support/ledgerbox.ts";
import { positionOf } from "../support/roles-scenario.ts";
import { type EventStreamReader, openEventStream, type ServerSentEvent } from "../support/sse.ts";
import {
  exposeS3Credentials,
  freshUser,
  type IsolatedStack,
  isolatedStack,
  stackAvailability,
  warnStackSkipped,
} from "../support/stack-server.ts";
import { pullChanges } from "../support/sync-reads.ts";

const stack = await stackAvailability();
warnStackSkipped("two clients told through Kafka (kafka-push.stack.test.ts)", stack);

const isChanges = (event: ServerSentEvent) => event.event === "changes";
const cursorOf = (event: ServerSentEvent): string => (JSON.parse(event.data) as { cursor: string }).cursor;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const summary = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return `min ${sorted[0]} ms, median ${at(0.5)} ms, max ${sorted.at(-1)} ms over ${samples.length} uploads`;
};

/**
 * The write side and the read side in separate Ledgerbox apps, as production runs them: the
 * command app (command-api + projectors) appends to SQLite, projects into FerretDB and publishes
 * change notices to Kafka; the gateway app (query-api + push-gateway) only reads FerretDB and
 * consumes Kafka. Neither shares a bus in memory with the other: a hint reaches the gateway
 * through Kafka or not at all.
 */
describe.skipIf(!stack.reachable)(
  "two clients, two apps: one uploads through the command app, the other is told through Kafka",
  () => {
    let isolated: IsolatedStack;
    let dataDir: string;
    let commands: RunningLedgerbox;
    let gateway: RunningLedgerbox;
    const streams: EventStreamReader[] = [];
    const stream = async (server: RunningLedgerbox, options: Parameters<typeof openEventStream>[1]) => {
      const reader = await openEventStream(server, options);
      streams.push(reader);
      expect(reader.status).toBe(200);
      return reader;
    };

    beforeAll(async () => {
      isolated = isolatedStack(stack, { label: "push" });
      exposeS3Credentials(stack.settings);
      dataDir = await mkdtemp(join(tmpdir(), "ledgerbox-kafka-push-"));
      commands = await startLedgerbox({ ...isolated.env, LEDGERBOX_ROLE: "command-api,projectors" }, dataDir);
      gateway = await startLedgerbox({ ...isolated.env, LEDGERBOX_ROLE: "query-api,push-gateway" }, dataDir);
      console.info(
        `[stack] Kafka push e2e: topic ${isolated.topic} on ${stack.settings.KAFKA_BROKERS}, MongoDB database ${isolated.database}`,
      );
    });
    afterEach(async () => {
      await Promise.all(streams.splice(0).map((reader) => reader.close()));
    });
    afterAll(async () => {
      await Promise.allSettled([commands?.close(), gateway?.close()]);
      await isolated?.cleanup();
      if (dataDir) await removeDir(dataDir);
    });

    it("each app serves only its roles", async () => {
      expect((await commands.api("GET", "/v1/changes")).status).toBe(404);
      expect((await gateway.api("POST", "/v1/uploads", { body: { path: "/x", size: 0, chunks: [] } })).status).toBe(404);
    });

    it("B holds an SSE stream on the gateway app; A uploads through the command app; B is told through Kafka and pulls the change", async () => {
      const user = freshUser("push");
      // B is up to date: its cursor is the namespace's newest change (none yet).
      const start = (await gateway.api("GET", "/v1/changes/latest", { user })).body.cursor as string;
      const b = await stream(gateway, { user, cursor: start });
      await pause(300);
      expect(b.events.filter(isChanges)).toEqual([]);

      // The gateway's consumer joins its group when the first stream opens and reads from the
      // latest offset, so a notice published while it is still joining is not seen; B only learns
      // of that upload on its next hint or reconnect (a hint is a hint). Upload until the first
      // notice arrives: from then on every notice must.
      const joinStarted = Date.now();
      const warmups: string[] = [];
      let first: ServerSentEvent | null = null;
      while (!first) {
        const path = `/warmup/${warmups.length}.txt`;
        await uploadFile(commands, path, randomFile(200, 100), { user, clientId: "laptop" });
        warmups.push(path);
        first = await b.next(isChanges, { timeoutMs: 3000 }).catch(() => null);
        if (Date.now() - joinStarted > 30_000) throw new Error(`no notice reached the gateway within 30 s: ${JSON.stringify(b)}`);
      }
      console.info(
        `[stack] gateway heard its first Kafka notice ${Date.now() - joinStarted} ms after B connected (${warmups.length} upload(s))`,
      );
      // B pulls from its own cursor: every warm-up upload, even one whose hint it never got.
      const caught = await pullChanges(gateway, { user, cursor: start });
      expect(caught.changes.map((change) => change.path)).toEqual(warmups);
      let cursor = caught.cursor;

      const latencies: number[] = [];
      const uploaded = [];
      for (let i = 0; i < 6; i++) {
        const seen = b.events.length;
        const file = randomFile(3000 + i, 1024);
        const path = `/docs/from-laptop-${i}.bin`;
        const { result } = await uploadFile(commands, path, file, { user, clientId: "laptop" });
        const committed = Date.now();
        const hint = await b.next(isChanges, { from: seen, timeoutMs: 15_000 });
        latencies.push(Date.now() - committed);
        // The hint says "past your cursor"; B pulls and applies exactly the new change.
        const pulled = await pullChanges(gateway, { user, cursor });
        expect(pulled.changes).toEqual([expect.objectContaining({ kind: "upsert", path, fileId: result.fileId, revision: 1 })]);
        expect(pulled.cursor).toBe(cursorOf(hint));
        cursor = pulled.cursor;
        uploaded.push({ path, file });
      }
      console.info(`[stack] Kafka notice latency (A's commit answered → B's SSE event, across apps): ${summary(latencies)}`);

      // B downloads what A uploaded, from the gateway app's manifest and MinIO's presigned GETs.
      for (const { path, file } of uploaded.slice(-2)) {
        expect(Buffer.compare((await downloadFile(gateway, path, { user })).bytes, Buffer.from(file.bytes))).toBe(0);
      }
      // At-least-once delivery, but the stream never announces a cursor twice or goes backwards.
      const cursors = b.events.filter(isChanges).map((event) => positionOf(cursorOf(event)));
      expect(new Set(cursors).size).toBe(cursors.length);
      expect([...cursors].sort()).toEqual(cursors);
      expect((await pullChanges(gateway, { user, cursor })).changes).toEqual([]);
    });

    it("every gateway hears every notice (each is a consumer group of its own); other namespaces stay silent", async () => {
      const user = freshUser("fanout");
      const other = freshUser("fanout-other");
      const second = await startLedgerbox({ ...isolated.env, LEDGERBOX_ROLE: "query-api,push-gateway" }, dataDir);
      try {
        const start = (await gateway.api("GET", "/v1/changes/latest", { user })).body.cursor as string;
        const readers = [await stream(gateway, { user, cursor: start }), await stream(second, { user, cursor: start })];
        const bystander = await stream(gateway, { user: other, cursor: start });
        // Both consumers must have joined before the upload that is counted.
        await eventually(
          async () => {
            await uploadFile(commands, `/join-${Date.now()}.txt`, randomFile(100, 100), { user, clientId: "laptop" });
            return (
              await Promise.all(
                readers.map((r) =>
                  r.next(isChanges, { timeoutMs: 2500 }).then(
                    () => true,
                    () => false,
                  ),
                ),
              )
            ).every(Boolean);
          },
          30_000,
          "both gateways to hear a notice",
        );
        const seen = readers.map((reader) => reader.events.length);
        const { result } = await uploadFile(commands, "/both.txt", randomFile(500, 100), { user, clientId: "laptop" });
        const hints = await Promise.all(readers.map((reader, i) => reader.next(isChanges, { from: seen[i], timeoutMs: 15_000 })));
        expect(cursorOf(hints[0]!)).toBe(cursorOf(hints[1]!));
        const latest = await pullChanges(second, { user, cursor: start });
        expect(latest.changes.at(-1)).toMatchObject({ path: "/both.txt", fileId: result.fileId });
        expect(latest.cursor).toBe(cursorOf(hints[1]!));
        expect(bystander.events.filter(isChanges)).toEqual([]);
      } finally {
        await Promise.all(streams.splice(0).map((reader) => reader.close()));
        await second.close();
      }
    });
  },
);
