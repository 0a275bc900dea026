import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { PlannedChunk } from "../data/chunk-plan.ts";
import { callApi, type Ticket } from "./api.ts";
import { startWorker } from "./child.ts";
import { freshNamespace } from "./ids.ts";
import type { ProcessMemory } from "./memory.ts";
import { profileArgs } from "./profile.ts";
import type { ServerProcess } from "./server.ts";
import { mibPerSecond } from "./stats.ts";

/** Chunks in flight on both sides: the uploader's default, and the baseline's pool size. */
export const UPLOAD_CONCURRENCY = 4;

export interface UploadRun {
  readonly namespace: string;
  readonly ms: number;
  readonly mibPerSecond: number;
  readonly memory: ProcessMemory;
}

export interface ClientUploadRun extends UploadRun {
  readonly bytesPut: number;
  readonly counters: Record<string, number>;
  readonly phasesStartedAtMs: Record<string, number>;
  readonly outcome: { revision: number; size: number; contentHash: string };
}

/** A ticket for the planned chunks in a fresh namespace, created before any timing: every chunk to PUT. */
export async function ticketFor(server: ServerProcess, plan: readonly PlannedChunk[]) {
  const namespace = freshNamespace("raw");
  const token = await server.token(namespace);
  const size = plan.reduce((sum, chunk) => sum + chunk.size, 0);
  const ticket = await callApi<Ticket>(server.url, token, "POST", "/v1/uploads", {
    path: "/large.bin",
    size,
    chunks: plan.map(({ index, size, sha256 }) => ({ index, size, sha256 })),
  });
  const puts = ticket.chunks.map((chunk) => {
    if (!chunk.upload) throw new Error(`chunk ${chunk.index} is ${chunk.status} in a fresh namespace`);
    return { ...plan[chunk.index]!, put: chunk.upload };
  });
  return { namespace, puts };
}

/** A PUT worker (raw-put.ts or scan-put.ts) over a fresh ticket, timed in its own process. */
async function timedPuts(
  worker: "raw-put.ts" | "scan-put.ts",
  server: ServerProcess,
  file: string,
  plan: readonly PlannedChunk[],
): Promise<UploadRun> {
  const { namespace, puts } = await ticketFor(server, plan);
  const child = startWorker(
    worker,
    { file, puts, concurrency: UPLOAD_CONCURRENCY },
    // Bundled like the client worker, so both processes carry the same runtime.
    { execArgv: profileArgs(worker.replace(/\.ts$/, "")), bundled: true },
  );
  const result = await child.next<{ type: "result"; ms: number; bytes: number; memory: ProcessMemory }>("result");
  await child.exited;
  return { namespace, ms: Math.round(result.ms), mibPerSecond: mibPerSecond(result.bytes, result.ms), memory: result.memory };
}

/** The baseline: only the PUTs of the planned chunks. */
export const rawPut = (server: ServerProcess, file: string, plan: readonly PlannedChunk[]): Promise<UploadRun> =>
  timedPuts("raw-put.ts", server, file, plan);

/** The content-addressed floor: the client's scan (cut search, SHA-256) feeding the same PUTs. */
export const scanPut = (server: ServerProcess, file: string, plan: readonly PlannedChunk[]): Promise<UploadRun> =>
  timedPuts("scan-put.ts", server, file, plan);

/** The real client library uploading `file` to `path` in `namespace` (fresh unless given). */
export async function clientUpload(
  server: ServerProcess,
  file: string,
  options: {
    namespace?: string;
    path?: string;
    baseRevision?: number | null;
    onStart?: (pid: number) => void;
    concurrency?: number;
    keepBytes?: number;
  } = {},
): Promise<ClientUploadRun> {
  const namespace = options.namespace ?? freshNamespace("client");
  const token = await server.token(namespace);
  const worker = startWorker(
    "client-upload.ts",
    {
      url: server.url,
      token,
      file,
      path: options.path ?? "/large.bin",
      // Omitted, the worker looks the path's revision up first, as `ledgerbox put` does.
      ...(options.baseRevision === undefined ? {} : { baseRevision: options.baseRevision }),
      concurrency: options.concurrency ?? UPLOAD_CONCURRENCY,
      ...(options.keepBytes === undefined ? {} : { keepBytes: options.keepBytes }),
    },
    // Bundled, as users' `ledgerbox` runs: the client's memory is measured without tsx in it.
    { execArgv: profileArgs("client-upload"), bundled: true },
  );
  options.onStart?.(worker.pid);
  const result = await worker.next<{
    type: "result";
    ms: number;
    size: number;
    counters: Record<string, number>;
    phasesStartedAtMs: Record<string, number>;
    outcome: { revision: number; size: number; contentHash: string };
    memory: ProcessMemory;
  }>("result");
  await worker.exited;
  return {
    namespace,
    ms: Math.round(result.ms),
    mibPerSecond: mibPerSecond(result.size, result.ms),
    memory: result.memory,
    bytesPut: result.counters.bytesPut ?? 0,
    counters: result.counters,
    phasesStartedAtMs: result.phasesStartedAtMs,
    outcome: result.outcome,
  };
}

/**
 * Deletes the blobs an embedded server (its local blob store under `<dataDir>/blobs`) stored for
 * `namespace`. What a run keeps on this disk makes the next writes cost the server more kernel
 * time: by the second round of 1 GiB uploads its system CPU was 3.2-4.1 against 1.5-2.0 ms per MiB
 * with each upload's blobs deleted after it, so without this the first raw round had a clean disk
 * and every later upload paid for those before it.
 */
export async function dropBlobs(server: ServerProcess, namespace: string): Promise<void> {
  await rm(join(server.dataDir, "blobs", namespace), { recursive: true, force: true });
}
