import { describe, expect, it } from "vitest";
import { planLocal } from "./plan-local.ts";
import type { SyncedEntry } from "./types.ts";

const entry = (path: string, contentHash: string, revision = 1, deleted = false): SyncedEntry => ({
  pathKey: path.toLowerCase(),
  path,
  fileId: `id-${path}`,
  revision,
  size: 1,
  contentHash,
  deleted,
  local: null,
});

describe("planLocal", () => {
  it("uploads edits against their base, new files as new, and sends moves and guarded deletes", () => {
    const ops = planLocal(
      [
        entry("/same.txt", "s"),
        entry("/edited.txt", "old", 4),
        entry("/gone.txt", "g", 2),
        entry("/from.txt", "m", 3),
        entry("/dead.txt", "d", 5, true),
      ],
      [
        { path: "/same.txt", contentHash: "s" },
        { path: "/edited.txt", contentHash: "new" },
        { path: "/to.txt", contentHash: "m" },
        { path: "/fresh.txt", contentHash: "f" },
        { path: "/dead.txt", contentHash: "revived" },
      ],
    );
    expect(ops.map((op) => ({ ...op, entry: undefined }))).toEqual([
      { type: "move", from: "/from.txt", to: "/to.txt", entry: undefined },
      { type: "upload", path: "/edited.txt", contentHash: "new", baseRevision: 4, entry: undefined },
      { type: "upload", path: "/fresh.txt", contentHash: "f", baseRevision: null, entry: undefined },
      { type: "upload", path: "/dead.txt", contentHash: "revived", baseRevision: null, entry: undefined },
      { type: "delete", path: "/gone.txt", baseRevision: 2, entry: undefined },
    ]);
  });
});
