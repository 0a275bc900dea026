import type { Readable } from "node:stream";

/**
 * Reads `source` to its end, handing over one chunk at a time and waiting for each (so a slow
 * disk slows the client down instead of buffering in memory). Unlike `pipeline`, it never
 * destroys the source when `onChunk` throws: the source is an HTTP request, and destroying it
 * would tear down the socket before the server could answer why it stopped reading.
 */
export function readBody(source: Readable, onChunk: (chunk: Buffer) => void | Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    let chain: Promise<void> = Promise.resolve();
    let settled = false;
    const finish = (error: unknown): void => {
      if (settled) return;
      settled = true;
      source.off("data", onData).off("end", onEnd).off("error", onError).off("close", onClose);
      source.pause();
      if (error === undefined) resolve();
      else reject(error);
    };
    const onData = (chunk: Buffer | string): void => {
      source.pause();
      const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
      chain = chain.then(() => onChunk(bytes));
      chain.then(
        () => {
          if (!settled) source.resume();
        },
        (error: unknown) => finish(error),
      );
    };
    // `end` can fire while the last chunk is still being written; wait for it.
    const onEnd = (): void => {
      chain.then(
        () => finish(undefined),
        (error: unknown) => finish(error),
      );
    };
    const onError = (error: Error): void => finish(error);
    const onClose = (): void => {
      if (!source.readableEnded) finish(new BodyAbortedError());
    };
    source.on("data", onData).on("end", onEnd).on("error", onError).on("close", onClose);
    source.resume();
  });
}

/** The client went away before sending the whole body. */
export class BodyAbortedError extends Error {
  override readonly name = "BodyAbortedError";
  constructor() {
    super("the client closed the connection before the body was complete");
  }
}
