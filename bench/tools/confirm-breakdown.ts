/**
 * Where a chunk confirmation's server CPU goes, in-process (app.inject: no sockets, no load
 * generator), so the figures hold on a busy machine: CPU µs per operation, not rates.
 *
 * Confirms one chunk per request, and `batch` chunks per request as the client does.
 *
 *   npx tsx bench/tools/confirm-breakdown.ts [uploads=32] [chunks=64] [chunksPerRequest=1,16] [roles=command-api,all]
 *
 * With CONFIRM_PROFILE=<dir>, each case's confirmations (and only they: not the set-up) are profiled
 * into <dir>/<roles>-<chunksPerRequest>.cpuprofile, for bench/tools/profile-summary.ts.
 */
import { createHash, randomUUID } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { Session } from "node:inspector/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { jwtVerify } from "jose";
import type { ClientId, EventMetadata, Namespace, UserId } from "../../domain/index.ts";
import { CONFIRM_BATCH_MAX, chunkKey } from "../../domain/index.ts";
import { buildApp } from "../../infra/app.ts";
import { loadConfig } from "../../infra/config.ts";
import { signToken } from "../../infra/dev-auth.ts";
import { createBlobFiles } from "../../infra/local-blobs/blob-files.ts";
import { openSqliteEventStore } from "../../infra/sqlite/event-store.ts";

const uploads = Number(process.argv[2] ?? 32);
const chunks = Number(process.argv[3] ?? 64);
const perRequestList = (process.argv[4] ?? `1,${CONFIRM_BATCH_MAX}`).split(",").map(Number);
const roleSets = (process.argv[5] ?? "command-api,all").split(",");
const SECRET = "bench-secret-0123456789-abcdefghijklmnop";

const profileDir = process.env.CONFIRM_PROFILE;

/** `work` under V8's sampling profiler when CONFIRM_PROFILE is set. */
async function profiled(name: string, work: () => Promise<void>): Promise<void> {
  if (!profileDir) return work();
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 100 });
  await session.post("Profiler.start");
  try {
    await work();
  } finally {
    const { profile } = await session.post("Profiler.stop");
    await mkdir(profileDir, { recursive: true });
    await writeFile(join(profileDir, `${name}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
}

async function cpuPer(n: number, work: () => Promise<void>): Promise<number> {
  const before = process.cpuUsage();
  await work();
  const used = process.cpuUsage(before);
  return Math.round((used.user + used.system) / n);
}

async function measure(roles: string, perRequest: number) {
  const dir = await mkdtemp(join(tmpdir(), "confirm-breakdown-"));
  const ledgerbox = await buildApp(
    loadConfig({ LEDGERBOX_DATA_DIR: dir, LEDGERBOX_AUTH_SECRET: SECRET, LEDGERBOX_ROLE: roles, LEDGERBOX_PORT: "0" }),
    { logger: false },
  );
  await ledgerbox.app.ready();
  const blobs = createBlobFiles(join(dir, "blobs"));
  const prepared: { token: string; uploadId: string }[] = [];
  for (let u = 0; u < uploads; u++) {
    const ns = `ns-${u}`;
    const token = await signToken(SECRET, { sub: ns, admin: true });
    const bytes = Array.from({ length: chunks }, (_, i) => Buffer.from(`${ns} ${i}`.padEnd(256, ".")));
    const specs = bytes.map((b, index) => ({ index, size: b.length, sha256: createHash("sha256").update(b).digest("hex") }));
    const created = await ledgerbox.app.inject({
      method: "POST",
      url: "/v1/uploads",
      headers: { authorization: `Bearer ${token}` },
      payload: { path: "/f.bin", size: bytes.reduce((s, b) => s + b.length, 0), chunks: specs },
    });
    for (const [i, spec] of specs.entries())
      await blobs.write(chunkKey(ns, spec.sha256), Readable.from([bytes[i]!]), { size: spec.size, sha256: spec.sha256 });
    prepared.push({ token, uploadId: created.json().uploadId });
  }
  const n = uploads * chunks;
  const inject = (token: string, method: "GET" | "POST", url: string, payload?: object) =>
    ledgerbox.app
      .inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload === undefined ? {} : { payload }) })
      .then((r) => {
        if (r.statusCode !== 200) throw new Error(`${url} → ${r.statusCode} ${r.body}`);
      });
  const floorPath = roles === "all" || roles.includes("query-api") ? "/v1/changes/latest" : "/v1/uploads/none/chunks/x";
  const floor =
    roles === "all" || roles.includes("query-api")
      ? await cpuPer(n, async () => {
          for (const { token } of prepared) for (let i = 0; i < chunks; i++) await inject(token, "GET", floorPath);
        })
      : null;
  // Every upload confirms its chunks one request after another; uploads run concurrently, as in the scenario.
  const confirm = await cpuPer(n, () =>
    profiled(`${roles}-${perRequest}`, () =>
      Promise.all(
        prepared.map(async ({ token, uploadId }) => {
          for (let i = 0; i < chunks; i += perRequest) {
            if (perRequest === 1) await inject(token, "POST", `/v1/uploads/${uploadId}/chunks/${i}`);
            else {
              const indexes = Array.from({ length: Math.min(perRequest, chunks - i) }, (_, k) => i + k);
              await inject(token, "POST", `/v1/uploads/${uploadId}/chunks`, { indexes });
            }
          }
        }),
      ).then(() => undefined),
    ),
  );
  // Let the projector finish what the confirms appended, and count that too.
  const settle = await cpuPer(n, () => new Promise((resolve) => setTimeout(resolve, 1500)));
  await ledgerbox.close();
  await rm(dir, { recursive: true, force: true });
  return { roles, chunksPerRequest: perRequest, authenticatedReadFloor: floor, confirm, projectingAfterwards: settle };
}

async function pieces() {
  const dir = await mkdtemp(join(tmpdir(), "confirm-pieces-"));
  const n = 4000;
  const key = new TextEncoder().encode(SECRET);
  const token = await signToken(SECRET, { sub: "u", admin: true });
  const jwtBytes = await cpuPer(n, async () => {
    for (let i = 0; i < n; i++) await jwtVerify(token, key, { algorithms: ["HS256"] });
  });
  const cryptoKey = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
  const jwtImported = await cpuPer(n, async () => {
    for (let i = 0; i < n; i++) await jwtVerify(token, cryptoKey, { algorithms: ["HS256"] });
  });
  const blobs = createBlobFiles(join(dir, "blobs"));
  const b = Buffer.from("x".repeat(256));
  const sha = createHash("sha256").update(b).digest("hex");
  await blobs.write(`ns/chunks/${sha}`, Readable.from([b]), { size: 256, sha256: sha });
  const stat = await cpuPer(n, async () => {
    for (let i = 0; i < n; i++) await blobs.stat(`ns/chunks/${sha}`);
  });
  // What a confirmation pays for a chunk this process has not verified yet (another process wrote it).
  const uncached = createBlobFiles(join(dir, "blobs"), { cachedDigests: 0 });
  const statUncached = await cpuPer(n, async () => {
    for (let i = 0; i < n; i++) await uncached.stat(`ns/chunks/${sha}`);
  });
  const store = openSqliteEventStore(join(dir, "events.db"));
  const metadata = {
    actor: "u" as UserId,
    namespace: "ns" as Namespace,
    clientId: "c" as ClientId,
    correlationId: "x",
    at: new Date().toISOString(),
  } as EventMetadata;
  let revision: number | "no_stream" = "no_stream";
  const appendAlone = await cpuPer(n / 4, async () => {
    for (let i = 0; i < n / 4; i++) {
      const r = await store.append(
        "upload-solo",
        [{ id: randomUUID(), type: "ChunkUploaded", data: { index: i }, metadata }],
        revision,
      );
      revision = r.lastRevision;
    }
  });
  await store.close();
  await rm(dir, { recursive: true, force: true });
  return {
    jwtVerifyWithRawSecret: jwtBytes,
    jwtVerifyWithImportedKey: jwtImported,
    localBlobStatCached: stat,
    localBlobStatUncached: statUncached,
    appendOneEventOneTransaction: appendAlone,
  };
}

console.log(JSON.stringify({ cpuMicrosEach: await pieces() }));
for (const perRequest of perRequestList) {
  for (const roles of roleSets) console.log(JSON.stringify(await measure(roles, perRequest)));
}
