import type { Ops } from "./read-write-ops.ts";

/** What the read store asks of its writer thread; each request is answered once, in order. */
export type WriterRequest =
  | {
      readonly id: number;
      readonly op: "apply";
      readonly projection: string;
      readonly ops: Ops;
      readonly checkpoint: string;
      /** The next batch follows at once: the thread may hold the transaction open for it. */
      readonly more: boolean;
    }
  | { readonly id: number; readonly op: "checkpoint"; readonly projection: string; readonly checkpoint: string }
  | { readonly id: number; readonly op: "reset" }
  | { readonly id: number; readonly op: "indexes" }
  | { readonly id: number; readonly op: "resume"; readonly projection: string }
  | { readonly id: number; readonly op: "close" };

/** An error as it crosses the thread boundary: structured cloning keeps neither its class nor its `code`. */
export interface WriterFailure {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
}

export type WriterReply =
  | { readonly id: number; readonly ok: true }
  | { readonly id: number; readonly ok: false; readonly error: WriterFailure };

export function describeFailure(error: unknown): WriterFailure {
  if (!(error instanceof Error)) return { name: "Error", message: String(error) };
  const code = (error as { code?: unknown }).code;
  return { name: error.name, message: error.message, ...(typeof code === "string" ? { code } : {}) };
}

/** The failure as an Error again, with the driver's code, so the store maps it as it maps its own. */
export function failureError({ name, message, code }: WriterFailure): Error {
  const error = new Error(message) as Error & { code?: string };
  error.name = name;
  if (code !== undefined) error.code = code;
  return error;
}
