import { processMemory } from "../harness/memory.ts";

/**
 * Worker side of harness/child.ts: the input arrives as the first IPC message (argv would cap it at
 * 128 KiB, less than the presigned URLs of a 1 GiB file), results go back the same way.
 */
export function workerInput<T>(): Promise<T> {
  return new Promise((resolve, reject) => {
    if (!process.send) return reject(new Error("not started with an IPC channel"));
    process.once("message", (message: { type: string; input?: unknown }) => {
      if (message.type === "input") resolve(message.input as T);
      else reject(new Error(`expected the input message first, got ${message.type}`));
    });
  });
}

export function send(type: string, body: Record<string, unknown> = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!process.send) return reject(new Error("not started with an IPC channel"));
    process.send({ type, ...body }, (error: Error | null) => (error ? reject(error) : resolve()));
  });
}

/** Reports the result with this process's peak memory, then exits. */
export async function finish(body: Record<string, unknown>): Promise<never> {
  await send("result", { ...body, memory: processMemory() });
  process.exit(0);
}

/** Runs a worker's main; any failure is sent as an `error` message before exiting non-zero. */
export function runWorker(main: () => Promise<void>): void {
  main().catch(async (error: unknown) => {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    await send("error", { message }).catch(() => undefined);
    process.exit(1);
  });
}

export function onMessage(handler: (message: { type: string; [key: string]: unknown }) => void | Promise<void>): void {
  process.on("message", (message: { type: string }) => {
    Promise.resolve(handler(message)).catch(async (error: unknown) => {
      await send("error", { message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    });
  });
}
