import { ErrorType, isCommandError } from "@eventstore/db-client";
import { StoreUnavailableError } from "../ports/index.ts";

// Failures that say "the store cannot answer right now", as opposed to "the request is wrong".
// A follower that cannot take the write (NOT_LEADER) is the same to a caller: retry later.
const UNAVAILABLE_TYPES: ReadonlySet<string> = new Set([
  ErrorType.UNAVAILABLE,
  ErrorType.DEADLINE_EXCEEDED,
  ErrorType.TIMEOUT,
  ErrorType.NOT_LEADER,
]);

// gRPC status codes that mean the transport, not the request, failed: UNAVAILABLE, DEADLINE_EXCEEDED,
// RESOURCE_EXHAUSTED. The client leaves some of them unconverted (e.g. during channel set-up).
const UNAVAILABLE_GRPC_CODES: ReadonlySet<number> = new Set([14, 4, 8]);

export function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (isCommandError(error) && UNAVAILABLE_TYPES.has(error.type)) return true;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "number" && UNAVAILABLE_GRPC_CODES.has(code)) return true;
  return typeof code === "string" && ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "ENOTFOUND"].includes(code);
}

/** Port errors for transport failures; everything else is rethrown as it is. */
export function toPortError(error: unknown, doing: string): unknown {
  if (!isUnavailable(error)) return error;
  const cause = error instanceof Error ? error.message : String(error);
  return new StoreUnavailableError(`EventStoreDB unavailable while ${doing}: ${cause}`, { cause: error });
}
