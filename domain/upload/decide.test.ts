import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { FileId, Sha256Hex } from "../ids.ts";
import { decideUpload, readyToComplete, type UploadCommand } from "./decide.ts";
import { evolveUpload, initialUploadState, missingChunks, type UploadState } from "./state.ts";
import { NOW, sha, startUpload } from "./test-fixtures.ts";

const confirm = (
  index: number,
  stored: { size: number; sha256: Sha256Hex | null } | null = { size: 10, sha256: sha(index) },
): UploadCommand => ({
  type: "ConfirmChunk",
  data: { index, stored, via: "client" },
});
const run = (state: UploadState, command: UploadCommand, now = NOW): UploadState => {
  const decision = decideUpload(state, command, now);
  return decision.ok ? decision.value.reduce(evolveUpload, state) : state;
};

describe("upload decider", () => {
  it("confirms only chunks storage holds exactly", () => {
    const open = run(initialUploadState, startUpload(3));
    expect((decideUpload(open, confirm(0, null), NOW) as { error: { code: string } }).error.code).toBe("chunk_not_found");
    expect((decideUpload(open, confirm(0, { size: 9, sha256: null }), NOW) as { error: { code: string } }).error.code).toBe(
      "chunk_mismatch",
    );
    expect((decideUpload(open, confirm(0, { size: 10, sha256: sha(7) }), NOW) as { error: { code: string } }).error.code).toBe(
      "chunk_mismatch",
    );
    expect((decideUpload(open, confirm(5), NOW) as { error: { code: string } }).error.code).toBe("invalid_chunk_index");
    expect(decideUpload(open, confirm(0), "2026-11-26T00:00:00.000Z").ok).toBe(false);
  });

  it("present chunks need no upload; completion waits for the rest and lists them", () => {
    const open = run(initialUploadState, startUpload(3, [1]));
    const early = readyToComplete(open, NOW);
    expect(early.ok || early.error.details).toEqual({ missing: [0, 2] });
  });

  it("for any order and repetition of confirmations: each chunk is confirmed once, and completion needs them all", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 6 }), fc.array(fc.nat(8)), (count, order) => {
        let state = run(initialUploadState, startUpload(count));
        let appended = 0;
        for (const index of order) {
          const decision = decideUpload(state, confirm(index), NOW);
          if (decision.ok) {
            appended += decision.value.length;
            state = decision.value.reduce(evolveUpload, state);
          }
        }
        const distinct = new Set(order.filter((index) => index < count)).size;
        expect(appended).toBe(distinct);
        if (state.status !== "open") throw new Error("still open");
        expect(missingChunks(state).length).toBe(count - distinct);
        expect(readyToComplete(state, NOW).ok).toBe(distinct === count);
        const result = {
          path: state.path,
          fileId: "f" as FileId,
          revision: 1,
          size: state.size,
          contentHash: state.contentHash,
          conflict: false,
        };
        const completed = run(state, { type: "CompleteUpload", data: { result } });
        expect(completed.status).toBe(distinct === count ? "completed" : "open");
        // Completing again is the same answer with nothing appended.
        if (completed.status === "completed")
          expect(decideUpload(completed, { type: "CompleteUpload", data: { result } }, NOW)).toEqual({ ok: true, value: [] });
      }),
    );
  });

  it("a retried start with the same manifest appends nothing; another manifest under the same id is refused", () => {
    const open = run(initialUploadState, startUpload(2));
    expect(decideUpload(open, startUpload(2), NOW)).toEqual({ ok: true, value: [] });
    expect((decideUpload(open, startUpload(3), NOW) as { error: { code: string } }).error.code).toBe("upload_exists");
  });
});
