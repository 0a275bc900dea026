import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ChangeEntry, RecordedEvent } from "../../infra/ports/index.ts";
import { arbitraryFileLog } from "../testing/file-events.ts";
import { MemoryReadStore } from "../testing/memory-read-store.ts";
import { metadata, recorded } from "../testing/recorded.ts";
import { arbitraryStep, expectedListing, simulate } from "../testing/workload.ts";
import { positionOfWrite } from "../testing/write-position.ts";
import { projectChanges, projectFiles, projectReadModels } from "./index.ts";

const toRecorded = (log: ReturnType<typeof simulate>): RecordedEvent[] =>
  log.map(({ event, metadata: meta }, i) => recorded(event, i + 1, meta));

/** What a client holds after applying the feed from the start, per namespace, by pathKey. */
function replayFeed(events: readonly RecordedEvent[]): Map<string, Map<string, ChangeEntry>> {
  const byNamespace = new Map<string, Map<string, ChangeEntry>>();
  for (const write of events.flatMap(projectChanges)) {
    if (write.kind !== "change.add") continue;
    const { change } = write;
    const listing = byNamespace.get(change.namespace) ?? new Map<string, ChangeEntry>();
    if (change.kind === "upsert") listing.set(change.pathKey, change);
    else listing.delete(change.pathKey);
    byNamespace.set(change.namespace, listing);
  }
  return byNamespace;
}

const summary = (entry: { path: string; fileId: string; revision: number; size: number; contentHash: string }) => ({
  path: entry.path,
  fileId: entry.fileId,
  revision: entry.revision,
  size: entry.size,
  contentHash: entry.contentHash,
});
const summarise = <T extends Parameters<typeof summary>[0]>(listing: Map<string, T> | undefined) =>
  Object.fromEntries([...(listing ?? new Map<string, T>())].map(([key, entry]) => [key, summary(entry)]));

const NAMESPACES = ["ns0", "ns1", "ns2"];

describe("projection properties", () => {
  it("applying the change feed in order yields the files listing, for any sequence of file events", () => {
    fc.assert(
      fc.property(arbitraryFileLog, (log) => {
        const events = log.map(([event, namespace], i) => recorded(event, i + 1, metadata({ namespace })));
        const store = new MemoryReadStore();
        for (const write of events.flatMap(projectFiles)) store.apply(write);
        const feed = replayFeed(events);
        for (const namespace of NAMESPACES) {
          expect(summarise(feed.get(namespace))).toEqual(summarise(store.listing(namespace)));
        }
      }),
    );
  });

  it("file writes are idempotent by position: any order, any redelivery, same listing", () => {
    fc.assert(
      fc.property(
        arbitraryFileLog.chain((log) =>
          fc.tuple(
            fc.constant(log),
            fc.shuffledSubarray(
              log.map((_, i) => i),
              { minLength: log.length },
            ),
          ),
        ),
        fc.array(fc.nat(), { maxLength: 20 }),
        ([log, order], replays) => {
          const events = log.map(([event, namespace], i) => recorded(event, i + 1, metadata({ namespace })));
          const inOrder = new MemoryReadStore();
          for (const write of events.flatMap(projectFiles)) inOrder.apply(write);
          const shuffled = new MemoryReadStore();
          const writes = order.flatMap((i) => projectFiles(events[i]!));
          for (const write of writes) shuffled.apply(write);
          // Redeliver some writes at random after the fact, as a retried batch would.
          for (const n of replays) if (writes.length > 0) shuffled.apply(writes[n % writes.length]!);
          for (const namespace of NAMESPACES) {
            expect(shuffled.listing(namespace)).toEqual(inOrder.listing(namespace));
          }
        },
      ),
    );
  });

  it("the listing projected from a decided history is the deciders' own view of every path", () => {
    fc.assert(
      fc.property(fc.array(arbitraryStep, { maxLength: 40 }), (steps) => {
        const log = simulate(steps);
        const events = toRecorded(log);
        const store = new MemoryReadStore();
        for (const write of events.flatMap(projectReadModels)) store.apply(write);
        const expected = expectedListing(log);
        for (const namespace of NAMESPACES) {
          const want = Object.fromEntries(
            [...(expected.get(namespace) ?? new Map())].map(([key, state]) => [
              key,
              {
                path: state.path,
                fileId: state.fileId,
                revision: state.revision,
                size: state.version.size,
                contentHash: state.version.contentHash,
              },
            ]),
          );
          expect(summarise(store.listing(namespace))).toEqual(want);
          expect(summarise(replayFeed(events).get(namespace))).toEqual(want);
        }
      }),
    );
  });

  it("every write of an event carries that event's position, and projecting is deterministic", () => {
    fc.assert(
      fc.property(fc.array(arbitraryStep, { maxLength: 20 }), (steps) => {
        const events = toRecorded(simulate(steps));
        for (const event of events) {
          const writes = projectReadModels(event);
          expect(projectReadModels(event)).toEqual(writes);
          for (const write of writes) {
            expect(positionOfWrite(write)).toBe(event.position);
          }
        }
      }),
    );
  });

  it("an upload's projected view matches the upload decider's state", () => {
    fc.assert(
      fc.property(fc.array(arbitraryStep, { maxLength: 30 }), (steps) => {
        const log = simulate(steps);
        const store = new MemoryReadStore();
        for (const write of toRecorded(log).flatMap(projectReadModels)) store.apply(write);
        const starts = log.filter((e) => e.event.type === "UploadStarted");
        for (const { event } of starts) {
          if (event.type !== "UploadStarted") continue;
          const id = event.data.uploadId;
          const mine = log.filter(
            (e) => "uploadId" in e.event.data && e.event.data.uploadId === id && e.stream.startsWith("upload-"),
          );
          const last = mine.at(-1)!.event.type;
          const view = store.uploads.get(id)!.view;
          expect(view.status).toBe(last === "UploadCompleted" ? "completed" : last === "UploadAborted" ? "aborted" : "open");
          const uploaded = new Set(mine.flatMap((e) => (e.event.type === "ChunkUploaded" ? [e.event.data.index] : [])));
          const present = new Set(event.data.present);
          expect(view.chunks.map((c) => c.status)).toEqual(
            event.data.chunks.map((c) => (present.has(c.index) ? "present" : uploaded.has(c.index) ? "uploaded" : "missing")),
          );
        }
      }),
    );
  });
});
