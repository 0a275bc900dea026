import { describe, expect, it } from "vitest";
import { logPosition } from "../../domain/index.ts";
import { fileId, path, uploadId, version } from "../testing/fixtures.ts";
import { metadata, recorded } from "../testing/recorded.ts";
import { projectChanges } from "./changes.ts";

const at = "2026-03-01T10:00:00.000Z";

describe("changes projection", () => {
  it("records a committed version as an upsert at the event's position", () => {
    const event = recorded(
      {
        type: "FileVersionCommitted",
        data: { fileId, path: path("/A.txt"), revision: 2, ...version, uploadId, conflictOf: null },
      },
      11,
      metadata({ at }),
    );
    expect(projectChanges(event)).toEqual([
      {
        kind: "change.add",
        change: {
          namespace: "ns1",
          position: logPosition(11n),
          kind: "upsert",
          path: "/A.txt",
          pathKey: "/a.txt",
          fileId,
          revision: 2,
          size: 5,
          contentHash: version.contentHash,
          at,
        },
      },
    ]);
  });

  it("turns a move into a delete of the old path then an upsert of the new one with the same fileId", () => {
    const out = recorded(
      { type: "FileMovedOut", data: { fileId, path: path("/a"), revision: 2, ...version, to: path("/b") } },
      5,
    );
    const into = recorded(
      { type: "FileMovedIn", data: { fileId, path: path("/b"), revision: 1, ...version, from: path("/a") } },
      6,
    );
    const changes = [out, into].flatMap(projectChanges).map((w) => (w.kind === "change.add" ? w.change : null));
    expect(changes).toMatchObject([
      { kind: "delete", path: "/a", fileId, contentHash: version.contentHash, position: logPosition(5n) },
      { kind: "upsert", path: "/b", fileId, contentHash: version.contentHash, position: logPosition(6n) },
    ]);
  });

  it("records a delete with no version, and a restore as an upsert", () => {
    const deleted = recorded({ type: "FileDeleted", data: { fileId, path: path("/a"), revision: 3 } }, 8);
    const restored = recorded(
      { type: "FileRestored", data: { fileId, path: path("/a"), revision: 4, ...version, fromRevision: 1 } },
      9,
    );
    expect(projectChanges(deleted)).toMatchObject([{ change: { kind: "delete", revision: 3, size: 0, contentHash: "" } }]);
    expect(projectChanges(restored)).toMatchObject([{ change: { kind: "upsert", revision: 4, size: 5 } }]);
  });

  it("leaves upload events and unknown types out of the feed", () => {
    expect(projectChanges(recorded({ type: "UploadAborted", data: { uploadId } }, 1))).toEqual([]);
    expect(
      projectChanges({
        ...recorded({ type: "FileDeleted", data: { fileId, path: path("/a"), revision: 1 } }, 1),
        type: "FileLocked",
      }),
    ).toEqual([]);
  });
});
