import type { RunningLedgerbox } from "./ledgerbox.ts";

export interface ServerSentEvent {
  readonly event: string;
  readonly data: string;
  /** ms since the stream was opened. */
  readonly atMs: number;
}

export interface EventStreamReader {
  readonly status: number;
  readonly headers: Headers;
  /** Parsed events so far, in arrival order. */
  readonly events: ServerSentEvent[];
  /** Comment lines so far (the text after ":"), e.g. heartbeats. */
  readonly comments: { text: string; atMs: number }[];
  /** Resolves with the first event (at or after `from`, an index into `events`) that matches. */
  next(
    predicate?: (event: ServerSentEvent) => boolean,
    options?: { from?: number; timeoutMs?: number },
  ): Promise<ServerSentEvent>;
  close(): Promise<void>;
}

/**
 * Opens `GET /v1/changes/stream` with fetch, as a browser or Deno client can, and parses the
 * text/event-stream as it arrives (events are separated by a blank line; lines starting with
 * ":" are comments).
 */
export async function openEventStream(
  server: RunningLedgerbox,
  options: { cursor?: string; user?: string; namespace?: string; token?: string } = {},
): Promise<EventStreamReader> {
  const controller = new AbortController();
  const token = options.token ?? (await server.token(options.user ?? "alice"));
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: "text/event-stream" };
  if (options.namespace) headers["ledgerbox-namespace"] = options.namespace;
  const query = options.cursor === undefined ? "" : `?cursor=${encodeURIComponent(options.cursor)}`;
  const opened = Date.now();
  const response = await fetch(`${server.url}/v1/changes/stream${query}`, { headers, signal: controller.signal });
  const events: ServerSentEvent[] = [];
  const comments: { text: string; atMs: number }[] = [];
  const waiters = new Set<() => void>();
  let ended = false;

  const handleBlock = (block: string) => {
    let event = "message";
    const data: string[] = [];
    let sawField = false;
    for (const line of block.split("\n")) {
      if (line.startsWith(":")) {
        comments.push({ text: line.slice(1).trim(), atMs: Date.now() - opened });
        continue;
      }
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "event") event = value;
      else if (field === "data") data.push(value);
      else continue;
      sawField = true;
    }
    if (sawField) events.push({ event, data: data.join("\n"), atMs: Date.now() - opened });
  };

  const pump = (async () => {
    if (!response.body) return;
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, "\n");
        for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
          handleBlock(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
        for (const wake of [...waiters]) wake();
      }
    } catch {
      // aborted by close()
    } finally {
      ended = true;
      for (const wake of [...waiters]) wake();
    }
  })();

  return {
    status: response.status,
    headers: response.headers,
    events,
    comments,
    next(predicate = () => true, { from = 0, timeoutMs = 2000 } = {}) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.slice(from).find(predicate);
          if (found) {
            done();
            resolve(found);
          } else if (ended) {
            done();
            reject(new Error("the event stream ended before the expected event"));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(events)}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async close() {
      controller.abort();
      await pump;
    },
  };
}
