import { Type } from "typebox";

const Limit = (max: number, fallback: number) => Type.Integer({ minimum: 1, maximum: max, default: fallback });

export const ChangesQuery = Type.Object({
  cursor: Type.Optional(Type.String({ description: "opaque cursor from a previous answer" })),
  limit: Limit(1000, 500),
});

export const Change = Type.Object({
  kind: Type.Union([Type.Literal("upsert"), Type.Literal("delete")]),
  path: Type.String(),
  fileId: Type.String(),
  revision: Type.Integer(),
  size: Type.Integer(),
  contentHash: Type.String(),
  at: Type.String(),
});

export const ChangesPage = Type.Object({ changes: Type.Array(Change), cursor: Type.String(), hasMore: Type.Boolean() });
export const CursorAnswer = Type.Object({ cursor: Type.String() });
export const StreamQuery = Type.Object({ cursor: Type.Optional(Type.String()) });

export const FileSummary = Type.Object({
  path: Type.String(),
  fileId: Type.String(),
  revision: Type.Integer(),
  size: Type.Integer(),
  contentHash: Type.String(),
  modifiedAt: Type.String(),
});

export const ListQuery = Type.Object({
  prefix: Type.String({ default: "/" }),
  cursor: Type.Optional(Type.String()),
  limit: Limit(1000, 500),
});
export const FileList = Type.Object({
  files: Type.Array(FileSummary),
  cursor: Type.Union([Type.String(), Type.Null()]),
  hasMore: Type.Boolean(),
});

export const PathQuery = Type.Object({ path: Type.String({ minLength: 1 }) });

export const FileMeta = Type.Object({
  path: Type.String(),
  fileId: Type.String(),
  revision: Type.Integer(),
  size: Type.Integer(),
  contentHash: Type.String(),
  modifiedAt: Type.String(),
  urlExpiresAt: Type.String(),
  chunks: Type.Array(Type.Object({ index: Type.Integer(), sha256: Type.String(), size: Type.Integer(), url: Type.String() })),
});

export const HistoryQuery = Type.Object({
  path: Type.String({ minLength: 1 }),
  cursor: Type.Optional(Type.String()),
  limit: Limit(1000, 500),
});
export const HistoryEntry = Type.Object(
  {
    type: Type.String(),
    revision: Type.Integer(),
    at: Type.String(),
    actor: Type.String(),
    clientId: Type.String(),
    correlationId: Type.String(),
    path: Type.String(),
    fileId: Type.String(),
    size: Type.Union([Type.Integer(), Type.Null()]),
    contentHash: Type.Union([Type.String(), Type.Null()]),
    cursor: Type.String({ description: "change-feed cursor at this event: replay sync state to here" }),
  },
  { additionalProperties: true },
);
export const HistoryPage = Type.Object({
  entries: Type.Array(HistoryEntry),
  cursor: Type.Union([Type.String(), Type.Null()]),
  hasMore: Type.Boolean(),
});

export const StateQuery = Type.Object({
  at: Type.String({ description: "an ISO time or a change cursor" }),
  cursor: Type.Optional(Type.String()),
  limit: Limit(1000, 500),
});
export const StateAnswer = Type.Object({
  at: Type.Union([Type.String(), Type.Null()], { description: "the change cursor the listing is as of" }),
  files: Type.Array(FileSummary),
  cursor: Type.Union([Type.String(), Type.Null()]),
  hasMore: Type.Boolean(),
});

export const UploadStatus = Type.Object({
  uploadId: Type.String(),
  path: Type.String(),
  status: Type.Union([Type.Literal("open"), Type.Literal("completed"), Type.Literal("aborted"), Type.Literal("expired")]),
  size: Type.Integer(),
  manifestComplete: Type.Boolean({
    description: "false while manifest parts may still follow (POST /v1/uploads/{uploadId}/manifest)",
  }),
  next: Type.Integer({ description: "chunks declared so far: where the next manifest part starts" }),
  contentHash: Type.String({ description: "empty while the manifest is open" }),
  expiresAt: Type.String(),
  result: Type.Union([Type.Any(), Type.Null()]),
  chunks: Type.Array(
    Type.Object({
      index: Type.Integer(),
      sha256: Type.String(),
      size: Type.Integer(),
      status: Type.Union([Type.Literal("missing"), Type.Literal("uploaded"), Type.Literal("present")]),
      upload: Type.Optional(
        Type.Object({
          method: Type.String(),
          url: Type.String(),
          headers: Type.Record(Type.String(), Type.String()),
          expiresAt: Type.String(),
        }),
      ),
    }),
  ),
});
export const UploadIdParams = Type.Object({ uploadId: Type.String({ pattern: "^[A-Za-z0-9_-]{8,64}$" }) });
