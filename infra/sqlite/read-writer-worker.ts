/**
 * The writer thread of a SQLite read store (read-writer-thread.ts): its own connection to the
 * read-model file, on which it commits what the store's thread sends, in the order sent. While it
 * commits a batch, the thread that sent it reads and projects the next. Batches that queued up
 * meanwhile (the writer is the slower side) commit together in one transaction, and so do those
 * sent saying more follows at once (a catch-up's): the transaction stays open for the next, and
 * each is answered once it commits.
 */
import { parentPort, receiveMessageOnPort, workerData } from "node:worker_threads";
import { openReadModelDatabase } from "./read-connection.ts";
import {
  createReadWriter,
  type EncodedBatch,
  type GroupOutcome,
  HeldTransactionError,
  RolledBackWithOtherError,
} from "./read-writer.ts";
import { describeFailure, type WriterReply, type WriterRequest } from "./read-writer-protocol.ts";

/**
 * Encoded values per transaction: about 100,000 catch-up events, eighty of the runner's largest batches.
 * What a group's transaction dirties stays in SQLite's page cache until it commits (or spills to
 * the WAL once the cache is full), so a bound keeps a long backlog from becoming one huge commit.
 */
const GROUP_MAX_VALUES = 1_500_000;

const port = parentPort;
if (port === null) throw new Error("read-writer-worker.ts runs as a worker thread");
const { file, up, holdMs } = workerData as { file: string; up: Int32Array; holdMs: number };
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

const handled = (request: Exclude<WriterRequest, ApplyRequest>): GroupOutcome => {
  try {
    handle(request);
    return { ok: true };
  } catch (error) {
    return { ok: false, error };
  }
};

/** The next request already queued, taken without going back to the event loop. */
const queued = (): WriterRequest | undefined => receiveMessageOnPort(port)?.message as WriterRequest | undefined;

/** Requests applied in the transaction held open, answered once it commits, whatever their outcome. */
let held: { readonly id: number; readonly outcome: GroupOutcome }[] = [];
let heldValues = 0;
/** Whether the last batch applied said the next follows at once. */
let moreFollows = false;
let holdTimer: ReturnType<typeof setTimeout> | null = null;

const stopHoldTimer = (): void => {
  if (holdTimer) clearTimeout(holdTimer);
  holdTimer = null;
};

/** Answers everything held: each with its own outcome if the transaction committed, else with `failure`. */
const settleHeld = (failure: ((id: number) => unknown) | null): void => {
  stopHoldTimer();
  moreFollows = false;
  for (const { id, outcome } of held) replyTo(id, failure === null ? outcome : { ok: false, error: failure(id) });
  held = [];
  heldValues = 0;
};

const commitHeld = (): void => {
  const error = held.length === 0 ? null : writer.commitHeld();
  settleHeld(error === null ? null : () => error);
};

/** Applies `first` and every apply already queued behind it, up to the bound; returns the request after them. */
const applyQueued = (first: ApplyRequest): WriterRequest | undefined => {
  const group: ApplyRequest[] = [first];
  let values = first.ops.length;
  let request = queued();
  while (request?.op === "apply" && values < GROUP_MAX_VALUES) {
    group.push(request);
    values += request.ops.length;
    request = queued();
  }
  let outcomes: GroupOutcome[];
  try {
    outcomes = writer.holdGroup(group satisfies EncodedBatch[]);
  } catch (error) {
    // The transaction is gone, and with it everything held so far: the batch that failed says
    // why, the others that they went with it.
    const { failed, cause } = error instanceof HeldTransactionError ? error : { failed: null, cause: error };
    const culprit = failed === null ? null : group[failed]?.id;
    for (const { id } of group) held.push({ id, outcome: { ok: false, error: cause } });
    settleHeld((id) =>
      culprit === undefined || culprit === null || id === culprit ? cause : new RolledBackWithOtherError(cause),
    );
    return request;
  }
  for (const [i, { id }] of group.entries()) {
    held.push({ id, outcome: outcomes[i] ?? { ok: false, error: new Error("no outcome for the batch") } });
  }
  heldValues += values;
  moreFollows = group[group.length - 1]?.more === true;
  if (heldValues >= GROUP_MAX_VALUES) commitHeld();
  return request;
};

port.on("message", (first: WriterRequest) => {
  stopHoldTimer();
  let request: WriterRequest | undefined = first;
  while (request !== undefined) {
    if (request.op === "apply") {
      request = applyQueued(request);
      continue;
    }
    if (request.op === "checkpoint" && held.length > 0) {
      // A bare checkpoint (the notice bridge's, after each commit) joins what is held rather than end it.
      held.push({ id: request.id, outcome: handled(request) });
    } else {
      commitHeld();
      replyTo(request.id, handled(request));
      // With its port closed the thread has nothing left to do and exits.
      if (request.op === "close") return port.close();
    }
    request = queued();
  }
  // Nothing is queued: what is held commits now, unless its last batch said more follows at once.
  if (!moreFollows) commitHeld();
  else holdTimer = setTimeout(commitHeld, holdMs);
});
