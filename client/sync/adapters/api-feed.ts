import { Observable } from "rxjs";
import { ApiError } from "../../api/errors.ts";
import { type ApiConnection, request } from "../../api/http.ts";
import type { LedgerboxApi } from "../../api/index.ts";
import { changeNotices, parseEventStream } from "../../api/sse.ts";
import type { ChangeFeed, FileAnswer, FileCommands, RemoteOutcome } from "../ports.ts";

/** The server sends a heartbeat comment every 15 s; three missed ones mean the connection is dead. */
export const STREAM_SILENCE_MS = 45_000;

/** The change feed over the typed API client: pages of getChange and the SSE stream. */
export function apiChangeFeed(api: LedgerboxApi, options: { limit?: number; silenceMs?: number } = {}): ChangeFeed {
  return {
    changes: (cursor, signal) => api.changes({ cursor, limit: options.limit ?? 500 }, signal),
    notices: (cursor) => noticeStream(api.connection, cursor, options.silenceMs ?? STREAM_SILENCE_MS),
  };
}

/**
 * `GET /v1/changes/stream` as an Observable: "open" once the answer's headers are in, then one
 * value per notice. It completes when the server ends the stream and errors when the connection
 * fails or stays silent past `silenceMs` (a half-open TCP connection would otherwise hang forever).
 */
export function noticeStream(connection: ApiConnection, cursor: string | null, silenceMs: number) {
  return new Observable<"open" | { readonly cursor: string }>((subscriber) => {
    const abort = new AbortController();
    let lastActivity = Date.now();
    const watchdog = setInterval(
      () => {
        if (Date.now() - lastActivity > silenceMs) abort.abort(new StreamSilentError(silenceMs));
      },
      Math.min(silenceMs, 5_000),
    );
    (async () => {
      const response = await request(connection, {
        method: "GET",
        path: "/v1/changes/stream",
        query: { cursor },
        accept: "text/event-stream",
        signal: abort.signal,
      });
      subscriber.next("open");
      if (!response.body) return;
      const touched = response.body.pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, controller) {
            lastActivity = Date.now();
            controller.enqueue(chunk);
          },
        }),
      );
      for await (const notice of changeNotices(parseEventStream(touched))) subscriber.next(notice);
    })().then(
      () => subscriber.complete(),
      (error: unknown) => subscriber.error(abort.signal.reason instanceof StreamSilentError ? abort.signal.reason : error),
    );
    return () => {
      clearInterval(watchdog);
      abort.abort();
    };
  });
}

export class StreamSilentError extends Error {
  override readonly name = "StreamSilentError";
  constructor(silenceMs: number) {
    super(`the change stream sent nothing for ${Math.round(silenceMs / 1000)} s; reconnecting`);
  }
}

/** Delete and move over the API client, with "not there" and "someone else was first" as values. */
export function apiFileCommands(api: LedgerboxApi): FileCommands {
  return {
    deleteFile: (path, baseRevision) => outcome(api.deleteFile({ path, baseRevision })),
    moveFile: (from, to) => outcome(api.moveFile({ from, to })),
  };
}

async function outcome(call: Promise<FileAnswer>): Promise<RemoteOutcome<FileAnswer>> {
  try {
    return { ok: true, value: await call };
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return { ok: false, reason: "not_found", message: error.message };
    if (error instanceof ApiError && error.status === 409) return { ok: false, reason: "conflict", message: error.message };
    throw error;
  }
}
