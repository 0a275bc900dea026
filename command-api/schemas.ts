import { type Static, Type } from "typebox";
import { CONFIRM_INDEXES_LIMIT, MAX_CHUNKS, NAMESPACE_PATTERN, SHA256_PATTERN, UPLOAD_ID_PATTERN } from "../domain/index.ts";

/**
 * Request and response shapes, declared once: they drive Fastify's validation, the response
 * serializer and the OpenAPI document. Rules that need more than a schema (path normalisation,
 * sizes adding up, limits) are the domain's and answer with the same error shape.
 */
const Revision = Type.Integer({ minimum: 1, description: "1-based revision of a path" });
const Sha256 = Type.String({ pattern: SHA256_PATTERN, description: "lowercase hex SHA-256" });

export const ChunkDeclaration = Type.Object(
  { index: Type.Integer({ minimum: 0 }), size: Type.Integer({ minimum: 1 }), sha256: Sha256 },
  { additionalProperties: false },
);

export const StartUploadBody = Type.Object(
  {
    path: Type.String({ minLength: 1, description: 'absolute path, e.g. "/docs/report.pdf"' }),
    size: Type.Integer({ minimum: 0 }),
    chunks: Type.Array(ChunkDeclaration, { maxItems: MAX_CHUNKS }),
    baseRevision: Type.Optional(Type.Union([Revision, Type.Null()])),
    contentHash: Type.Optional(Sha256),
    uploadId: Type.Optional(Type.String({ pattern: UPLOAD_ID_PATTERN })),
    manifestComplete: Type.Optional(
      Type.Boolean({
        description:
          "false: `chunks` are only the first part of the manifest (`size` is still the whole file's); the rest follow through POST /v1/uploads/{uploadId}/manifest. Default true.",
      }),
    ),
  },
  { additionalProperties: false },
);
export type StartUploadBody = Static<typeof StartUploadBody>;

export const ManifestPartBody = Type.Object(
  {
    from: Type.Integer({
      minimum: 0,
      maximum: MAX_CHUNKS,
      description: "index of the part's first chunk: the number of chunks declared before it (a retried part repeats it)",
    }),
    chunks: Type.Array(ChunkDeclaration, { maxItems: MAX_CHUNKS }),
    manifestComplete: Type.Boolean({ description: "true on the last part; chunk sizes must then add up to the upload's size" }),
    contentHash: Type.Optional(Sha256),
  },
  { additionalProperties: false },
);

export const PresignedRequest = Type.Object({
  method: Type.String(),
  url: Type.String(),
  headers: Type.Record(Type.String(), Type.String()),
  expiresAt: Type.String(),
});

export const ChunkInstruction = Type.Object({
  index: Type.Integer(),
  sha256: Type.String(),
  size: Type.Integer(),
  status: Type.Union([Type.Literal("missing"), Type.Literal("uploaded"), Type.Literal("present")]),
  upload: Type.Optional(PresignedRequest),
});

export const UploadTicket = Type.Object({
  uploadId: Type.String(),
  path: Type.String(),
  status: Type.String(),
  expiresAt: Type.String(),
  contentHash: Type.String({ description: "empty while the manifest is open" }),
  manifestComplete: Type.Boolean(),
  next: Type.Integer({ description: "chunks declared so far: where the next manifest part starts" }),
  chunks: Type.Array(ChunkInstruction, {
    description: "every declared chunk; in the answer to a manifest part, only that part's chunks",
  }),
});

export const UploadParams = Type.Object({ uploadId: Type.String({ pattern: UPLOAD_ID_PATTERN }) });
export const ChunkParams = Type.Object({
  uploadId: Type.String({ pattern: UPLOAD_ID_PATTERN }),
  index: Type.Integer({ minimum: 0, maximum: MAX_CHUNKS - 1 }),
});

export const ChunkConfirmation = Type.Object({
  index: Type.Integer(),
  status: Type.Union([Type.Literal("uploaded"), Type.Literal("present")]),
});

export const ConfirmChunksBody = Type.Object(
  {
    indexes: Type.Array(Type.Integer({ minimum: 0 }), {
      minItems: 1,
      maxItems: CONFIRM_INDEXES_LIMIT,
      uniqueItems: true,
      description: "distinct chunk indexes, answered in this order",
    }),
  },
  { additionalProperties: false },
);

export const ChunkConfirmations = Type.Object({ chunks: Type.Array(ChunkConfirmation) });

export const CompletionResult = Type.Object({
  path: Type.String(),
  fileId: Type.String(),
  revision: Type.Integer(),
  size: Type.Integer(),
  contentHash: Type.String(),
  conflict: Type.Boolean(),
});

export const DeleteFileBody = Type.Object(
  { path: Type.String({ minLength: 1 }), baseRevision: Type.Optional(Type.Union([Revision, Type.Null()])) },
  { additionalProperties: false },
);
export const MoveFileBody = Type.Object(
  {
    from: Type.String({ minLength: 1 }),
    to: Type.String({ minLength: 1 }),
    baseRevision: Type.Optional(Type.Union([Revision, Type.Null()])),
  },
  { additionalProperties: false },
);
export const RestoreFileBody = Type.Object(
  { path: Type.String({ minLength: 1 }), revision: Revision },
  { additionalProperties: false },
);

export const FileAnswer = Type.Object({
  path: Type.String(),
  fileId: Type.String(),
  revision: Type.Integer(),
  status: Type.String(),
});

export const NamespaceHeader = Type.String({ pattern: NAMESPACE_PATTERN });
