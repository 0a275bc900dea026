import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { FileId, UploadId } from "../ids.ts";
import type { NormalizedPath } from "../path.ts";
import { decideFile, type FileCommand } from "./decide.ts";
import type { FileEvent, FileVersion } from "./events.ts";
import { evolveFile, type FileState, initialFileState } from "./state.ts";

const path = "/docs/a.txt" as NormalizedPath;
const version = (tag: string): FileVersion => ({ size: tag.length, contentHash: tag.padEnd(64, "0"), chunks: [] });
const commit = (uploadId: string, baseRevision: number | null, tag = uploadId): FileCommand => ({
  type: "CommitVersion",
  data: {
    path,
    newFileId: `f-${uploadId}` as FileId,
    uploadId: uploadId as UploadId,
    baseRevision,
    version: version(tag),
    conflictOf: null,
  },
});

/** given events, when a command, then the events it decides (or its error code). */
function given(...commands: FileCommand[]): FileState {
  return commands.reduce<FileState>((state, command) => {
    const decision = decideFile(state, command);
    if (!decision.ok) throw new Error(decision.error.message);
    return decision.value.reduce(evolveFile, state);
  }, initialFileState);
}

describe("file decider", () => {
  it("given nothing, when a commit, then a first version with the upload's file id", () => {
    const result = decideFile(initialFileState, commit("u1", null));
    expect(result.ok && result.value).toEqual([
      expect.objectContaining({ type: "FileVersionCommitted", data: expect.objectContaining({ revision: 1, fileId: "f-u1" }) }),
    ]);
  });

  it("given a version, when a commit on a stale base with other bytes, then stale_base; with the same bytes, nothing", () => {
    const state = given(commit("u1", null), commit("u2", 1));
    const stale = decideFile(state, commit("u3", 1));
    expect(stale.ok || stale.error.code).toBe("stale_base");
    const agreeing = decideFile(state, commit("u4", 1, "u2"));
    expect(agreeing).toEqual({ ok: true, value: [] });
  });

  it("a retried completion of the same upload appends nothing", () => {
    const state = given(commit("u1", null));
    expect(decideFile(state, commit("u1", null))).toEqual({ ok: true, value: [] });
  });

  it("delete checks the base revision; move out then in keeps the file id; restore on a moved path takes a new id", () => {
    const state = given(commit("u1", null), commit("u2", 1));
    const stale = decideFile(state, { type: "DeleteFile", data: { baseRevision: 1 } });
    expect(stale.ok || stale.error.code).toBe("revision_conflict");
    const moved = given(commit("u1", null), { type: "MoveOut", data: { to: "/b.txt" as NormalizedPath, baseRevision: null } });
    expect(moved.status).toBe("moved");
    expect(decideFile(moved, { type: "MoveOut", data: { to: "/b.txt" as NormalizedPath, baseRevision: null } })).toEqual({
      ok: true,
      value: [],
    });
    const restored = decideFile(moved, {
      type: "Restore",
      data: { fromRevision: 1, version: version("u1"), newFileId: "fresh" as FileId },
    });
    expect(restored.ok && restored.value[0]?.data.fileId).toBe("fresh");
  });

  const command: fc.Arbitrary<FileCommand> = fc.oneof(
    fc
      .tuple(fc.constantFrom("u1", "u2", "u3", "u4"), fc.option(fc.integer({ min: 1, max: 8 }), { nil: null }))
      .map(([u, base]) => commit(u, base)),
    fc
      .option(fc.integer({ min: 1, max: 8 }), { nil: null })
      .map((baseRevision): FileCommand => ({ type: "DeleteFile", data: { baseRevision } })),
    fc.constant<FileCommand>({ type: "MoveOut", data: { to: "/elsewhere.txt" as NormalizedPath, baseRevision: null } }),
    fc.constant<FileCommand>({
      type: "MoveIn",
      data: { path, from: "/x.txt" as NormalizedPath, fileId: "f-moved" as FileId, version: version("m") },
    }),
    fc.integer({ min: 1, max: 8 }).map(
      (fromRevision): FileCommand => ({
        type: "Restore",
        data: { fromRevision, version: version("r"), newFileId: "f-new" as FileId },
      }),
    ),
  );

  it("for any command sequence: revisions count events, and the last event alone holds the whole state", () => {
    fc.assert(
      fc.property(fc.array(command, { maxLength: 30 }), (commands) => {
        let state: FileState = initialFileState;
        const events: FileEvent[] = [];
        for (const next of commands) {
          const decision = decideFile(state, next);
          if (!decision.ok) continue;
          for (const event of decision.value) {
            expect(event.data.revision).toBe(events.length + 1);
            events.push(event);
            state = evolveFile(state, event);
            // What lets a command read one event, however long the path's history is:
            expect(evolveFile(initialFileState, event)).toEqual(state);
          }
        }
        expect(state.revision).toBe(events.length);
      }),
    );
  });
});
