/**
 * One upload through the real client library, as `ledgerbox put` runs it: a FileSource over the
 * file on disk, the resumable uploader recording in Dexie (fake-indexeddb, in memory), default
 * platform (global fetch, WebCrypto). Reports wall time, per-phase times and what went over the wire.
 */
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { createApi } from "../../client/api/index.ts";
import { fileSource } from "../../client/cli/node-source.ts";
import { defaultPlatform } from "../../client/platform/index.ts";
import { openStore } from "../../client/store/index.ts";
import { createUploader } from "../../client/upload/index.ts";
import { finish, runWorker, workerInput } from "./protocol.ts";

interface Input {
  readonly url: string;
  readonly token: string;
  readonly file: string;
  readonly path: string;
  readonly baseRevision?: number | null;
  /** Omitted: the uploader's default, as every client gets it. */
  readonly concurrency?: number;
  /** Omitted: the uploader's default (experiments only: bench/tools/upload-variants.ts). */
  readonly keepBytes?: number;
}

runWorker(async () => {
  const input = await workerInput<Input>();
  const platform = defaultPlatform();
  const api = createApi({ baseUrl: input.url, token: input.token, clientId: "bench-client", fetch: platform.fetch });
  const store = await openStore({ indexedDB: new IDBFactory(), IDBKeyRange, name: "bench" });
  const uploader = createUploader({
    api,
    db: store.db,
    platform,
    ...(input.concurrency === undefined ? {} : { concurrency: input.concurrency }),
    ...(input.keepBytes === undefined ? {} : { keepBytes: input.keepBytes }),
  });
  const source = await fileSource(input.file);
  const started = performance.now();
  const phases: Record<string, number> = {};
  const handle = uploader.upload({ source, path: input.path, baseRevision: input.baseRevision ?? null });
  handle.progress$.subscribe((progress) => {
    phases[progress.phase] ??= Math.round(performance.now() - started);
  });
  const outcome = await handle.done;
  const ms = performance.now() - started;
  await finish({ ms, outcome, counters: { ...uploader.counters }, phasesStartedAtMs: phases, size: source.size });
});
