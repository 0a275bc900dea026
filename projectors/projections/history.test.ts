import { describe, expect, it } from "vitest";
import type { ClientId, UserId } from "../../domain/index.ts";
import { logPosition } from "../../domain/index.ts";
import { fileId, path, uploadId, version } from "../testing/fixtures.ts";
import { metadata, recorded } from "../testing/recorded.ts";
import { projectHistory } from "./history.ts";

const meta = metadata({
  actor: "bob" as UserId,
  clientId: "phone" as ClientId,
  correlationId: "req-42",
  at: "2026-04-01T00:00:00.000Z",
});
const entryOf = (event: ReturnType<typeof recorded>) => {
  const [write, ...rest] = projectHistory(event);
  expect(rest).toEqual([]);
  if (write?.kind !== "history.add") throw new Error("expected a history entry");
  return write.entry;
};

describe("history projection", () => {
  it("takes who, where from, which request and when from the metadata", () => {
    const entry = entryOf(
      recorded(
        {
          type: "FileVersionCommitted",
          data: {
            fileId,
            path: path("/Docs/X (conflicted copy).txt"),
            revision: 1,
            ...version,
            uploadId,
            conflictOf: path("/Docs/X.txt"),
          },
        },
        3,
        meta,
      ),
    );
    expect(entry).toEqual({
      namespace: "ns1",
      pathKey: "/docs/x (conflicted copy).txt",
      position: logPosition(3n),
      type: "FileVersionCommitted",
      path: "/Docs/X (conflicted copy).txt",
      fileId,
      revision: 1,
      at: "2026-04-01T00:00:00.000Z",
      actor: "bob",
      clientId: "phone",
      correlationId: "req-42",
      size: 5,
      contentHash: version.contentHash,
      details: { uploadId, conflictOf: "/Docs/X.txt" },
    });
  });

  it("records the event-specific facts of every file event", () => {
    const a = path("/a");
    const b = path("/b");
    expect(entryOf(recorded({ type: "FileDeleted", data: { fileId, path: a, revision: 2 } }, 1, meta))).toMatchObject({
      type: "FileDeleted",
      size: null,
      contentHash: null,
      details: {},
    });
    expect(
      entryOf(recorded({ type: "FileMovedOut", data: { fileId, path: a, revision: 2, ...version, to: b } }, 2, meta)),
    ).toMatchObject({
      pathKey: "/a",
      details: { to: "/b" },
    });
    expect(
      entryOf(recorded({ type: "FileMovedIn", data: { fileId, path: b, revision: 1, ...version, from: a } }, 3, meta)),
    ).toMatchObject({
      pathKey: "/b",
      details: { from: "/a" },
    });
    expect(
      entryOf(recorded({ type: "FileRestored", data: { fileId, path: a, revision: 4, ...version, fromRevision: 1 } }, 4, meta)),
    ).toMatchObject({ revision: 4, details: { fromRevision: 1 } });
  });

  it("keeps upload events out of file history", () => {
    expect(projectHistory(recorded({ type: "UploadAborted", data: { uploadId } }, 1))).toEqual([]);
  });
});
