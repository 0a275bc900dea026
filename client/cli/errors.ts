import { ApiError, NetworkError } from "../api/errors.ts";
import { ExitCode } from "./exit-codes.ts";

/** A problem with how the CLI was called: arguments, flags or environment. Exits with 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** A file or remote path that does not exist. Exits with 3. */
export class NotFoundError extends Error {
  override readonly name = "NotFoundError";
}

/** The operation completed, but a concurrent change won (e.g. a conflicted copy was made). Exits with 4. */
export class ConflictError extends Error {
  override readonly name = "ConflictError";
  constructor(
    message: string,
    /** What the command did anyway, printed with --json so scripts can find the copy. */
    readonly result?: unknown,
  ) {
    super(message);
  }
}

/** The user interrupted the command. */
export class InterruptedError extends Error {
  override readonly name = "InterruptedError";
  constructor() {
    super("interrupted");
  }
}

/** Which exit code an error means, so every command maps failures the same way. */
export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof UsageError) return ExitCode.usage;
  if (error instanceof NotFoundError) return ExitCode.notFound;
  if (error instanceof ConflictError) return ExitCode.conflict;
  if (error instanceof InterruptedError) return ExitCode.interrupted;
  if (error instanceof NetworkError) return ExitCode.unavailable;
  if (error instanceof ApiError) {
    if (error.status === 401 || error.status === 403) return ExitCode.auth;
    if (error.status === 404) return ExitCode.notFound;
    if (error.status === 409 || error.status === 412) return ExitCode.conflict;
    if (error.status === 400 || error.status === 413) return ExitCode.usage;
    if (error.status === 502 || error.status === 503 || error.status === 504) return ExitCode.unavailable;
    return ExitCode.failure;
  }
  if (isNodeError(error, "ENOENT")) return ExitCode.notFound;
  return ExitCode.failure;
}

export const isNodeError = (error: unknown, code: string): boolean =>
  error instanceof Error && (error as Error & { code?: unknown }).code === code;
