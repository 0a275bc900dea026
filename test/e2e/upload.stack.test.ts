import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openEventLog } from "../support/event-log.ts";
import {
  type Chunked,
  downloadFile,
  eventually,
  manifestOf,
  putChunk,
  randomFile,
  sha256,
  uploadFile,
} from "../support/http-upload.ts";
import { type RunningLedgerbox, removeDir, startLedgerbox } from "../support/ledgerbox.ts";
import { type ChildLedgerbox, childLedgerbox, portBusy } from "../support/process.ts";
import { s3ClientOf, s3SettingsOf } from "../support/stack-env.ts";
import {
  exposeS3Credentials,
  freshUser,
  type IsolatedStack,
  isolatedStack,
  stackAvailability,
  warnStackSkipped,
} from "../support/stack-server.ts";
import { applyChanges, byPath, historyAll, listAll, pullChanges } from "../support/sync-reads.ts";

const stack = await stackAvailability();
warnStackSkipped("upload e2e on the real stack (upload.stack.test.ts)", stack);

// MinIO's webhook target is fixed when it starts (infra/local/up.sh): the server that receives
// bucket notifications must listen exactly there.
const NOTIFY_URL = new URL(process.env.LEDGERBOX_NOTIFY_URL ?? "http://127.0.0.1:8080/v1/storage/notifications");
const notifyPort = Number(NOTIFY_URL.port || 80);
const notifyBlocker = !stack.reachable
  ? stack.reason
  : !stack.settings.STORAGE_NOTIFY_TOKEN
    ? "STORAGE_NOTIFY_TOKEN is not set (environment or .ledgerbox-stack.env)"
    : NOTIFY_URL.hostname !== "127.0.0.1"
      ? `MinIO notifies ${NOTIFY_URL.href}, not a local port this test can listen on`
      : await portBusy(notifyPort);
if (notifyBlocker) console.warn(`[stack] skipping storage notifications (upload.stack.test.ts): ${notifyBlocker}`);

/**
 * The server MinIO notifies starts with the file, not with its tests: MinIO queues events on disk
 * while nothing listens (every stack run adds hundreds) and replays them once something does, so
 * the backlog drains while the other tests run.
 */
let notifyIsolated: IsolatedStack | null = null;
let notifyServer: Promise<ChildLedgerbox> | null = null;
beforeAll(() => {
  if (notifyBlocker !== null) return;
  const isolated = isolatedStack(stack, { label: "notify" });
  notifyIsolated = isolated;
  notifyServer = (async () => {
    // `npm start` itself, on the port MinIO calls, with the token MinIO sends.
    const child = await childLedgerbox({
      name: "notify",
      port: notifyPort,
      env: { ...isolated.env, STORAGE_NOTIFY_TOKEN: stack.settings.STORAGE_NOTIFY_TOKEN ?? "" },
    });
    await child.start();
    return child;
  })();
  // Reported by the test that awaits it.
  notifyServer.catch(() => undefined);
});
afterAll(async () => {
  const child = await notifyServer?.catch(() => null);
  await child?.stop();
  // Its data directory is a fresh temporary one: every stack run used to leave it behind.
  if (child) await removeDir(child.dataDir);
  await notifyIsolated?.cleanup();
});

/** Storage notifications this server has answered so far (from its /metrics). */
async function notificationsReceived(server: ChildLedgerbox): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  let total = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith("ledgerbox_http_requests_total{") && line.includes('route="/v1/storage/notifications"')) {
      total += Number(line.slice(line.lastIndexOf(" ") + 1));
    }
  }
  return total;
}

type ChunkInstruction = {
  index: number;
  status: string;
  sha256: string;
  upload?: { url: string; headers: Record<string, string> };
};

/** Download once the read models serve the path (they follow the log, a little behind). */
async function downloadWhenListed(server: RunningLedgerbox, path: string, user: string) {
  await eventually(
    async () => (await server.api("GET", `/v1/files/meta?path=${encodeURIComponent(path)}`, { user })).status === 200,
    10_000,
    `${path} in the read models`,
  );
  return downloadFile(server, path, { user });
}

const contentHashOf = (file: Chunked) => sha256(Buffer.concat(file.chunks.map((chunk) => Buffer.from(chunk.sha256, "hex"))));

/** An S3 client of the test's own: what is in the bucket is checked without going through Ledgerbox. */
function bucketProbe() {
  const s3 = s3SettingsOf(stack.settings);
  const client = s3ClientOf(s3);
  return {
    async exists(key: string): Promise<boolean> {
      try {
        await client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: key }));
        return true;
      } catch (error) {
        if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
        throw error;
      }
    },
    close: () => client.destroy(),
  };
}

describe.skipIf(!stack.reachable)("upload flow on the real stack: MinIO blobs, Kafka bus, FerretDB read models", () => {
  let isolated: IsolatedStack;
  let server: RunningLedgerbox;
  let bucket: ReturnType<typeof bucketProbe>;

  beforeAll(async () => {
    isolated = isolatedStack(stack, { label: "upload" });
    exposeS3Credentials(stack.settings);
    server = await startLedgerbox(isolated.env);
    bucket = bucketProbe();
    console.info(
      `[stack] upload e2e: S3 ${stack.settings.S3_ENDPOINT}/${stack.settings.S3_BUCKET}, Kafka topic ${isolated.topic}, MongoDB database ${isolated.database}`,
    );
  });
  afterAll(async () => {
    await server?.close();
    bucket?.close();
    await isolated?.cleanup();
  });

  it("uploads through presigned MinIO PUTs bound to the chunk's SHA-256, then lists and downloads byte-for-byte", async () => {
    const user = freshUser("up");
    const file = randomFile(300_000, 64 * 1024);
    const created = await server.api("POST", "/v1/uploads", { user, body: manifestOf(file, "/docs/report.bin") });
    expect(created.status).toBe(201);
    const s3 = new URL(stack.settings.S3_ENDPOINT ?? "");
    for (const chunk of created.body.chunks as ChunkInstruction[]) {
      expect(chunk.status).toBe("missing");
      const url = new URL(chunk.upload?.url ?? "");
      // Straight to MinIO, for exactly this namespace's content-addressed key.
      expect(url.host).toBe(s3.host);
      expect(url.pathname).toBe(`/${stack.settings.S3_BUCKET}/${user}/chunks/${chunk.sha256}`);
      expect(chunk.upload?.headers["x-amz-checksum-sha256"]).toBe(Buffer.from(chunk.sha256, "hex").toString("base64"));
      expect(await putChunk(chunk, file.chunks[chunk.index]!.bytes)).toBe(200);
      const confirmed = await server.api("POST", `/v1/uploads/${created.body.uploadId}/chunks/${chunk.index}`, { user });
      expect(confirmed).toMatchObject({ status: 200, body: { index: chunk.index, status: "uploaded" } });
      expect(await bucket.exists(`${user}/chunks/${chunk.sha256}`)).toBe(true);
    }
    const completed = await server.api("POST", `/v1/uploads/${created.body.uploadId}/complete`, { user });
    expect(completed.status).toBe(200);
    expect(completed.body).toMatchObject({
      path: "/docs/report.bin",
      revision: 1,
      size: 300_000,
      conflict: false,
      contentHash: contentHashOf(file),
    });

    const listed = await eventually(async () => {
      const files = await listAll(server, { user });
      return files.length === 1 ? files : null;
    }, 10_000);
    expect(listed[0]).toMatchObject({ path: "/docs/report.bin", fileId: completed.body.fileId, revision: 1, size: 300_000 });

    const downloaded = await downloadWhenListed(server, "/docs/report.bin", user);
    for (const chunk of downloaded.meta.chunks as { url: string }[]) expect(new URL(chunk.url).host).toBe(s3.host);
    expect(Buffer.compare(downloaded.bytes, Buffer.from(file.bytes))).toBe(0);
    expect(downloaded.meta.contentHash).toBe(contentHashOf(file));
  });

  it("reports chunks already in the namespace's bucket prefix as present, and never dedups across namespaces", async () => {
    const user = freshUser("dedup");
    const file = randomFile(200_000, 64 * 1024);
    const first = await uploadFile(server, "/a.bin", file, { user });
    expect(first.sent).toBe(4);
    // Half of the chunks again, plus one new one: only the new one is asked for.
    const parts = [...file.chunks.slice(0, 2), ...randomFile(1000, 1000).chunks];
    const reordered: Chunked = {
      bytes: Buffer.concat(parts.map((chunk) => chunk.bytes)),
      chunks: parts.map((chunk, index) => ({ ...chunk, index })),
    };
    const second = await uploadFile(server, "/b.bin", reordered, { user });
    expect(second.created.chunks.map((chunk: ChunkInstruction) => chunk.status)).toEqual(["present", "present", "missing"]);
    expect(second.sent).toBe(1);
    expect(second.created.chunks.filter((chunk: ChunkInstruction) => chunk.upload).length).toBe(1);
    const again = await uploadFile(server, "/c.bin", file, { user });
    expect(again.sent).toBe(0);
    expect(again.result.contentHash).toBe(first.result.contentHash);
    expect(Buffer.compare((await downloadWhenListed(server, "/b.bin", user)).bytes, Buffer.from(reordered.bytes))).toBe(0);

    const other = await server.api("POST", "/v1/uploads", { user: freshUser("dedup-other"), body: manifestOf(file, "/a.bin") });
    expect(other.body.chunks.map((chunk: ChunkInstruction) => chunk.status)).toEqual([
      "missing",
      "missing",
      "missing",
      "missing",
    ]);
  });

  it("resumes an interrupted upload from GET /v1/uploads/{id}, sending only what is missing", async () => {
    const user = freshUser("resume");
    const file = randomFile(200_000, 50_000);
    const created = await server.api("POST", "/v1/uploads", { user, body: manifestOf(file, "/resume.bin") });
    const { uploadId } = created.body;
    for (const index of [0, 1]) {
      expect(await putChunk(created.body.chunks[index], file.chunks[index]!.bytes)).toBe(200);
      expect((await server.api("POST", `/v1/uploads/${uploadId}/chunks/${index}`, { user })).status).toBe(200);
    }
    const early = await server.api("POST", `/v1/uploads/${uploadId}/complete`, { user });
    expect(early).toMatchObject({ status: 409, body: { error: "chunks_missing", missing: [2, 3] } });

    // A new session knows only the upload id: the status (read from FerretDB) says what to send.
    const status = await eventually(async () => {
      const { body } = await server.api("GET", `/v1/uploads/${uploadId}`, { user });
      return body.chunks?.filter((chunk: ChunkInstruction) => chunk.status === "uploaded").length === 2 ? body : null;
    }, 10_000);
    expect(status).toMatchObject({ uploadId, path: "/resume.bin", status: "open" });
    const missing = status.chunks.filter((chunk: ChunkInstruction) => chunk.status === "missing");
    expect(missing.map((chunk: ChunkInstruction) => chunk.index)).toEqual([2, 3]);
    for (const chunk of missing) {
      expect(await putChunk(chunk, file.chunks[chunk.index]!.bytes)).toBe(200);
      expect((await server.api("POST", `/v1/uploads/${uploadId}/chunks/${chunk.index}`, { user })).status).toBe(200);
    }
    const completed = await server.api("POST", `/v1/uploads/${uploadId}/complete`, { user });
    expect(completed.status).toBe(200);
    // Completing twice (a retried request) answers the same and commits nothing more.
    expect(await server.api("POST", `/v1/uploads/${uploadId}/complete`, { user })).toMatchObject({
      status: 200,
      body: completed.body,
    });
    expect(Buffer.compare((await downloadWhenListed(server, "/resume.bin", user)).bytes, Buffer.from(file.bytes))).toBe(0);
    const history = await eventually(async () => {
      const entries = await historyAll(server, "/resume.bin", { user });
      return entries.length > 0 ? entries : null;
    }, 10_000);
    expect(history.filter((entry) => entry.type === "FileVersionCommitted")).toHaveLength(1);
  });

  it("commits a stale base revision as a conflicted copy beside the original; both clients converge", async () => {
    const user = freshUser("conflict");
    const first = await uploadFile(server, "/shared/plan.txt", randomFile(10_000), { user, clientId: "laptop" });
    const mine = await uploadFile(server, "/shared/plan.txt", randomFile(10_000), {
      user,
      clientId: "laptop",
      baseRevision: first.result.revision,
    });
    expect(mine.result).toMatchObject({ path: "/shared/plan.txt", revision: 2, conflict: false });
    const theirsFile = randomFile(10_000);
    const theirs = await uploadFile(server, "/shared/plan.txt", theirsFile, {
      user,
      clientId: "phone",
      baseRevision: first.result.revision,
    });
    expect(theirs.result.conflict).toBe(true);
    expect(theirs.result.path).toMatch(/^\/shared\/plan \(conflicted copy \d{4}-\d{2}-\d{2} phone\)\.txt$/);
    const listing = await eventually(async () => {
      const files = await listAll(server, { user, prefix: "/shared/" });
      return files.length === 2 ? files : null;
    }, 10_000);
    expect(listing.map((file) => file.path).sort()).toEqual([theirs.result.path, "/shared/plan.txt"].sort());
    expect(listing.find((file) => file.path === "/shared/plan.txt")?.revision).toBe(2);
    // Both clients pull the same feed and end with the same listing. The MongoDB read models have no
    // transactions: the feed takes a batch's changes only after its files, so it may still be a
    // moment behind the listing just read.
    const applied = await eventually(async () => {
      const files = byPath([...applyChanges((await pullChanges(server, { user })).changes).values()]);
      return files.length === 2 ? files : null;
    }, 10_000);
    expect(applied.map(({ path, revision }) => ({ path, revision }))).toEqual(
      byPath(listing).map(({ path, revision }) => ({ path, revision })),
    );
    expect(
      Buffer.compare((await downloadWhenListed(server, theirs.result.path, user)).bytes, Buffer.from(theirsFile.bytes)),
    ).toBe(0);
  });

  it("pages getChange in log order; applying every page yields the listing; cursors survive a read-model rebuild", async () => {
    const user = freshUser("feed");
    const uploaded: string[] = [];
    for (let i = 0; i < 7; i++) {
      await uploadFile(server, `/feed/f${i}.txt`, randomFile(500 + i, 256), { user });
      uploaded.push(`/feed/f${i}.txt`);
    }
    const updated = await uploadFile(server, "/feed/f1.txt", randomFile(900, 256), { user, baseRevision: 1 });
    expect(updated.result.revision).toBe(2);
    for (const [route, body] of [
      ["/v1/files/delete", { path: "/feed/f2.txt" }],
      ["/v1/files/move", { from: "/feed/f3.txt", to: "/feed/moved.txt" }],
    ] as const) {
      expect((await server.api("POST", route, { user, body })).status).toBe(200);
    }
    const feed = await eventually(async () => {
      const pulled = await pullChanges(server, { user, limit: 2 });
      return pulled.changes.length === 11 ? pulled : null;
    }, 10_000);
    expect(feed.pages.slice(0, -1).every((page) => page.changes.length === 2 && page.hasMore)).toBe(true);
    expect(feed.pages.at(-1)?.hasMore).toBe(false);
    expect(feed.changes.map((change) => `${change.kind} ${change.path}`)).toEqual([
      ...uploaded.map((path) => `upsert ${path}`),
      "upsert /feed/f1.txt",
      "delete /feed/f2.txt",
      "delete /feed/f3.txt",
      "upsert /feed/moved.txt",
    ]);
    expect(feed.changes.slice(0, 8).map((change) => change.revision)).toEqual([1, 1, 1, 1, 1, 1, 1, 2]);
    const moved = feed.changes.slice(-2);
    expect(moved[0]?.fileId).toBe(moved[1]?.fileId);

    const listing = await listAll(server, { user, limit: 3 });
    const applied = byPath([...applyChanges(feed.changes).values()]);
    expect(applied.map(({ path, fileId, revision, contentHash }) => ({ path, fileId, revision, contentHash }))).toEqual(
      listing.map(({ path, fileId, revision, contentHash }) => ({ path, fileId, revision, contentHash })),
    );
    expect((await server.api("GET", "/v1/changes/latest", { user })).body.cursor).toBe(feed.cursor);
    expect((await pullChanges(server, { user, cursor: feed.cursor })).changes).toEqual([]);
    expect((await server.api("GET", "/v1/changes?cursor=not-a-cursor", { user })).status).toBe(400);

    // Rebuild FerretDB's read models from the log: every cursor handed out before pages the same.
    const admin = await server.token("ops", { admin: true });
    expect((await server.api("POST", "/v1/admin/projections/rebuild", { token: admin })).status).toBe(202);
    let progress: unknown = null;
    await eventually(
      async () => {
        const { body } = await server.api("GET", "/v1/admin/projections", { token: admin });
        progress = body;
        if (body.rebuild?.state === "failed") throw new Error(`rebuild failed: ${JSON.stringify(body.rebuild)}`);
        return body.rebuild?.finishedAt && body.lag === 0;
      },
      20_000,
      "the rebuild to finish",
    ).catch((error: Error) => {
      throw new Error(`${error.message}; last status: ${JSON.stringify(progress)}`);
    });
    const rebuilt = await pullChanges(server, { user, limit: 2 });
    expect(rebuilt.pages).toEqual(feed.pages);
    for (let i = 0; i < feed.pages.length - 1; i++) {
      const page = await server.api("GET", `/v1/changes?limit=2&cursor=${encodeURIComponent(feed.pages[i]!.cursor)}`, { user });
      expect(page.body).toEqual(feed.pages[i + 1]);
    }
  });

  it("MinIO refuses wrong bytes on a presigned PUT and stores nothing; the server will not confirm them", async () => {
    const user = freshUser("tamper");
    const file = randomFile(3 * 4096, 4096);
    const created = await server.api("POST", "/v1/uploads", { user, body: manifestOf(file, "/tamper.bin") });
    const [first, second] = created.body.chunks as ChunkInstruction[];
    const key = `${user}/chunks/${first!.sha256}`;
    const right = file.chunks[0]!.bytes;

    const flipped = Buffer.from(right);
    flipped[100] = (flipped[100] ?? 0) ^ 0xff;
    const attempts = {
      "same length, one byte flipped": await putChunk(first!, flipped),
      "another chunk's bytes": await putChunk(first!, file.chunks[1]!.bytes),
      "one byte short": await putChunk(first!, right.subarray(0, right.length - 1)),
      "one byte more": await putChunk(first!, Buffer.concat([right, Buffer.from([0])])),
      "without the checksum header": await fetch(first!.upload?.url ?? "", { method: "PUT", body: flipped as BodyInit }).then(
        async (response) => {
          await response.arrayBuffer();
          return response.status;
        },
      ),
    };
    for (const [what, status] of Object.entries(attempts)) {
      expect({ what, refused: status >= 400 && status < 500 }).toEqual({ what, refused: true });
    }
    // The URL names one key: pointing it at another key breaks the signature.
    const elsewhere = new URL(first!.upload?.url ?? "");
    elsewhere.pathname = elsewhere.pathname.replace(first!.sha256, second!.sha256);
    const moved = await fetch(elsewhere, {
      method: "PUT",
      headers: first!.upload?.headers,
      body: file.chunks[1]!.bytes as BodyInit,
    });
    await moved.arrayBuffer();
    expect(moved.status).toBe(403);

    expect(await bucket.exists(key)).toBe(false);
    expect(await bucket.exists(`${user}/chunks/${second!.sha256}`)).toBe(false);
    const confirm = await server.api("POST", `/v1/uploads/${created.body.uploadId}/chunks/0`, { user });
    expect(confirm.status).toBe(409);
    const complete = await server.api("POST", `/v1/uploads/${created.body.uploadId}/complete`, { user });
    expect(complete).toMatchObject({ status: 409, body: { error: "chunks_missing", missing: [0, 1, 2] } });

    // The right bytes still go through the same URL.
    expect(await putChunk(first!, right)).toBe(200);
    expect(await bucket.exists(key)).toBe(true);
    expect((await server.api("POST", `/v1/uploads/${created.body.uploadId}/chunks/0`, { user })).body).toEqual({
      index: 0,
      status: "uploaded",
    });
  });
});

describe.skipIf(notifyBlocker !== null)(`storage notifications: MinIO's webhook to ${NOTIFY_URL.href}`, () => {
  let child: ChildLedgerbox;
  beforeAll(async () => {
    if (!notifyServer) throw new Error("the notification server was not started");
    child = await notifyServer;
  });

  it("rejects a notification without the storage token", async () => {
    const body = { Records: [] };
    expect((await child.server.api("POST", "/v1/storage/notifications", { token: null, body })).status).toBe(401);
    expect((await child.server.api("POST", "/v1/storage/notifications", { token: "wrong", body })).status).toBe(401);
  });

  it("confirms chunks PUT to MinIO from the bucket notification alone, without the client's confirm call", async () => {
    const server = child.server;
    const user = freshUser("notify");
    const file = randomFile(3 * 20_000, 20_000);
    const created = await server.api("POST", "/v1/uploads", { user, body: manifestOf(file, "/notified.bin") });
    expect(created.status).toBe(201);
    const { uploadId } = created.body;
    const received = await notificationsReceived(child);
    const started = Date.now();
    for (const chunk of created.body.chunks as ChunkInstruction[]) {
      expect(await putChunk(chunk, file.chunks[chunk.index]!.bytes)).toBe(200);
    }
    // MinIO queues events on disk while nobody listens, so a backlog of other runs' keys may
    // arrive first; the server ignores keys no open upload waits for.
    const status = await eventually(
      async () => {
        const { body } = await server.api("GET", `/v1/uploads/${uploadId}`, { user });
        return body.chunks?.every((chunk: ChunkInstruction) => chunk.status === "uploaded") ? body : null;
      },
      60_000,
      "MinIO's notifications to confirm every chunk",
    );
    const delivered = (await notificationsReceived(child)) - received;
    console.info(
      `[stack] storage notifications confirmed ${status.chunks.length} chunks ${Date.now() - started} ms after the PUTs (MinIO delivered ${delivered} notifications meanwhile, ${received} before: other runs' backlog)`,
    );
    const completed = await server.api("POST", `/v1/uploads/${uploadId}/complete`, { user });
    expect(completed).toMatchObject({
      status: 200,
      body: { path: "/notified.bin", revision: 1, contentHash: contentHashOf(file) },
    });

    // The log says who confirmed: storage, never the client.
    const log = openEventLog(server);
    try {
      const confirmations = log.events({ stream: `upload-${uploadId}`, type: "ChunkUploaded" });
      expect(confirmations.map((event) => [event.data.index, event.data.via]).sort()).toEqual([
        [0, "storage"],
        [1, "storage"],
        [2, "storage"],
      ]);
    } finally {
      log.close();
    }
    // A late client confirm is idempotent.
    expect((await server.api("POST", `/v1/uploads/${uploadId}/chunks/1`, { user })).status).toBe(200);
    expect(Buffer.compare((await downloadWhenListed(server, "/notified.bin", user)).bytes, Buffer.from(file.bytes))).toBe(0);
  }, 90_000);
});
