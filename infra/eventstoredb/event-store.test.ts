import { UnavailableError } from "@eventstore/db-client";
import { describe, expect, it } from "vitest";
import type { EventMetadata } from "../../domain/metadata.ts";
import { ConcurrencyError, type EventToAppend, type RecordedEvent, StoreUnavailableError } from "../ports/index.ts";
import { eventStoreOverClient } from "./event-store.ts";
import { FakeEsdbClient } from "./fake-client.test-helper.ts";
import { PAGE } from "./scan-all.ts";

const metadata = {
  actor: "u1",
  namespace: "ns1",
  clientId: "laptop",
  correlationId: "c-1",
  at: "2026-11-24T10:00:00.000Z",
} as EventMetadata;

const event = (type: string, data: unknown = { n: 1 }): EventToAppend => ({ id: crypto.randomUUID(), type, data, metadata });

function setup() {
  const client = new FakeEsdbClient();
  return { client, store: eventStoreOverClient(client) };
}

async function take(iterable: AsyncIterable<RecordedEvent>, count: number): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  for await (const item of iterable) {
    out.push(item);
    if (out.length === count) break;
  }
  return out;
}

describe("EventStoreDB adapter over a fake client", () => {
  it("appends, returns each event's own position and reads the stream back with metadata", async () => {
    const { store } = setup();
    const result = await store.append("upload-a", [event("UploadStarted"), event("ChunkUploaded")], "no_stream");
    expect(result.lastRevision).toBe(1);
    const read = await store.readStream("upload-a");
    expect(read.map((e) => e.position)).toEqual(result.positions);
    expect(read.map((e) => e.revision)).toEqual([0, 1]);
    expect(read[0]?.metadata).toEqual(metadata);
    expect(read[0]?.data).toEqual({ n: 1 });
    expect(result.positions[0]! < result.positions[1]!).toBe(true);
  });

  it("maps a lost race to ConcurrencyError with the actual revision", async () => {
    const { store } = setup();
    await store.append("file-ns:/a", [event("FileVersionCommitted")], "no_stream");
    await expect(store.append("file-ns:/a", [event("FileDeleted")], "no_stream")).rejects.toMatchObject({
      name: "ConcurrencyError",
      actual: 0,
      expected: "no_stream",
    });
    await expect(store.append("file-ns:/b", [event("FileDeleted")], 3)).rejects.toBeInstanceOf(ConcurrencyError);
    await expect(store.append("file-ns:/b", [event("FileDeleted")], 3)).rejects.toMatchObject({ actual: "no_stream" });
    const ok = await store.append("file-ns:/a", [event("FileDeleted")], 0);
    expect(ok.lastRevision).toBe(1);
    expect((await store.append("file-ns:/a", [event("FileDeleted")], "any")).lastRevision).toBe(2);
  });

  it("answers a retried append with the original positions and stores nothing twice", async () => {
    const { store, client } = setup();
    const batch = [event("UploadStarted"), event("ChunkUploaded")];
    const first = await store.append("upload-r", batch, "no_stream");
    await store.append("upload-r", [event("ChunkUploaded")], 1);
    const retry = await store.append("upload-r", batch, "no_stream");
    expect(retry).toEqual(first);
    expect(client.log.filter((e) => e.streamId === "upload-r")).toHaveLength(3);
  });

  it("reads streams forwards, backwards, from a revision and with a count; a missing stream is empty", async () => {
    const { store } = setup();
    await store.append(
      "upload-s",
      [0, 1, 2, 3, 4].map((n) => event("ChunkUploaded", { n })),
      "no_stream",
    );
    const revisions = (events: RecordedEvent[]) => events.map((e) => e.revision);
    expect(revisions(await store.readStream("upload-s", { fromRevision: 2 }))).toEqual([2, 3, 4]);
    expect(revisions(await store.readStream("upload-s", { direction: "backwards", maxCount: 2 }))).toEqual([4, 3]);
    expect(revisions(await store.readStream("upload-s", { direction: "backwards", fromRevision: 1 }))).toEqual([1, 0]);
    expect(revisions(await store.readStream("upload-s", { fromRevision: 1, maxCount: 2 }))).toEqual([1, 2]);
    expect(await store.readStream("upload-missing")).toEqual([]);
  });

  it("reads $all in order past pages of system events, strictly after a position", async () => {
    const { store, client } = setup();
    const a = await store.append("upload-1", [event("UploadStarted")], "no_stream");
    client.systemNoise(PAGE + 40);
    const b = await store.append("file-ns:/x", [event("FileVersionCommitted"), event("FileDeleted")], "no_stream");
    client.systemNoise(3);
    await client.appendToStream(
      "other-stream",
      [{ id: crypto.randomUUID(), type: "Foreign", contentType: "application/json", data: {}, metadata: undefined }],
      { expectedRevision: "any" },
    );
    const all = await store.readAll({ after: null, maxCount: 100 });
    expect(all.map((e) => e.position)).toEqual([...a.positions, ...b.positions]);
    const after = await store.readAll({ after: a.positions[0]!, maxCount: 1 });
    expect(after.map((e) => e.position)).toEqual([b.positions[0]]);
    expect(await store.readAll({ after: b.positions[1]!, maxCount: 10 })).toEqual([]);
  });

  it("reports the newest Ledgerbox position as the head, ignoring system events after it", async () => {
    const { store, client } = setup();
    client.systemNoise(5);
    expect(await store.headPosition()).toBeNull();
    const a = await store.append("upload-h", [event("UploadStarted")], "no_stream");
    client.systemNoise(PAGE * 2 + 1);
    expect(await store.headPosition()).toBe(a.positions[0]);
  });

  it("subscribes: catches up after a position, follows live appends, ends on abort", async () => {
    const { store, client } = setup();
    const first = await store.append("upload-sub", [event("UploadStarted"), event("ChunkUploaded")], "no_stream");
    client.systemNoise(2);
    const controller = new AbortController();
    const iterator = store.subscribe(first.positions[0]!, controller.signal)[Symbol.asyncIterator]();
    expect((await iterator.next()).value?.position).toBe(first.positions[1]);
    const live = await store.append("file-ns:/live", [event("FileVersionCommitted")], "no_stream");
    expect((await iterator.next()).value?.position).toBe(live.positions[0]);
    const pending = iterator.next();
    controller.abort();
    expect((await pending).done).toBe(true);
  });

  it("stops a subscription whose consumer breaks out", async () => {
    const { store } = setup();
    await store.append("upload-b", [event("UploadStarted"), event("ChunkUploaded")], "no_stream");
    const events = await take(store.subscribe(null, new AbortController().signal), 1);
    expect(events).toHaveLength(1);
  });

  it("maps a lost connection to StoreUnavailableError, in calls and in subscriptions", async () => {
    const { store, client } = setup();
    await store.append("upload-u", [event("UploadStarted")], "no_stream");
    const iterator = store.subscribe(null, new AbortController().signal)[Symbol.asyncIterator]();
    await iterator.next();
    const pending = iterator.next();
    client.dropSubscriptions(new UnavailableError());
    await expect(pending).rejects.toBeInstanceOf(StoreUnavailableError);
    client.failWith = new UnavailableError();
    await expect(store.append("upload-u", [event("ChunkUploaded")], 0)).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.readStream("upload-u")).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.readAll({ after: null, maxCount: 1 })).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.headPosition()).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});
