/**
 * The writer thread of a SQLite read store (read-writer-thread.ts): its own connection to the
 * read-model file, on which it commits what the store's thread sends, in the order sent. While it
 * commits a batch, the thread that sent it reads and projects the next. Batches that queued up
 * meanwhile (the writer is the slower side) commit together in one transaction (applyGroup).
 */
import { parentPort, receiveMessageOnPort, workerData } from "node:worker_threads";
import { openReadModelDatabase } from "./read-connection.ts";
import { createReadWriter, type EncodedBatch, type GroupOutcome } from "./read-writer.ts";
import { describeFailure, type WriterReply, type WriterRequest } from "./read-writer-protocol.ts";

/**
 * Encoded values per group: about 100,000 catch-up events, five of the runner's largest batches.
 * What a group's transaction dirties stays in SQLite's page cache until it commits (or spills to
 * the WAL once the cache is full), so a bound keeps a long backlog from becoming one huge commit.
 */
const GROUP_MAX_VALUES = 1_500_000;

const port = parentPort;
if (port === null) throw new Error("read-writer-worker.ts runs as a worker thread");
const { file, up } = workerData as { file: string; up: Int32Array };
const db = openReadModelDatabase(file);
const writer = createReadWriter(db);
// Read by the store's thread without a message (read-writer-thread.ts): requests may be sent from now on without waiting.
Atomics.store(up, 0, 1);

type ApplyRequest = Extract<WriterRequest, { op: "apply" }>;

const handle = (request: Exclude<WriterRequest, ApplyRequest>): void => {
  switch (request.op) {
    case "checkpoint":
      writer.setCheckpoint(request.projection, request.checkpoint);
      return;
    case "reset":
      writer.reset();
      return;
    case "indexes":
      writer.buildQueryIndexes();
      return;
    case "resume":
      writer.resume(request.projection);
      return;
    case "close":
      db.close();
      return;
    default:
      request satisfies never;
  }
};

const replyTo = (id: number, outcome: GroupOutcome): void => {
  const reply: WriterReply = outcome.ok ? { id, ok: true } : { id, ok: false, error: describeFailure(outcome.error) };
  port.postMessage(reply);
};

/** The next request already queued, taken without going back to the event loop. */
const queued = (): WriterRequest | undefined => receiveMessageOnPort(port)?.message as WriterRequest | undefined;

port.on("message", (first: WriterRequest) => {
  let request: WriterRequest | undefined = first;
  while (request !== undefined) {
    if (request.op !== "apply") {
      let outcome: GroupOutcome = { ok: true };
      try {
        handle(request);
      } catch (error) {
        outcome = { ok: false, error };
      }
      replyTo(request.id, outcome);
      // With its port closed the thread has nothing left to do and exits.
      if (request.op === "close") return port.close();
      request = queued();
      continue;
    }
    // Every apply already waiting behind this one, up to the bound, joins its transaction.
    const group: ApplyRequest[] = [request];
    let values = request.ops.length;
    request = queued();
    while (request?.op === "apply" && values < GROUP_MAX_VALUES) {
      group.push(request);
      values += request.ops.length;
      request = queued();
    }
    const outcomes = writer.applyGroup(group satisfies EncodedBatch[]);
    for (const [i, batch] of group.entries()) {
      replyTo(batch.id, outcomes[i] ?? { ok: false, error: new Error("no outcome for the batch") });
    }
  }
});
