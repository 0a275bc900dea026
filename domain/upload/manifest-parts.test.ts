import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { FileId, Namespace, Sha256Hex, UploadId } from "../ids.ts";
import { type ChunkSpec, MAX_CHUNKS } from "../manifest.ts";
import type { NormalizedPath } from "../path.ts";
import type { Result } from "../result.ts";
import { decideUpload, readyToComplete, type UploadCommand } from "./decide.ts";
import type { UploadEvent } from "./events.ts";
import { evolveUpload, initialUploadState, type UploadState } from "./state.ts";

const NOW = "2026-11-24T10:00:00.000Z";
const LATER = "2026-11-24T10:05:00.000Z";
const sha = (n: number) => n.toString(16).padStart(64, "0") as Sha256Hex;
const chunksOf = (from: number, count: number, seed = 0): ChunkSpec[] =>
  Array.from({ length: count }, (_, i) => ({ index: from + i, size: 10, sha256: sha(seed + from + i) }));

const start = (size: number, first: ChunkSpec[], complete: boolean): UploadCommand => ({
  type: "StartUpload",
  data: {
    uploadId: "upload-1" as UploadId,
    namespace: "alice" as Namespace,
    path: "/a.bin" as NormalizedPath,
    manifest: { size, chunks: first, complete },
    contentHash: complete ? "c".repeat(64) : "",
    present: [],
    baseRevision: null,
    expiresAt: "2026-11-25T10:00:00.000Z",
  },
});
const part = (from: number, chunks: ChunkSpec[], complete: boolean, present: number[] = []): UploadCommand => ({
  type: "AddManifestPart",
  data: { from, chunks, manifestComplete: complete, contentHash: complete ? "d".repeat(64) : null, present },
});
const confirm = (index: number): UploadCommand => ({
  type: "ConfirmChunk",
  data: { index, stored: { size: 10, sha256: sha(index) }, via: "client" },
});

const apply = (state: UploadState, decision: Result<UploadEvent[]>): UploadState =>
  decision.ok ? decision.value.reduce(evolveUpload, state) : state;
const run = (state: UploadState, command: UploadCommand, now = NOW) => apply(state, decideUpload(state, command, now));
const errorOf = (decision: Result<UploadEvent[]>) => (decision.ok ? null : decision.error);
const opened = (size = 50) => run(initialUploadState, start(size, chunksOf(0, 2), false));

describe("an upload whose manifest is declared in parts", () => {
  it("given an open manifest, when the next part arrives, then its chunks are appended and can be confirmed", () => {
    const state = opened();
    expect(state).toMatchObject({ status: "open", manifestComplete: false, contentHash: "", startedAt: NOW });
    expect(errorOf(decideUpload(state, confirm(2), NOW))?.code).toBe("invalid_chunk_index");

    const decision = decideUpload(state, part(2, chunksOf(2, 2), false, [3]), LATER);
    expect(decision.ok && decision.value.map((event) => event.type)).toEqual(["ManifestPartAdded"]);
    const extended = apply(state, decision);
    if (extended.status !== "open") throw new Error("open");
    expect(extended.chunks.map((chunk) => chunk.index)).toEqual([0, 1, 2, 3]);
    expect(extended.chunkStatus).toEqual(["missing", "missing", "missing", "present"]);
    // The part repeats the upload's facts, with the time the upload began, not the part's.
    expect(decision.ok && decision.value[0]?.data).toMatchObject({ startedAt: NOW, namespace: "alice", size: 50, from: 2 });
    expect(run(extended, confirm(2))).toMatchObject({ chunkStatus: ["missing", "missing", "uploaded", "present"] });
  });

  it("completion is refused while the manifest is open, even with every declared chunk stored", () => {
    let state = opened();
    for (const index of [0, 1]) state = run(state, confirm(index));
    const refused = readyToComplete(state, NOW);
    expect(refused.ok || refused.error).toMatchObject({
      code: "chunks_missing",
      details: { missing: [], manifestComplete: false, next: 2 },
    });
    state = run(state, part(2, chunksOf(2, 3), true));
    expect(state).toMatchObject({ manifestComplete: true, contentHash: "d".repeat(64) });
    expect(readyToComplete(state, NOW).ok).toBe(false);
    for (const index of [2, 3, 4]) state = run(state, confirm(index));
    expect(readyToComplete(state, NOW).ok).toBe(true);
  });

  it("the same part again is answered with nothing appended; a gap or other chunks at declared indexes is a conflict", () => {
    const state = run(opened(), part(2, chunksOf(2, 2), false));
    expect(decideUpload(state, part(2, chunksOf(2, 2), false), NOW)).toEqual({ ok: true, value: [] });
    expect(decideUpload(state, part(0, chunksOf(0, 2), false), NOW)).toEqual({ ok: true, value: [] });
    expect(errorOf(decideUpload(state, part(5, chunksOf(5, 1), false), NOW))).toMatchObject({
      code: "chunks_missing",
      details: { next: 4 },
    });
    expect(errorOf(decideUpload(state, part(2, chunksOf(2, 2, 100), false), NOW))).toMatchObject({
      code: "upload_exists",
      details: { next: 4 },
    });
    // Overlapping what is declared and running past it is not a retry either.
    expect(errorOf(decideUpload(state, part(3, chunksOf(3, 2), false), NOW))?.code).toBe("upload_exists");
    // Saying "complete" about a part that was not the last is a different request.
    expect(errorOf(decideUpload(state, part(2, chunksOf(2, 2), true), NOW))?.code).toBe("upload_exists");
  });

  it("a complete manifest takes no more parts, but its last part may be retried", () => {
    const complete = run(opened(40), part(2, chunksOf(2, 2), true));
    expect(decideUpload(complete, part(2, chunksOf(2, 2), true), NOW)).toEqual({ ok: true, value: [] });
    expect(errorOf(decideUpload(complete, part(4, chunksOf(4, 1), false), NOW))).toMatchObject({
      code: "upload_exists",
      details: { next: 4, manifestComplete: true },
    });
  });

  it("sizes and counts are enforced per part against the whole file's size", () => {
    const state = opened(50);
    const code = (command: UploadCommand) => errorOf(decideUpload(state, command, NOW))?.code;
    expect(code(part(2, chunksOf(2, 4), false))).toBe("invalid_manifest"); // 60 > 50 bytes
    expect(code(part(2, chunksOf(2, 2), true))).toBe("invalid_manifest"); // 40 ≠ 50 though "complete"
    expect(code(part(2, chunksOf(2, 3), false))).toBe("invalid_manifest"); // reaches 50 yet "open"
    expect(decideUpload(state, part(2, [], false), NOW)).toEqual({ ok: true, value: [] });
    const many = run(initialUploadState, start(MAX_CHUNKS * 10 + 10, chunksOf(0, MAX_CHUNKS - 1), false));
    expect(errorOf(decideUpload(many, part(MAX_CHUNKS - 1, chunksOf(MAX_CHUNKS - 1, 2), false), NOW))?.code).toBe("too_large");
  });

  it("parts of an aborted, completed or expired upload are refused", () => {
    const state = opened();
    const aborted = run(state, { type: "AbortUpload" });
    expect(errorOf(decideUpload(aborted, part(2, chunksOf(2, 1), false), NOW))?.code).toBe("upload_not_open");
    expect(errorOf(decideUpload(state, part(2, chunksOf(2, 1), false), "2026-11-26T00:00:00.000Z"))?.code).toBe("upload_expired");
    expect(errorOf(decideUpload(initialUploadState, part(0, chunksOf(0, 1), false), NOW))?.code).toBe("upload_not_found");
  });

  it("a retried start is the same upload while its first part still matches, even after more parts", () => {
    const state = run(opened(), part(2, chunksOf(2, 1), false));
    expect(decideUpload(state, start(50, chunksOf(0, 2), false), NOW)).toEqual({ ok: true, value: [] });
    expect(errorOf(decideUpload(state, start(50, chunksOf(0, 2, 7), false), NOW))?.code).toBe("upload_exists");
    expect(errorOf(decideUpload(state, start(60, chunksOf(0, 2), false), NOW))?.code).toBe("upload_exists");
  });

  it("for any split of a manifest into parts, retried in any way, the upload ends with exactly the whole manifest", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 12 }),
        fc.array(fc.nat(20), { maxLength: 6 }),
        (count, cuts, retries) => {
          const all = chunksOf(0, count);
          const size = count * 10;
          const bounds: number[] = [];
          for (let at = cuts[0] ?? count, i = 1; at < count; at += cuts[i++] ?? count) bounds.push(at);
          const starts = [0, ...bounds];
          const parts = starts.map((from, i) => ({ from, chunks: all.slice(from, starts[i + 1] ?? count) }));
          const commandFor = (i: number) => {
            const { from, chunks } = parts[i]!;
            const last = i === parts.length - 1;
            return i === 0 ? start(size, chunks, last) : part(from, chunks, last);
          };
          let state = initialUploadState;
          let appended = 0;
          for (let i = 0; i < parts.length; i++) {
            const decision = decideUpload(state, commandFor(i), NOW);
            expect(decision.ok).toBe(true);
            if (decision.ok) appended += decision.value.length;
            state = apply(state, decision);
            for (const retry of retries) {
              const again = decideUpload(state, commandFor(retry % (i + 1)), NOW);
              expect(again).toEqual({ ok: true, value: [] });
            }
          }
          expect(appended).toBe(parts.length);
          expect(state).toMatchObject({ status: "open", manifestComplete: true, chunks: all });
          for (let index = 0; index < count; index++) state = run(state, confirm(index));
          expect(readyToComplete(state, NOW).ok).toBe(true);
          const result = {
            path: "/a.bin" as NormalizedPath,
            fileId: "f" as FileId,
            revision: 1,
            size,
            contentHash: "x",
            conflict: false,
          };
          expect(run(state, { type: "CompleteUpload", data: { result } }).status).toBe("completed");
        },
      ),
    );
  });
});
