/**
 * The baseline for the command path: single-event appends straight to a SQLite event store (the
 * embedded default, group commit on), one stream per simulated client with its expected revision,
 * the same number of clients at once. No HTTP, no auth, no validation, no decide, no storage check.
 * With `batch`, each append carries that many events (one transaction, one expected revision), as
 * a batch confirmation appends them.
 */
import { randomUUID } from "node:crypto";
import type { ClientId, EventMetadata, Namespace, UserId } from "../../domain/index.ts";
import { openSqliteEventStore } from "../../infra/sqlite/event-store.ts";
import { summarize } from "../harness/stats.ts";
import { finish, runWorker, workerInput } from "./protocol.ts";

interface Input {
  readonly file: string;
  readonly clients: number;
  readonly appendsPerClient: number;
  /** Events per client before the timed window opens. */
  readonly warmup: number;
  /** Events per append; default 1. */
  readonly batch?: number;
}

runWorker(async () => {
  const { file, clients, appendsPerClient, warmup, batch = 1 } = await workerInput<Input>();
  const store = openSqliteEventStore(file);
  const revisions = new Array<number | "no_stream">(clients).fill("no_stream");
  const append = (client: number, from: number, to: number) => {
    const uploadId = `raw-${client}`;
    const metadata: EventMetadata = {
      actor: `user-${client}` as UserId,
      namespace: `ns-${client}` as Namespace,
      clientId: "bench-raw" as ClientId,
      correlationId: randomUUID(),
      at: new Date().toISOString(),
    };
    const events = Array.from({ length: to - from }, (_, i) => ({
      id: randomUUID(),
      type: "ChunkUploaded",
      data: { uploadId, index: from + i, sha256: "0".repeat(64), via: "client" },
      metadata,
    }));
    return store.append(`upload-${uploadId}`, events, revisions[client]!);
  };
  const counts = { appends: 0, events: 0 };
  const run = (from: number, to: number, latencies: number[] | null) =>
    Promise.all(
      Array.from({ length: clients }, async (_, client) => {
        for (let index = from; index < to; index += batch) {
          const end = Math.min(index + batch, to);
          const started = performance.now();
          const result = await append(client, index, end);
          if (latencies) {
            latencies.push(performance.now() - started);
            counts.appends++;
            counts.events += end - index;
          }
          revisions[client] = result.lastRevision;
        }
      }),
    );
  await run(0, warmup, null);
  const latencies: number[] = [];
  const cpu = process.cpuUsage();
  const started = performance.now();
  await run(warmup, appendsPerClient, latencies);
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  await store.close();
  // `appends` counts events (what a confirmation appends), `transactions` the appends that carried them.
  await finish({
    ms,
    appends: counts.events,
    transactions: counts.appends,
    latencyMs: summarize(latencies),
    cpuMs: (used.user + used.system) / 1000,
  });
});
