import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Result } from "../result.ts";
import type { StoredChunk } from "./decide.ts";
import { decideUpload, type UploadCommand } from "./decide.ts";
import type { UploadEvent } from "./events.ts";
import { evolveUpload, initialUploadState, type UploadState } from "./state.ts";
import { NOW, sha, startUpload } from "./test-fixtures.ts";

const EXPIRED = "2026-11-26T00:00:00.000Z";
const exact = (index: number): StoredChunk => ({ size: 10, sha256: sha(index) });

const started = (chunks: number, present: number[] = []): UploadState => {
  const decision = decideUpload(initialUploadState, startUpload(chunks, present), NOW);
  if (!decision.ok) throw new Error(decision.error.message);
  return decision.value.reduce(evolveUpload, initialUploadState);
};

/** A batch whose chunks storage holds exactly, unless `stored` says otherwise for some. */
const batch = (indexes: number[], stored: [number, StoredChunk | null][] = []): UploadCommand => ({
  type: "ConfirmChunks",
  data: {
    indexes,
    stored: new Map([...indexes.map((index): [number, StoredChunk | null] => [index, exact(index)]), ...stored]),
    via: "client",
  },
});

const apply = (state: UploadState, decision: Result<UploadEvent[]>): UploadState =>
  decision.ok ? decision.value.reduce(evolveUpload, state) : state;
const appendedIndexes = (decision: Result<UploadEvent[]>): number[] =>
  decision.ok ? decision.value.map((event) => (event.type === "ChunkUploaded" ? event.data.index : -1)) : [];
const refusal = (decision: Result<UploadEvent[]>) => (decision.ok ? null : decision.error);

describe("batch chunk confirmation", () => {
  it("appends one ChunkUploaded per chunk, in the order listed", () => {
    const decision = decideUpload(started(6), batch([4, 0, 5, 2]), NOW);
    expect(appendedIndexes(decision)).toEqual([4, 0, 5, 2]);
    expect(decision.ok && decision.value.every((event) => event.type === "ChunkUploaded" && event.data.via === "client")).toBe(
      true,
    );
  });

  it("counts nothing when one chunk is not stored, and names every chunk that is not", () => {
    const decision = decideUpload(
      started(5),
      batch(
        [0, 1, 2, 3],
        [
          [1, null],
          [3, null],
        ],
      ),
      NOW,
    );
    expect(refusal(decision)).toMatchObject({ code: "chunk_not_found", details: { indexes: [1, 3] } });
  });

  it("a chunk the caller did not ask storage about is taken as not stored", () => {
    const command: UploadCommand = { type: "ConfirmChunks", data: { indexes: [0, 1], stored: new Map(), via: "client" } };
    expect(refusal(decideUpload(started(2), command, NOW))).toMatchObject({
      code: "chunk_not_found",
      details: { indexes: [0, 1] },
    });
  });

  it("a mismatch outranks an absence and lists only the mismatches", () => {
    const decision = decideUpload(
      started(5),
      batch(
        [0, 1, 2, 3],
        [
          [1, null],
          [2, { size: 9, sha256: null }],
          [3, { size: 10, sha256: sha(99) }],
        ],
      ),
      NOW,
    );
    expect(refusal(decision)).toMatchObject({ code: "chunk_mismatch", details: { indexes: [2, 3] } });
  });

  it("a store that cannot tell the digest is trusted on size alone, as for one chunk", () => {
    const decision = decideUpload(started(2), batch([0, 1], [[1, { size: 10, sha256: null }]]), NOW);
    expect(appendedIndexes(decision)).toEqual([0, 1]);
  });

  it("refuses indexes the upload does not have, naming them, before asking anything else", () => {
    const decision = decideUpload(started(3), batch([0, 7, 2, 3], [[0, null]]), NOW);
    expect(refusal(decision)).toMatchObject({ code: "invalid_chunk_index", details: { indexes: [7, 3] } });
  });

  it("chunks already counted append nothing; a repeat of the whole batch is answered with nothing to append", () => {
    const open = started(4, [1]);
    const first = decideUpload(open, batch([0, 1, 2]), NOW);
    expect(appendedIndexes(first)).toEqual([0, 2]);
    const after = apply(open, first);
    expect(decideUpload(after, batch([0, 1, 2]), NOW)).toEqual({ ok: true, value: [] });
    // Counted chunks need no storage answer at all: a repeat is idempotent even if storage now says otherwise.
    expect(decideUpload(after, batch([2, 0], [[0, null]]), NOW)).toEqual({ ok: true, value: [] });
    expect(appendedIndexes(decideUpload(after, batch([2, 3, 0]), NOW))).toEqual([3]);
  });

  it("an index listed twice counts once", () => {
    expect(appendedIndexes(decideUpload(started(3), batch([1, 1, 0]), NOW))).toEqual([1, 0]);
  });

  it("aborted, expired, unknown and completed uploads answer as the single confirmation does", () => {
    const open = started(2);
    const aborted = apply(open, decideUpload(open, { type: "AbortUpload" }, NOW));
    expect(refusal(decideUpload(aborted, batch([0]), NOW))?.code).toBe("upload_not_open");
    expect(refusal(decideUpload(open, batch([0]), EXPIRED))?.code).toBe("upload_expired");
    expect(refusal(decideUpload(initialUploadState, batch([0]), NOW))?.code).toBe("upload_not_found");
    const confirmed = apply(open, decideUpload(open, batch([0, 1]), NOW));
    // Every chunk counted: nothing to do even once the upload has expired.
    expect(decideUpload(confirmed, batch([1, 0]), EXPIRED)).toEqual({ ok: true, value: [] });
  });

  it("for any batches, the state is the one confirming their chunks one at a time yields, and a refusal has a cause", () => {
    // Mostly exact answers, so that many batches pass and the rest are refused for a reason.
    const stored = fc.option(fc.constantFrom<"exact" | "short" | "other">("exact", "exact", "exact", "exact", "short", "other"), {
      nil: null,
      freq: 12,
    });
    const seen = { counted: 0, refused: 0 };
    const storedChunk = (index: number, kind: "exact" | "short" | "other" | null): StoredChunk | null =>
      kind === null ? null : kind === "exact" ? exact(index) : kind === "short" ? { size: 3, sha256: null } : exact(index + 1);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.array(fc.tuple(fc.nat(9), stored), { minLength: 1, maxLength: 6 }), { maxLength: 6 }),
        (count, batches) => {
          let batched = started(count);
          let single = started(count);
          for (const entries of batches) {
            const indexes = entries.map(([index]) => index);
            const answers = new Map(entries.map(([index, kind]) => [index, storedChunk(index, kind)]));
            const command: UploadCommand = { type: "ConfirmChunks", data: { indexes, stored: answers, via: "client" } };
            const decision = decideUpload(batched, command, NOW);
            if (!decision.ok) {
              // All or nothing: a refusal means some listed chunk was unknown, absent or wrong.
              const bad = entries.some(
                ([index]) =>
                  index >= count ||
                  (batched.status === "open" &&
                    batched.chunkStatus[index] === "missing" &&
                    !sameAsDeclared(index, answers.get(index))),
              );
              expect(bad).toBe(true);
              seen.refused++;
              continue;
            }
            if (decision.value.length > 0) seen.counted++;
            batched = apply(batched, decision);
            for (const index of new Set(indexes)) {
              single = apply(
                single,
                decideUpload(
                  single,
                  { type: "ConfirmChunk", data: { index, stored: answers.get(index) ?? null, via: "client" } },
                  NOW,
                ),
              );
            }
            expect(batched).toEqual(single);
          }
        },
      ),
    );
    expect(seen.counted).toBeGreaterThan(0);
    expect(seen.refused).toBeGreaterThan(0);
  });
});

const sameAsDeclared = (index: number, stored: StoredChunk | null | undefined): boolean =>
  stored?.size === 10 && (stored.sha256 === null || stored.sha256 === sha(index));
