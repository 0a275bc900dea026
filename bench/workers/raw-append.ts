/**
 * The baseline for the command path: single-event appends straight to a SQLite event store (the
 * embedded default, group commit on), one stream per simulated client with its expected revision,
 * the same number of clients at once. No HTTP, no auth, no validation, no decide, no storage check.
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
  readonly warmup: number;
}

runWorker(async () => {
  const { file, clients, appendsPerClient, warmup } = await workerInput<Input>();
  const store = openSqliteEventStore(file);
  const revisions = new Array<number | "no_stream">(clients).fill("no_stream");
  const append = (client: number, index: number) => {
    const uploadId = `raw-${client}`;
    const metadata: EventMetadata = {
      actor: `user-${client}` as UserId,
      namespace: `ns-${client}` as Namespace,
      clientId: "bench-raw" as ClientId,
      correlationId: randomUUID(),
      at: new Date().toISOString(),
    };
    const data = { uploadId, index, sha256: "0".repeat(64), via: "client" };
    return store.append(`upload-${uploadId}`, [{ id: randomUUID(), type: "ChunkUploaded", data, metadata }], revisions[client]!);
  };
  const run = (from: number, to: number, latencies: number[] | null) =>
    Promise.all(
      Array.from({ length: clients }, async (_, client) => {
        for (let index = from; index < to; index++) {
          const started = performance.now();
          const result = await append(client, index);
          latencies?.push(performance.now() - started);
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
  await finish({ ms, appends: latencies.length, latencyMs: summarize(latencies), cpuMs: (used.user + used.system) / 1000 });
});
