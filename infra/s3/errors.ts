import { S3ServiceException } from "@aws-sdk/client-s3";
import { StoreUnavailableError } from "../ports/index.ts";

const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "ENOTFOUND", "EPIPE", "EAI_AGAIN"]);

/** A 404 from HEAD has no body, so the SDK names it "NotFound"; GET-style calls say "NoSuchKey". */
export function isNotFound(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === "NotFound" || error.name === "NoSuchKey") return true;
  return error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404;
}

/** Transport failures and server-side 5xx/throttling mean "try later": the API answers 503. */
export function toPortError(error: unknown, doing: string): unknown {
  if (!(error instanceof Error)) return error;
  const code = (error as { code?: unknown }).code;
  const status = error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
  const transport = typeof code === "string" && NETWORK_CODES.has(code);
  const server = status !== undefined && (status >= 500 || status === 429);
  const timeout = error.name === "TimeoutError" || error.name === "RequestTimeout";
  if (!transport && !server && !timeout) return error;
  return new StoreUnavailableError(`S3 unavailable while ${doing}: ${error.message}`, { cause: error });
}
