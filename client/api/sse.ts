import { type ApiConnection, request } from "./http.ts";

/**
 * Server-sent events over fetch + ReadableStream: EventSource does not exist in Node or Deno, and
 * cannot send an Authorization header in browsers anyway. The parser follows the WHATWG
 * event-stream rules (lines end in LF, CR or CRLF; `:` starts a comment; `data` lines join with LF;
 * an empty line dispatches; an event with no data is dropped).
 */
export interface ServerSentEvent {
  /** `message` when the server sent no `event:` line. */
  readonly event: string;
  readonly data: string;
  readonly id: string | null;
}

/** A parser you feed text as it arrives; it returns the events each piece completes. */
export class EventStreamParser {
  private pending = "";
  private skipLeadingLf = false;
  private data: string[] = [];
  private event = "";
  private lastId: string | null = null;
  /** Comment lines (heartbeats) seen so far; lets a watchdog tell a live connection from a dead one. */
  comments = 0;

  push(text: string): ServerSentEvent[] {
    const events: ServerSentEvent[] = [];
    let input = this.pending + text;
    this.pending = "";
    if (this.skipLeadingLf && input.startsWith("\n")) input = input.slice(1);
    this.skipLeadingLf = false;
    let start = 0;
    for (let i = 0; i < input.length; i++) {
      const char = input[i];
      if (char !== "\n" && char !== "\r") continue;
      this.line(input.slice(start, i), events);
      if (char === "\r") {
        if (i + 1 === input.length)
          this.skipLeadingLf = true; // a CRLF split across pieces
        else if (input[i + 1] === "\n") i++;
      }
      start = i + 1;
    }
    this.pending = input.slice(start);
    return events;
  }

  private line(line: string, events: ServerSentEvent[]): void {
    if (line === "") {
      if (this.data.length > 0) events.push({ event: this.event || "message", data: this.data.join("\n"), id: this.lastId });
      this.data = [];
      this.event = "";
      return;
    }
    if (line.startsWith(":")) {
      this.comments++;
      return;
    }
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") this.data.push(value);
    else if (field === "event") this.event = value;
    else if (field === "id" && !value.includes("\0")) this.lastId = value;
    // `retry` and unknown fields are ignored: reconnect timing is the caller's policy.
  }
}

/** Parse a byte stream of `text/event-stream` into events. */
export async function* parseEventStream(body: ReadableStream<Uint8Array>): AsyncGenerator<ServerSentEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parser = new EventStreamParser();
  let done = false;
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) break;
      yield* parser.push(decoder.decode(next.value, { stream: true }));
    }
    // An event not terminated by an empty line at the end of the stream is incomplete: dropped.
    parser.push(decoder.decode());
    done = true;
  } finally {
    if (done) reader.releaseLock();
    else await reader.cancel().catch(() => undefined);
  }
}

export async function* openEventStream(
  connection: ApiConnection,
  params: { cursor?: string | null | undefined },
  signal?: AbortSignal,
): AsyncGenerator<ServerSentEvent> {
  const response = await request(connection, {
    method: "GET",
    path: "/v1/changes/stream",
    query: { cursor: params.cursor },
    accept: "text/event-stream",
    signal,
  });
  if (!response.body) return;
  yield* parseEventStream(response.body);
}

/** `event: changes` / `data: {"cursor": "…"}`: a hint that the namespace has news past `cursor`. */
export interface ChangeNotice {
  readonly cursor: string;
}

export async function* changeNotices(events: AsyncIterable<ServerSentEvent>): AsyncGenerator<ChangeNotice> {
  for await (const event of events) {
    if (event.event !== "changes") continue;
    let cursor: unknown;
    try {
      cursor = (JSON.parse(event.data) as { cursor?: unknown }).cursor;
    } catch {
      continue; // a malformed hint is no hint; the client still pulls on its own schedule
    }
    if (typeof cursor === "string") yield { cursor };
  }
}
