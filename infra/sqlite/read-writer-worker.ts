/**
 * The writer thread of a SQLite read store (read-writer-thread.ts): its own connection to the
 * read-model file, on which it commits what the store's thread sends, one request at a time, in
 * the order sent. While it commits a batch, the thread that sent it reads and projects the next.
 */
import { parentPort, workerData } from "node:worker_threads";
import { openReadModelDatabase } from "./read-connection.ts";
import { createReadWriter } from "./read-writer.ts";
import { describeFailure, type WriterReply, type WriterRequest } from "./read-writer-protocol.ts";

const port = parentPort;
if (port === null) throw new Error("read-writer-worker.ts runs as a worker thread");
const { file, up } = workerData as { file: string; up: Int32Array };
const db = openReadModelDatabase(file);
const writer = createReadWriter(db);
// Read by the store's thread without a message (read-writer-thread.ts): requests may be sent from now on without waiting.
Atomics.store(up, 0, 1);

const handle = (request: WriterRequest): void => {
  switch (request.op) {
    case "apply":
      writer.apply(request.projection, request.ops, request.checkpoint);
      return;
    case "checkpoint":
      writer.setCheckpoint(request.projection, request.checkpoint);
      return;
    case "reset":
      writer.reset();
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

port.on("message", (request: WriterRequest) => {
  let reply: WriterReply;
  try {
    handle(request);
    reply = { id: request.id, ok: true };
  } catch (error) {
    reply = { id: request.id, ok: false, error: describeFailure(error) };
  }
  port.postMessage(reply);
  // With its port closed the thread has nothing left to do and exits.
  if (request.op === "close") port.close();
});
