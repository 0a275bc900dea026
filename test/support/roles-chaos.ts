import { logPosition } from "../../domain/position.ts";
import { type Chunked, manifestOf, randomFile } from "./http-upload.ts";
import type { RunningLedgerbox } from "./ledgerbox.ts";
import type { ChildLedgerbox } from "./process.ts";
import { openEventStream } from "./sse.ts";
import type { Change } from "./sync-reads.ts";

/**
 * A client that keeps uploading, following the change feed and listening for push hints while
 * the test kills Ledgerbox's role processes under it. Like a real client it retries what failed
 * because a server was down (connection refused or reset, 5xx) and counts every retry; anything
 * else (a 4xx, a conflict it did not cause) is a bug and stops the run.
 */

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface Retry {
  readonly step: string;
  readonly reason: string;
  readonly at: number;
  /** The role process most recently killed when this failed. */
  readonly during: string;
}

export class ChaosLog {
  readonly retries: Retry[] = [];
  /** Label for failures from now on (the role that was just killed). */
  during = "steady";
  record(step: string, reason: string): void {
    this.retries.push({ step, reason, at: Date.now(), during: this.during });
  }
  /** `{ "command-api": { create: 3, put: 1 }, … }` */
  byRole(): Record<string, Record<string, number>> {
    const table: Record<string, Record<string, number>> = {};
    for (const { step, during } of this.retries) {
      const row = table[during] ?? {};
      row[step] = (row[step] ?? 0) + 1;
      table[during] = row;
    }
    return table;
  }
}

/** An HTTP answer as the harness's `api` gives it (JSON body, shape up to the route). */
type Answer = Pick<Awaited<ReturnType<RunningLedgerbox["api"]>>, "status" | "body">;

class FatalAnswer extends Error {
  override readonly name = "FatalAnswer";
}

const isTransientStatus = (status: number) => status >= 500 || status === 429;

/** Runs `call` until it answers `expected`; transient failures are retried and logged. */
async function retrying(log: ChaosLog, step: string, call: () => Promise<Answer>, expected: number): Promise<Answer> {
  for (let attempt = 0; ; attempt++) {
    let answer: Answer;
    try {
      answer = await call();
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      log.record(step, cause ?? (error as Error).name ?? String(error));
      await sleep(Math.min(500, 50 * 2 ** Math.min(attempt, 4)));
      continue;
    }
    if (answer.status === expected) return answer;
    if (!isTransientStatus(answer.status)) {
      throw new FatalAnswer(`${step} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    }
    log.record(step, `HTTP ${answer.status}`);
    await sleep(Math.min(500, 50 * 2 ** Math.min(attempt, 4)));
  }
}

async function putBytes(url: string, headers: Record<string, string>, bytes: Uint8Array): Promise<Answer> {
  const response = await fetch(url, { method: "PUT", headers, body: bytes as BodyInit, signal: AbortSignal.timeout(15_000) });
  const text = await response.text();
  return { status: response.status === 201 || response.status === 204 ? 200 : response.status, body: text.slice(0, 300) };
}

export interface CompletedUpload {
  readonly writer: number;
  readonly path: string;
  readonly uploadId: string;
  readonly revision: number;
  readonly fileId: string;
  readonly contentHash: string;
  readonly size: number;
  readonly baseRevision: number | null;
}

export interface WriterOptions {
  readonly writer: number;
  readonly commands: RunningLedgerbox;
  readonly user: string;
  readonly paths: readonly string[];
  readonly log: ChaosLog;
  readonly stopped: () => boolean;
  readonly completed: CompletedUpload[];
  /** Pause between uploads (keeps a slow read store from falling far behind). */
  readonly pauseMs?: number;
}

/** Uploads new revisions of its own paths, round robin, until stopped; each upload runs to completion. */
export async function writer(options: WriterOptions): Promise<void> {
  const { commands, user, log } = options;
  const who = { user, clientId: `writer-${options.writer}` };
  const revisions = new Map<string, number>();
  for (let n = 0; !options.stopped(); n++) {
    const path = options.paths[n % options.paths.length]!;
    const base = revisions.get(path) ?? null;
    const file: Chunked = randomFile(1500 + Math.floor(Math.random() * 6000), 2048);
    const created = await retrying(
      log,
      "create",
      () => commands.api("POST", "/v1/uploads", { ...who, body: manifestOf(file, path, { baseRevision: base }) }),
      201,
    );
    const { uploadId } = created.body as { uploadId: string };
    for (const chunk of created.body.chunks as {
      index: number;
      status: string;
      upload?: { url: string; headers: Record<string, string> };
    }[]) {
      if (chunk.status !== "missing" || !chunk.upload) continue;
      const { url, headers } = chunk.upload;
      await retrying(log, "put", () => putBytes(url, headers, file.chunks[chunk.index]!.bytes), 200);
      await retrying(log, "confirm", () => commands.api("POST", `/v1/uploads/${uploadId}/chunks/${chunk.index}`, who), 200);
    }
    // A lost answer to complete is retried on the same upload: completing is idempotent.
    const done = await retrying(log, "complete", () => commands.api("POST", `/v1/uploads/${uploadId}/complete`, who), 200);
    const result = done.body as {
      path: string;
      revision: number;
      fileId: string;
      contentHash: string;
      size: number;
      conflict: boolean;
    };
    if (result.conflict || result.path !== path) {
      throw new FatalAnswer(
        `upload ${uploadId} of ${path} on base ${base} became ${JSON.stringify(result)}: nobody else writes that path`,
      );
    }
    if (result.revision !== (base ?? 0) + 1) {
      throw new FatalAnswer(`upload ${uploadId} of ${path} on base ${base} was committed as revision ${result.revision}`);
    }
    revisions.set(path, result.revision);
    options.completed.push({ writer: options.writer, uploadId, baseRevision: base, ...result });
    if (options.pauseMs) await sleep(options.pauseMs);
  }
}

export interface FollowerState {
  cursor: string | undefined;
  readonly changes: Change[];
  pulls: number;
}

/**
 * Follows /v1/changes from the start as a sync client does, applying every page; keeps going
 * across query-api restarts. After `stopped()` it drains to the head once and returns.
 */
export async function follower(
  query: RunningLedgerbox,
  user: string,
  log: ChaosLog,
  stopped: () => boolean,
  state: FollowerState,
): Promise<void> {
  for (;;) {
    const stopping = stopped();
    let more = true;
    while (more) {
      const cursor = state.cursor === undefined ? "" : `&cursor=${encodeURIComponent(state.cursor)}`;
      const page = await retrying(log, "pull", () => query.api("GET", `/v1/changes?limit=25${cursor}`, { user }), 200);
      state.changes.push(...(page.body.changes as Change[]));
      state.cursor = page.body.cursor as string;
      state.pulls++;
      more = page.body.hasMore as boolean;
    }
    if (stopping) return;
    await sleep(100);
  }
}

export interface PushRecord {
  /** Times a stream was opened (1 + reconnects). */
  connects: number;
  readonly hints: { cursor: string; at: number; connection: number }[];
  lastCursor: string | undefined;
}

/**
 * Holds an SSE stream on the push gateway; when the stream ends (the gateway died) it reconnects
 * with the last cursor it was told, as a client that treats pushes as hints does.
 */
export async function listener(
  gateway: RunningLedgerbox,
  user: string,
  log: ChaosLog,
  stopped: () => boolean,
  record: PushRecord,
): Promise<void> {
  while (!stopped()) {
    let reader: Awaited<ReturnType<typeof openEventStream>>;
    try {
      reader = await openEventStream(gateway, { user, ...(record.lastCursor ? { cursor: record.lastCursor } : {}) });
    } catch (error) {
      log.record("sse-connect", (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name);
      await sleep(200);
      continue;
    }
    if (reader.status !== 200) {
      log.record("sse-connect", `HTTP ${reader.status}`);
      await reader.close();
      await sleep(200);
      continue;
    }
    record.connects++;
    const connection = record.connects;
    let seen = 0;
    try {
      while (!stopped()) {
        const hint = await reader
          .next((event) => event.event === "changes", { from: seen, timeoutMs: 500 })
          .catch((error: Error) => {
            if (error.message.startsWith("the event stream ended")) throw error;
            return null; // nothing within the wait; look at `stopped` again
          });
        if (!hint) continue;
        seen = reader.events.indexOf(hint) + 1;
        const { cursor } = JSON.parse(hint.data) as { cursor: string };
        record.hints.push({ cursor, at: Date.now(), connection });
        record.lastCursor = cursor;
      }
    } catch {
      log.record("sse-stream", "ended");
      await sleep(100);
    } finally {
      await reader.close();
    }
  }
}

/** Resolves once the projectors' checkpoint (from their /health) reaches `head`, a log position. */
export async function projectorsReach(projectors: ChildLedgerbox, head: number, timeoutMs: number): Promise<void> {
  const target = logPosition(BigInt(head));
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  for (;;) {
    try {
      const response = await fetch(`${projectors.url}/health`, { signal: AbortSignal.timeout(5000) });
      last = await response.json();
      const checkpoint = (last as { projections?: { checkpoint?: string | null } }).projections?.checkpoint;
      if (typeof checkpoint === "string" && checkpoint >= target) return;
    } catch (error) {
      last = String(error);
    }
    if (Date.now() > deadline)
      throw new Error(`projectors did not reach position ${head} within ${timeoutMs} ms: ${JSON.stringify(last)}`);
    await sleep(100);
  }
}
