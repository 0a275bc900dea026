import { ANY, type AppendExpectedRevision, type CurrentRevision, NO_STREAM } from "@eventstore/db-client";
import type { ExpectedRevision } from "../ports/index.ts";

/** The port counts revisions as numbers; the client uses bigint (ESDB revisions are u64). */
export function toEsdbExpected(expected: ExpectedRevision): AppendExpectedRevision {
  if (expected === "no_stream") return NO_STREAM;
  if (expected === "any") return ANY;
  if (!Number.isSafeInteger(expected) || expected < 0) throw new RangeError(`invalid expected revision ${expected}`);
  return BigInt(expected);
}

export function fromEsdbCurrent(current: CurrentRevision | AppendExpectedRevision): number | "no_stream" {
  // The server reports "no_stream" (or -1 in a failed append's answer) for a stream that was never
  // written; anything else that is not a number (e.g. "stream_exists" echoed back) has no revision.
  return typeof current === "bigint" && current >= 0n ? Number(current) : "no_stream";
}
