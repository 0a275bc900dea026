import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { changeNotices, EventStreamParser, parseEventStream, type ServerSentEvent } from "./sse.ts";

const parseAll = (pieces: readonly string[]): ServerSentEvent[] => {
  const parser = new EventStreamParser();
  return pieces.flatMap((piece) => parser.push(piece));
};

/** Split text at the given cut offsets. */
const splitAt = (text: string, cuts: readonly number[]): string[] => {
  const sorted = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
  const out: string[] = [];
  let start = 0;
  for (const cut of sorted) {
    out.push(text.slice(start, cut));
    start = cut;
  }
  out.push(text.slice(start));
  return out;
};

describe("event-stream parser", () => {
  it("reads the server's change notices and skips heartbeats", () => {
    const parser = new EventStreamParser();
    const events = parser.push(': heartbeat\n\nevent: changes\ndata: {"cursor":"abc"}\n\n: heartbeat\n\n');
    expect(events).toEqual([{ event: "changes", data: '{"cursor":"abc"}', id: null }]);
    expect(parser.comments).toBe(2);
  });

  it("joins data lines, defaults the event name, keeps the last id, drops data-less events", () => {
    expect(parseAll(["data: a\ndata:b\nid: 7\n\nevent: x\n\ndata\n\n"])).toEqual([
      { event: "message", data: "a\nb", id: "7" },
      { event: "message", data: "", id: "7" },
    ]);
  });

  it("accepts LF, CR and CRLF line ends, including a CRLF split across pieces", () => {
    expect(parseAll(["event: changes\r\ndata: 1\r", "\n\r\n"])).toEqual([{ event: "changes", data: "1", id: null }]);
    expect(parseAll(["data: 1\r\rdata: 2\n\n"])).toEqual([
      { event: "message", data: "1", id: null },
      { event: "message", data: "2", id: null },
    ]);
  });

  it("yields the same events however the text is split into pieces", () => {
    const line = fc.oneof(
      fc.constantFrom(": heartbeat", "event: changes", "data:", "id: 1", "retry: 10", ""),
      fc.string({ unit: fc.constantFrom("a", "b", " ", ":", "{", "}", '"', "é") }).map((s) => `data: ${s}`),
    );
    const eol = fc.constantFrom("\n", "\r", "\r\n");
    const document = fc
      .array(fc.tuple(line, eol), { maxLength: 30 })
      .map((lines) => `${lines.map(([l, e]) => l + e).join("")}\n\n`);
    fc.assert(
      fc.property(document, fc.array(fc.nat(), { maxLength: 10 }), (text, cuts) => {
        expect(parseAll(splitAt(text, cuts))).toEqual(parseAll([text]));
      }),
    );
  });

  it("decodes UTF-8 split across network reads and drops an unterminated last event", async () => {
    const bytes = new TextEncoder().encode('event: changes\ndata: {"cursor":"é"}\n\ndata: partial');
    const split = bytes.indexOf(0xc3) + 1; // inside the two-byte é
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, split));
        controller.enqueue(bytes.slice(split));
        controller.close();
      },
    });
    const notices = [];
    for await (const notice of changeNotices(parseEventStream(body))) notices.push(notice);
    expect(notices).toEqual([{ cursor: "é" }]);
  });

  it("ignores malformed and foreign events when reading notices", async () => {
    async function* events(): AsyncGenerator<ServerSentEvent> {
      yield { event: "changes", data: "not json", id: null };
      yield { event: "other", data: '{"cursor":"x"}', id: null };
      yield { event: "changes", data: '{"cursor":5}', id: null };
      yield { event: "changes", data: '{"cursor":"ok"}', id: null };
    }
    const notices = [];
    for await (const notice of changeNotices(events())) notices.push(notice);
    expect(notices).toEqual([{ cursor: "ok" }]);
  });
});
