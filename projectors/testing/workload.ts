import fc from "fast-check";
import {
  type ClientId,
  conflictedCopyPath,
  decideFile,
  decideUpload,
  type EventMetadata,
  evolveFile,
  evolveUpload,
  type FileEvent,
  type FileId,
  type FileState,
  type FileVersion,
  fileStream,
  initialFileState,
  initialUploadState,
  type LedgerEvent,
  type Namespace,
  type NormalizedPath,
  pathKey,
  type Result,
  type Sha256Hex,
  type UploadEvent,
  type UploadId,
  type UploadState,
  type UserId,
  uploadStream,
} from "../../domain/index.ts";

/** What a user does; the simulation turns it into the events the deciders would write. */
export type Step =
  | { readonly op: "upload"; readonly path: number; readonly chunks: number; readonly stale: boolean; readonly abort: boolean }
  | { readonly op: "delete"; readonly path: number }
  | { readonly op: "move"; readonly from: number; readonly to: number }
  | { readonly op: "restore"; readonly path: number; readonly pick: number };

export interface LoggedEvent {
  readonly stream: string;
  readonly event: LedgerEvent;
  readonly metadata: EventMetadata;
}

export interface WorkloadShape {
  readonly namespaces: number;
  readonly paths: number;
}

const hex = (n: number): Sha256Hex => n.toString(16).padStart(64, "0") as Sha256Hex;
const value = <T>(result: Result<T>): T | null => (result.ok ? result.value : null);
const pathName = (i: number): NormalizedPath => `/dir${i % 7}/File ${i}.bin` as NormalizedPath;

/**
 * Runs user steps through the real deciders, so the log is one the command API could have
 * written: revisions, move pairs, restores and conflicted copies all follow the domain rules.
 * Steps a decider refuses leave no events, as a refused command would.
 */
export function simulate(steps: readonly Step[], shape: WorkloadShape = { namespaces: 2, paths: 6 }): LoggedEvent[] {
  const simulator = createSimulator(shape);
  for (const step of steps) simulator.step(step);
  return simulator.log;
}

/** The simulation, one step at a time, so a large workload is built in one pass. */
export function createSimulator(shape: WorkloadShape): { readonly log: LoggedEvent[]; step(step: Step): void } {
  const log: LoggedEvent[] = [];
  const files = new Map<string, FileState>();
  const versions = new Map<string, Map<number, FileVersion>>();
  let clock = Date.parse("2026-01-01T00:00:00.000Z");
  let uploads = 0;
  let ids = 0;
  let n = -1;

  const step = (step: Step): void => {
    n++;
    const namespace = `ns${n % shape.namespaces}` as Namespace;
    clock += 1000;
    const meta: EventMetadata = {
      actor: `user${n % 3}` as UserId,
      namespace,
      clientId: `client${n % 4}` as ClientId,
      correlationId: `corr-${n}`,
      at: new Date(clock).toISOString(),
    };
    const streamOf = (path: NormalizedPath): string => fileStream(namespace, pathKey(path));
    const stateOf = (path: NormalizedPath): FileState => files.get(streamOf(path)) ?? initialFileState;
    const writeFile = (path: NormalizedPath, events: readonly FileEvent[]): void => {
      const stream = streamOf(path);
      let state = stateOf(path);
      for (const event of events) {
        state = evolveFile(state, event);
        if (event.type !== "FileDeleted" && event.type !== "FileMovedOut") {
          const byRevision = versions.get(stream) ?? new Map();
          byRevision.set(event.data.revision, {
            size: event.data.size,
            contentHash: event.data.contentHash,
            chunks: event.data.chunks,
          });
          versions.set(stream, byRevision);
        }
        log.push({ stream, event, metadata: meta });
      }
      files.set(stream, state);
    };
    let upload: UploadState = initialUploadState;
    const writeUpload = (uploadId: UploadId, events: readonly UploadEvent[] | null): void => {
      for (const event of events ?? []) {
        upload = evolveUpload(upload, event);
        log.push({ stream: uploadStream(uploadId), event, metadata: meta });
      }
    };

    if (step.op === "upload") {
      const path = pathName(step.path % shape.paths);
      const uploadId = `upload-${String(++uploads).padStart(8, "0")}` as UploadId;
      const chunks = Array.from({ length: step.chunks }, (_, index) => ({
        index,
        size: 1000 + index,
        sha256: hex(n * 16 + index),
      }));
      const size = chunks.reduce((sum, c) => sum + c.size, 0);
      const contentHash = hex(1e9 + n);
      const expiresAt = new Date(clock + 3_600_000).toISOString();
      // The first chunk is often already stored in the namespace: it starts present.
      const present = step.chunks > 1 ? [0] : [];
      writeUpload(
        uploadId,
        value(
          decideUpload(
            upload,
            {
              type: "StartUpload",
              data: {
                uploadId,
                namespace,
                path,
                manifest: { size, chunks },
                contentHash,
                present,
                baseRevision: null,
                expiresAt,
              },
            },
            meta.at,
          ),
        ),
      );
      for (const chunk of chunks.slice(present.length)) {
        if (step.abort && chunk.index === chunks.length - 1) break;
        const stored = { size: chunk.size, sha256: chunk.sha256 };
        const command = { type: "ConfirmChunk" as const, data: { index: chunk.index, stored, via: "client" as const } };
        writeUpload(uploadId, value(decideUpload(upload, command, meta.at)));
      }
      if (step.abort) {
        writeUpload(uploadId, value(decideUpload(upload, { type: "AbortUpload" }, meta.at)));
        return;
      }
      const current = stateOf(path);
      const baseRevision = current.status === "live" ? current.revision - (step.stale ? 1 : 0) : null;
      const commit = (target: NormalizedPath, conflictOf: NormalizedPath | null) =>
        decideFile(stateOf(target), {
          type: "CommitVersion",
          data: {
            path: target,
            newFileId: `file-${++ids}` as FileId,
            uploadId,
            baseRevision: conflictOf === null ? baseRevision : null,
            version: { size, contentHash, chunks },
            conflictOf,
          },
        });
      let target = path;
      let committed = commit(path, null);
      if (!committed.ok && committed.error.code === "stale_base") {
        target = conflictedCopyPath(path, meta.at, meta.clientId);
        committed = commit(target, path);
      }
      const events = value(committed);
      if (events === null || events.length === 0) return;
      writeFile(target, events);
      const written = events[0]!;
      const result = {
        path: target,
        fileId: written.data.fileId,
        revision: written.data.revision,
        size,
        contentHash,
        conflict: target !== path,
      };
      writeUpload(uploadId, value(decideUpload(upload, { type: "CompleteUpload", data: { result } }, meta.at)));
    } else if (step.op === "delete") {
      const path = pathName(step.path % shape.paths);
      writeFile(path, value(decideFile(stateOf(path), { type: "DeleteFile", data: { baseRevision: null } })) ?? []);
    } else if (step.op === "move") {
      const from = pathName(step.from % shape.paths);
      const to = pathName(step.to % shape.paths);
      const source = stateOf(from);
      if (source.status !== "live" || pathKey(from) === pathKey(to)) return;
      const movedIn = value(
        decideFile(stateOf(to), { type: "MoveIn", data: { path: to, from, fileId: source.fileId, version: source.version } }),
      );
      if (movedIn === null || movedIn.length === 0) return;
      // The move-out is appended first, as the command API does: a reader never sees one file at two paths.
      writeFile(from, value(decideFile(source, { type: "MoveOut", data: { to, baseRevision: null } })) ?? []);
      writeFile(to, movedIn);
    } else {
      const path = pathName(step.path % shape.paths);
      const byRevision = versions.get(streamOf(path));
      if (!byRevision || byRevision.size === 0) return;
      const revisions = [...byRevision.keys()];
      const fromRevision = revisions[step.pick % revisions.length]!;
      const version = byRevision.get(fromRevision)!;
      const newFileId = `file-${++ids}` as FileId;
      writeFile(path, value(decideFile(stateOf(path), { type: "Restore", data: { fromRevision, version, newFileId } })) ?? []);
    }
  };
  return { log, step };
}

/** The live files the deciders' own state says each namespace holds, by pathKey. */
export function expectedListing(log: readonly LoggedEvent[]): Map<string, Map<string, FileState & { status: "live" }>> {
  const states = new Map<string, { namespace: string; state: FileState }>();
  for (const { stream, event, metadata } of log) {
    if (!stream.startsWith("file-")) continue;
    const previous = states.get(stream)?.state ?? initialFileState;
    states.set(stream, { namespace: metadata.namespace, state: evolveFile(previous, event as FileEvent) });
  }
  const out = new Map<string, Map<string, FileState & { status: "live" }>>();
  for (const { namespace, state } of states.values()) {
    if (state.status !== "live") continue;
    const listing = out.get(namespace) ?? new Map();
    listing.set(pathKey(state.path), state);
    out.set(namespace, listing);
  }
  return out;
}

export const arbitraryStep: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant("upload" as const),
      path: fc.nat(9),
      chunks: fc.integer({ min: 0, max: 3 }),
      stale: fc.boolean(),
      abort: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("delete" as const), path: fc.nat(9) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("move" as const), from: fc.nat(9), to: fc.nat(9) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("restore" as const), path: fc.nat(9), pick: fc.nat(9) }) },
);

/** A reproducible mixed workload of about `events` events, for runner tests and the benchmark. */
export function workload(events: number, seed = 1): LoggedEvent[] {
  let state = seed >>> 0 || 1;
  const next = (bound: number): number => {
    // xorshift32: fast, seedable, good enough to vary a workload.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % bound;
  };
  const shape = { namespaces: 20, paths: 5000 };
  const simulator = createSimulator(shape);
  while (simulator.log.length < events) {
    const roll = next(10);
    simulator.step(
      roll < 6
        ? { op: "upload", path: next(shape.paths), chunks: 1 + next(4), stale: next(10) === 0, abort: next(20) === 0 }
        : roll < 7
          ? { op: "delete", path: next(shape.paths) }
          : roll < 9
            ? { op: "move", from: next(shape.paths), to: next(shape.paths) }
            : { op: "restore", path: next(shape.paths), pick: next(5) },
    );
  }
  return simulator.log.slice(0, events);
}
