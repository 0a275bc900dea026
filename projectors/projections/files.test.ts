import { describe, expect, it } from "vitest";
import { logPosition } from "../../domain/index.ts";
import { fileId, path, uploadId, version } from "../testing/fixtures.ts";
import { metadata, recorded } from "../testing/recorded.ts";
import { projectFiles } from "./files.ts";

describe("files projection", () => {
  it("puts a committed version under its case-folded key, keeping the display path", () => {
    const meta = metadata({ at: "2026-02-03T04:05:06.000Z" });
    const event = recorded(
      {
        type: "FileVersionCommitted",
        data: { fileId, path: path("/Docs/Report.PDF"), revision: 1, ...version, uploadId, conflictOf: null },
      },
      7,
      meta,
    );
    expect(projectFiles(event)).toEqual([
      {
        kind: "file.put",
        file: {
          namespace: "ns1",
          pathKey: "/docs/report.pdf",
          path: "/Docs/Report.PDF",
          fileId,
          revision: 1,
          size: 5,
          contentHash: version.contentHash,
          chunks: version.chunks,
          modifiedAt: "2026-02-03T04:05:06.000Z",
          position: logPosition(7n),
        },
      },
    ]);
  });

  it("puts moved-in and restored versions too", () => {
    const movedIn = recorded(
      { type: "FileMovedIn", data: { fileId, path: path("/b"), revision: 1, ...version, from: path("/a") } },
      2,
    );
    const restored = recorded(
      { type: "FileRestored", data: { fileId, path: path("/b"), revision: 3, ...version, fromRevision: 1 } },
      3,
    );
    expect(projectFiles(movedIn)).toMatchObject([{ kind: "file.put", file: { path: "/b", revision: 1 } }]);
    expect(projectFiles(restored)).toMatchObject([{ kind: "file.put", file: { path: "/b", revision: 3 } }]);
  });

  it("removes the path on delete and on move out", () => {
    const deleted = recorded({ type: "FileDeleted", data: { fileId, path: path("/A.txt"), revision: 2 } }, 4);
    const movedOut = recorded(
      { type: "FileMovedOut", data: { fileId, path: path("/A.txt"), revision: 2, ...version, to: path("/b") } },
      5,
    );
    expect(projectFiles(deleted)).toEqual([
      { kind: "file.remove", namespace: "ns1", pathKey: "/a.txt", position: logPosition(4n) },
    ]);
    expect(projectFiles(movedOut)).toEqual([
      { kind: "file.remove", namespace: "ns1", pathKey: "/a.txt", position: logPosition(5n) },
    ]);
  });

  it("ignores upload events and event types it does not know", () => {
    expect(projectFiles(recorded({ type: "UploadAborted", data: { uploadId } }, 1))).toEqual([]);
    expect(projectFiles({ ...recorded({ type: "UploadAborted", data: { uploadId } }, 1), type: "FileTagged" })).toEqual([]);
  });
});
