import {
  MongoNetworkError,
  MongoNotConnectedError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
  MongoWriteConcernError,
} from "mongodb";
import { StoreUnavailableError } from "../ports/index.ts";

/** Transport failures and a server that cannot be selected mean "try later"; anything else is a bug. */
export function isUnavailable(error: unknown): boolean {
  return (
    error instanceof MongoNetworkError ||
    error instanceof MongoServerSelectionError ||
    error instanceof MongoNotConnectedError ||
    error instanceof MongoTopologyClosedError ||
    error instanceof MongoWriteConcernError
  );
}

export function toPortError(error: unknown, doing: string): unknown {
  if (!isUnavailable(error)) return error;
  const cause = error instanceof Error ? error.message : String(error);
  return new StoreUnavailableError(`MongoDB unavailable while ${doing}: ${cause}`, { cause: error });
}
