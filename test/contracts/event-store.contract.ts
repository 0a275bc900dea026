import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LogPosition } from "../../domain/index.ts";
import { type AppendResult, ConcurrencyError, type EventStore, type RecordedEvent } from "../../infra/ports/index.ts";
import {
  fileStreamName,
  follow,
  isStrictlyIncreasing,
  testEvent,
  testMetadata,
  uploadStreamName,
} from "../support/event-fixtures.ts";

export interface EventStoreUnderTest {
  readonly store: EventStore;
  /** A new connection to the same log, when the adapter has one (positions must survive it). */
  readonly reopen?: () => Promise<EventStore>;
  /** Closes `store` and releases whatever `open` created. */
  readonly cleanup: () => Promise<void>;
}

/**
 * The EventStore port's contract, run against every adapter. Servers keep data between runs and
 * suites may share one, so every test uses fresh stream names and reads the global log only from
 * a head position it observed itself.
 */
export function eventStoreContract(adapterName: string, open: () => Promise<EventStoreUnderTest>): void {
  describe(`EventStore contract: ${adapterName}`, () => {
    let subject: EventStoreUnderTest;
    let store: EventStore;

    beforeEach(async () => {
      subject = await open();
      store = subject.store;
    });
    afterEach(async () => {
      await subject.cleanup();
    });

    const rejection = async (promise: Promise<unknown>): Promise<unknown> =>
      promise.then(
        () => {
          throw new Error("expected the append to be rejected");
        },
        (error: unknown) => error,
      );

    describe("append and readStream", () => {
      it("round-trips type, data, metadata, revisions and positions, unicode included", async () => {
        const stream = fileStreamName();
        const metadata = testMetadata({ actor: "zoë", clientId: "laptop-1", at: "2026-11-24T10:11:12.345Z" });
        const data = {
          path: "/Fotos/Übersicht 📷/日本語/é-e\u0301.txt",
          emoji: "👩‍👩‍👧‍👦",
          astral: "\u{1F600}\u{10FFFD}",
          nested: { list: [1, 2.5, null, true, "x"], empty: {} },
          big: Number.MAX_SAFE_INTEGER,
        };
        const first = testEvent("UploadStarted", data, metadata);
        const second = testEvent("ChunkUploaded", { index: 0 }, metadata);

        const result = await store.append(stream, [first, second], "no_stream");

        expect(result.lastRevision).toBe(1);
        expect(result.positions).toHaveLength(2);
        expect(isStrictlyIncreasing(result.positions)).toBe(true);
        const read = await store.readStream(stream);
        expect(read).toEqual([
          { id: first.id, stream, type: "UploadStarted", data, metadata, revision: 0, position: result.positions[0] },
          {
            id: second.id,
            stream,
            type: "ChunkUploaded",
            data: { index: 0 },
            metadata,
            revision: 1,
            position: result.positions[1],
          },
        ]);
      });

      it("appends after the expected revision and reports the new last revision", async () => {
        const stream = uploadStreamName();
        await store.append(stream, [testEvent(), testEvent()], "no_stream");
        const result = await store.append(stream, [testEvent(), testEvent(), testEvent()], 1);
        expect(result.lastRevision).toBe(4);
        expect((await store.readStream(stream)).map((event) => event.revision)).toEqual([0, 1, 2, 3, 4]);
      });

      it('"any" creates a stream and appends to an existing one without a check', async () => {
        const stream = fileStreamName();
        expect((await store.append(stream, [testEvent()], "any")).lastRevision).toBe(0);
        expect((await store.append(stream, [testEvent(), testEvent()], "any")).lastRevision).toBe(2);
      });

      it('"no_stream" on an existing stream is a ConcurrencyError naming the actual revision', async () => {
        const stream = fileStreamName();
        await store.append(stream, [testEvent(), testEvent()], "no_stream");
        const error = await rejection(store.append(stream, [testEvent()], "no_stream"));
        expect(error).toBeInstanceOf(ConcurrencyError);
        expect(error).toMatchObject({ stream, expected: "no_stream", actual: 1 });
      });

      it("a stale expected revision is a ConcurrencyError and writes nothing", async () => {
        const stream = fileStreamName();
        await store.append(stream, [testEvent(), testEvent(), testEvent()], "no_stream");
        const error = await rejection(store.append(stream, [testEvent()], 0));
        expect(error).toBeInstanceOf(ConcurrencyError);
        expect(error).toMatchObject({ stream, expected: 0, actual: 2 });
        expect(await store.readStream(stream)).toHaveLength(3);
      });

      it('an expected revision on a missing stream fails with actual "no_stream"', async () => {
        const stream = fileStreamName();
        const error = await rejection(store.append(stream, [testEvent()], 0));
        expect(error).toBeInstanceOf(ConcurrencyError);
        expect(error).toMatchObject({ stream, expected: 0, actual: "no_stream" });
        expect(await store.readStream(stream)).toEqual([]);
      });

      it("of N concurrent appends with the same expected revision exactly one wins", async () => {
        const stream = fileStreamName();
        await store.append(stream, [testEvent()], "no_stream");
        const contenders = Array.from({ length: 8 }, () => testEvent());
        const settled = await Promise.allSettled(contenders.map((event) => store.append(stream, [event], 0)));

        const won = settled.filter((outcome) => outcome.status === "fulfilled");
        const lost = settled.flatMap((outcome) => (outcome.status === "rejected" ? [outcome.reason] : []));
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(7);
        for (const reason of lost) expect(reason).toBeInstanceOf(ConcurrencyError);
        const read = await store.readStream(stream);
        expect(read).toHaveLength(2);
        const winner = contenders[settled.findIndex((outcome) => outcome.status === "fulfilled")];
        expect(read[1]?.id).toBe(winner?.id);
      });

      it("a losing append among concurrent ones does not affect appends to other streams", async () => {
        const contested = fileStreamName();
        await store.append(contested, [testEvent()], "no_stream");
        const others = Array.from({ length: 5 }, () => uploadStreamName());
        const settled = await Promise.allSettled([
          store.append(contested, [testEvent()], "no_stream"),
          ...others.map((stream) => store.append(stream, [testEvent(), testEvent()], "no_stream")),
          store.append(contested, [testEvent()], 0),
        ]);
        expect(settled.map((outcome) => outcome.status)).toEqual(["rejected", ...others.map(() => "fulfilled"), "fulfilled"]);
        for (const stream of others) expect(await store.readStream(stream)).toHaveLength(2);
      });
    });

    describe("idempotent retries", () => {
      it("re-appending the same events with the same expectation returns the original result", async () => {
        const stream = fileStreamName();
        const events = [testEvent(), testEvent()];
        const original = await store.append(stream, events, "no_stream");
        expect(await store.append(stream, events, "no_stream")).toEqual(original);
        expect(await store.readStream(stream)).toHaveLength(2);
      });

      it("recognises a retry at an exact revision even after the stream moved on", async () => {
        const stream = uploadStreamName();
        await store.append(stream, [testEvent()], "no_stream");
        const events = [testEvent(), testEvent()];
        const original = await store.append(stream, events, 0);
        await store.append(stream, [testEvent()], 2);
        expect(await store.append(stream, events, 0)).toEqual(original);
        expect(await store.readStream(stream)).toHaveLength(4);
      });

      it('recognises a retried append made with "any"', async () => {
        const stream = fileStreamName();
        await store.append(stream, [testEvent()], "any");
        const event = testEvent();
        const original = await store.append(stream, [event], "any");
        expect(await store.append(stream, [event], "any")).toEqual(original);
        expect(await store.readStream(stream)).toHaveLength(2);
      });

      it("new events with a stale expectation still fail", async () => {
        const stream = fileStreamName();
        await store.append(stream, [testEvent()], "no_stream");
        await store.append(stream, [testEvent()], 0);
        const error = await rejection(store.append(stream, [testEvent()], 0));
        expect(error).toBeInstanceOf(ConcurrencyError);
      });
    });

    describe("readStream options", () => {
      const fill = async (count: number) => {
        const stream = fileStreamName();
        const events = Array.from({ length: count }, (_, n) => testEvent("ChunkUploaded", { n }));
        await store.append(stream, events, "no_stream");
        return stream;
      };
      const revisions = (events: RecordedEvent[]) => events.map((event) => event.revision);

      it("reads forwards from a revision, bounded by maxCount", async () => {
        const stream = await fill(6);
        expect(revisions(await store.readStream(stream, { fromRevision: 2 }))).toEqual([2, 3, 4, 5]);
        expect(revisions(await store.readStream(stream, { fromRevision: 1, maxCount: 3 }))).toEqual([1, 2, 3]);
        expect(revisions(await store.readStream(stream, { maxCount: 2 }))).toEqual([0, 1]);
        expect(await store.readStream(stream, { fromRevision: 6 })).toEqual([]);
      });

      it("reads backwards from the end or from a revision", async () => {
        const stream = await fill(5);
        expect(revisions(await store.readStream(stream, { direction: "backwards" }))).toEqual([4, 3, 2, 1, 0]);
        expect(revisions(await store.readStream(stream, { direction: "backwards", maxCount: 1 }))).toEqual([4]);
        expect(revisions(await store.readStream(stream, { direction: "backwards", fromRevision: 2 }))).toEqual([2, 1, 0]);
        expect(revisions(await store.readStream(stream, { direction: "backwards", fromRevision: 3, maxCount: 2 }))).toEqual([
          3, 2,
        ]);
      });

      it("returns [] for a stream that does not exist, in either direction", async () => {
        expect(await store.readStream(fileStreamName())).toEqual([]);
        expect(await store.readStream(fileStreamName(), { direction: "backwards", maxCount: 3 })).toEqual([]);
      });
    });

    describe("global log", () => {
      it("readAll returns events strictly after a position, in append order, with increasing positions", async () => {
        const head = await store.headPosition();
        const a = fileStreamName();
        const b = uploadStreamName();
        const ra = await store.append(a, [testEvent(), testEvent()], "no_stream");
        const rb = await store.append(b, [testEvent()], "no_stream");
        const rc = await store.append(a, [testEvent()], 1);
        const ours = new Set([a, b]);

        const all = await store.readAll({ after: head, maxCount: 10_000 });
        expect(isStrictlyIncreasing(all.map((event) => event.position))).toBe(true);
        if (head !== null) for (const event of all) expect(event.position > head).toBe(true);
        const mine = all.filter((event) => ours.has(event.stream));
        expect(mine.map((event) => event.position)).toEqual([...ra.positions, ...rb.positions, ...rc.positions]);
        expect(mine.map((event) => `${event.stream === a ? "a" : "b"}${event.revision}`)).toEqual(["a0", "a1", "b0", "a2"]);

        const afterFirst = await store.readAll({ after: ra.positions[0] as LogPosition, maxCount: 10_000 });
        expect(afterFirst[0]?.position).toBe(ra.positions[1]);
      });

      it("readAll pages with maxCount and the last position of each page", async () => {
        const head = await store.headPosition();
        const stream = fileStreamName();
        const { positions } = await store.append(
          stream,
          Array.from({ length: 7 }, () => testEvent()),
          "no_stream",
        );
        const paged: RecordedEvent[] = [];
        let after = head;
        for (;;) {
          const page = await store.readAll({ after, maxCount: 3 });
          expect(page.length).toBeLessThanOrEqual(3);
          if (page.length === 0) break;
          paged.push(...page);
          after = page[page.length - 1]!.position;
          if (paged.filter((event) => event.stream === stream).length === positions.length) break;
        }
        expect(isStrictlyIncreasing(paged.map((event) => event.position))).toBe(true);
        expect(paged.filter((event) => event.stream === stream).map((event) => event.position)).toEqual(positions);
      });

      it("readAll leaves out streams outside Ledgerbox's prefixes", async () => {
        const head = await store.headPosition();
        const foreign = `contract-foreign-${crypto.randomUUID()}`;
        const ours = fileStreamName();
        await store.append(foreign, [testEvent()], "no_stream");
        await store.append(ours, [testEvent()], "no_stream");
        const all = await store.readAll({ after: head, maxCount: 10_000 });
        expect(all.some((event) => event.stream === ours)).toBe(true);
        expect(all.some((event) => event.stream === foreign)).toBe(false);
        for (const event of all) expect(/^(upload-|file-)/.test(event.stream)).toBe(true);
      });

      it("headPosition is at or after the newest appended position", async () => {
        const { positions } = await store.append(fileStreamName(), [testEvent(), testEvent()], "no_stream");
        const head = await store.headPosition();
        expect(head).not.toBeNull();
        expect(head! >= positions[1]!).toBe(true);
      });

      it("positions are the same after reopening the store", async (context) => {
        if (!subject.reopen) context.skip();
        const head = await store.headPosition();
        const stream = fileStreamName();
        const { positions } = await store.append(stream, [testEvent(), testEvent(), testEvent()], "no_stream");
        const before = await store.readAll({ after: head, maxCount: 10_000 });

        const again = await subject.reopen!();
        try {
          const after = await again.readAll({ after: head, maxCount: 10_000 });
          expect(after.filter((event) => event.stream === stream)).toEqual(before.filter((event) => event.stream === stream));
          expect((await again.readStream(stream)).map((event) => event.position)).toEqual(positions);
          const next = await again.append(stream, [testEvent()], 2);
          expect(next.positions[0]! > positions[2]!).toBe(true);
        } finally {
          await again.close();
        }
      });
    });

    describe("subscribe", () => {
      it("catches up from a position, then follows live appends", async () => {
        const head = await store.headPosition();
        const stream = fileStreamName();
        const early = await store.append(stream, [testEvent(), testEvent()], "no_stream");
        let live: Promise<AppendResult> | undefined;
        const { ours, timedOut } = await follow(store, head, new Set([stream]), (seen) => seen.length === 4, {
          onEvent: (_event, seen) => {
            // Append only once caught up on the earlier events, so these arrive live.
            if (seen.length === 2 && live === undefined) live = store.append(stream, [testEvent(), testEvent()], 1);
          },
        });
        expect(timedOut).toBe(false);
        const late = await live!;
        expect(ours.map((event) => event.position)).toEqual([...early.positions, ...late.positions]);
        expect(ours.map((event) => event.revision)).toEqual([0, 1, 2, 3]);
      });

      it("starts strictly after the given position", async () => {
        const stream = uploadStreamName();
        const { positions } = await store.append(stream, [testEvent(), testEvent(), testEvent()], "no_stream");
        const { ours } = await follow(store, positions[0]!, new Set([stream]), (seen) => seen.length === 2);
        expect(ours.map((event) => event.position)).toEqual(positions.slice(1));
      });

      it("sees appends made during catch-up exactly once, without gaps, in log order", async () => {
        const head = await store.headPosition();
        const streams = [fileStreamName(), uploadStreamName(), fileStreamName()];
        const expected: LogPosition[] = [];
        // Enough history that catching up takes several pages in any adapter.
        for (let batch = 0; batch < 12; batch++) {
          const stream = streams[batch % streams.length]!;
          const events = Array.from({ length: 50 }, () => testEvent());
          expected.push(...(await store.append(stream, events, "any")).positions);
        }
        let firstSeen!: () => void;
        const caughtUpStarted = new Promise<void>((resolve) => {
          firstSeen = resolve;
        });
        // Appends start once the subscriber is inside its catch-up and keep going while it reads.
        const writer = (async () => {
          await caughtUpStarted;
          for (let n = 0; n < 40; n++) {
            const stream = streams[n % streams.length]!;
            expected.push(...(await store.append(stream, [testEvent()], "any")).positions);
          }
        })();
        const total = 12 * 50 + 40;
        let taken = 0;
        const { ours, all, timedOut } = await follow(store, head, new Set(streams), (seen) => seen.length >= total, {
          timeoutMs: 20_000,
          onEvent: async () => {
            if (taken++ === 0) firstSeen();
            // A slow consumer: gives the writer turns of the event loop in the middle of catch-up.
            if (taken % 25 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
          },
        });
        await writer;
        expect(timedOut).toBe(false);
        expect(isStrictlyIncreasing(all.map((event) => event.position))).toBe(true);
        expect(new Set(ours.map((event) => event.id)).size).toBe(ours.length);
        expect(ours.map((event) => event.position)).toEqual([...expected].sort());
      });

      it("ends when the signal aborts while waiting for live events", async () => {
        const controller = new AbortController();
        const head = await store.headPosition();
        const iteration = (async () => {
          const seen: RecordedEvent[] = [];
          for await (const event of store.subscribe(head, controller.signal)) seen.push(event);
          return seen;
        })();
        await new Promise((resolve) => setTimeout(resolve, 100));
        controller.abort();
        const ended = await Promise.race([
          iteration.then(() => "ended"),
          new Promise((resolve) => setTimeout(() => resolve("still running"), 3_000)),
        ]);
        expect(ended).toBe("ended");
      });

      it("yields nothing for an already aborted signal", async () => {
        await store.append(fileStreamName(), [testEvent()], "no_stream");
        const controller = new AbortController();
        controller.abort();
        const seen: RecordedEvent[] = [];
        for await (const event of store.subscribe(null, controller.signal)) seen.push(event);
        expect(seen).toEqual([]);
      });
    });
  });
}
