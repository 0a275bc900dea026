import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { FileId, Namespace, UploadId } from "../ids.ts";
import type { ChunkSpec } from "../manifest.ts";
import type { NormalizedPath } from "../path.ts";
import type { UploadEvent } from "./events.ts";
import { foldUpload } from "./fold.ts";
import { evolveUpload, initialUploadState } from "./state.ts";
import { sha } from "./test-fixtures.ts";

const uploadId = "upload-1" as UploadId;
const facts = {
  uploadId,
  namespace: "alice" as Namespace,
  path: "/a.bin" as NormalizedPath,
  size: 100,
  baseRevision: null,
  expiresAt: "2026-11-25T10:00:00.000Z",
  startedAt: "2026-11-24T10:00:00.000Z",
};
const chunks = (from: number, count: number): ChunkSpec[] =>
  Array.from({ length: count }, (_, i) => ({ index: from + i, size: 10, sha256: sha(from + i) }));

/**
 * Any upload event, including those the deciders would never write in that place (a chunk counted
 * twice or out of range, a part that does not continue the manifest, events after the end): the
 * fold must agree with evolveUpload on every sequence, not just the well-formed ones.
 */
const anEvent: fc.Arbitrary<UploadEvent> = fc.oneof(
  fc.record({ count: fc.nat(6), present: fc.array(fc.nat(6)), complete: fc.boolean() }).map(
    ({ count, present, complete }): UploadEvent => ({
      type: "UploadStarted",
      data: { ...facts, contentHash: "", chunks: chunks(0, count), present, manifestComplete: complete },
    }),
  ),
  fc.record({ from: fc.nat(12), count: fc.nat(4), present: fc.array(fc.nat(4)), complete: fc.boolean() }).map(
    ({ from, count, present, complete }): UploadEvent => ({
      type: "ManifestPartAdded",
      data: {
        ...facts,
        from,
        chunks: chunks(from, count),
        present,
        manifestComplete: complete,
        contentHash: complete ? "c" : "",
      },
    }),
  ),
  {
    arbitrary: fc
      .nat(14)
      .map((index): UploadEvent => ({ type: "ChunkUploaded", data: { uploadId, index, sha256: sha(index), via: "client" } })),
    weight: 4,
  },
  fc.constant<UploadEvent>({
    type: "UploadCompleted",
    data: { uploadId, path: facts.path, fileId: "file-1" as FileId, revision: 1, size: 100, contentHash: "c", conflict: false },
  }),
  fc.constant<UploadEvent>({ type: "UploadAborted", data: { uploadId } }),
);

/** Mostly starts first, as real streams do, with enough chunk events to count most chunks. */
const aStream = fc.tuple(fc.boolean(), fc.array(anEvent, { maxLength: 40 })).map(([started, rest]) =>
  started
    ? [
        {
          type: "UploadStarted",
          data: { ...facts, contentHash: "", chunks: chunks(0, 4), present: [1], manifestComplete: false },
        } as UploadEvent,
        ...rest,
      ]
    : rest,
);

const oneByOne = (events: readonly UploadEvent[], from = initialUploadState) => events.reduce(evolveUpload, from);

describe("foldUpload", () => {
  test("gives the state evolveUpload gives one event at a time, for any events", () => {
    fc.assert(
      fc.property(aStream, (events) => {
        expect(foldUpload(initialUploadState, events)).toEqual(oneByOne(events));
      }),
      { numRuns: 500 },
    );
  });

  test("continues from any state without changing it: the lists it changes in place are its own copies", () => {
    fc.assert(
      fc.property(aStream, fc.nat(), (events, cut) => {
        const at = events.length === 0 ? 0 : cut % (events.length + 1);
        const before = foldUpload(initialUploadState, events.slice(0, at));
        const snapshot = structuredClone(before);
        const after = foldUpload(before, events.slice(at));
        expect(after).toEqual(oneByOne(events));
        expect(before).toEqual(snapshot);
        // A second fold from the same state sees the state as it was, not the first fold's changes.
        expect(foldUpload(before, events.slice(at))).toEqual(after);
      }),
      { numRuns: 500 },
    );
  });
});
