import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import type { UploadId } from "../../domain/index.ts";
import { ErrorBody, errorResponses } from "../../infra/ports/index.ts";
import { type CommandContext, metadataFor } from "../context.ts";
import {
  ChunkConfirmation,
  ChunkConfirmations,
  ChunkParams,
  CompletionResult,
  ConfirmChunksBody,
  ManifestPartBody,
  StartUploadBody,
  UploadParams,
  UploadTicket,
} from "../schemas.ts";
import { abortUpload } from "../uploads/abort.ts";
import { completeUpload } from "../uploads/complete.ts";
import { confirmChunk, confirmChunks } from "../uploads/confirm.ts";
import { addManifestPart } from "../uploads/manifest-part.ts";
import { startUpload } from "../uploads/start.ts";

/** A 10,000-chunk manifest is about 1.2 MB of JSON; anything much larger is not a manifest. */
const MANIFEST_BODY_LIMIT = 2 * 1024 * 1024;

export const uploadRoutes: FastifyPluginAsyncTypebox<{ context: CommandContext }> = async (app, { context }) => {
  // Commands take JSON only. Fastify also parses text/plain by default, which turned a JSON body sent
  // as text into a string and a confusing 400 ("must be object"); without the parser it is a 415.
  app.removeContentTypeParser("text/plain");
  app.post(
    "/v1/uploads",
    {
      bodyLimit: MANIFEST_BODY_LIMIT,
      schema: {
        tags: ["uploads"],
        summary: "Start an upload: declare the chunks, get presigned URLs for the missing ones",
        body: StartUploadBody,
        response: { 201: UploadTicket, 409: ErrorBody, 413: ErrorBody, ...errorResponses },
      },
    },
    async (request, reply) => {
      const ticket = await startUpload(context, request.ctx, request.body);
      return reply.code(201).send(ticket);
    },
  );

  app.post(
    "/v1/uploads/:uploadId/manifest",
    {
      bodyLimit: MANIFEST_BODY_LIMIT,
      schema: {
        tags: ["uploads"],
        summary: "Declare the next part of an open manifest: presigned URLs for its missing chunks",
        description:
          "`from` is the index of the part's first chunk. The same part again is answered again and appends nothing; a part that skips indexes answers 409 chunks_missing, one that contradicts declared chunks (or extends a complete manifest) 409 upload_exists; both carry `next`, where the server's manifest ends.",
        params: UploadParams,
        body: ManifestPartBody,
        response: { 200: UploadTicket, 404: ErrorBody, 409: ErrorBody, 413: ErrorBody, ...errorResponses },
      },
    },
    async (request) => addManifestPart(context, request.ctx, request.params.uploadId as UploadId, request.body),
  );

  app.post(
    "/v1/uploads/:uploadId/chunks/:index",
    {
      schema: {
        tags: ["uploads"],
        summary: "Confirm a chunk: the server verifies it in storage (size and SHA-256)",
        params: ChunkParams,
        response: { 200: ChunkConfirmation, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody, ...errorResponses },
      },
    },
    async (request) =>
      confirmChunk(
        context,
        metadataFor(request.ctx, context.clock()),
        request.params.uploadId as UploadId,
        request.params.index,
        "client",
      ),
  );

  app.post(
    "/v1/uploads/:uploadId/chunks",
    {
      schema: {
        tags: ["uploads"],
        summary: "Confirm several chunks at once: all verified in storage, or none counted",
        description:
          "The batch form of POST /v1/uploads/{uploadId}/chunks/{index}, so a client pays for one request per batch instead of one per chunk. Answers in the order of `indexes` once every listed chunk is verified (size and SHA-256); chunks confirmed before append nothing. Nothing is counted unless all are: 409 chunk_not_found or 422 chunk_mismatch list the `indexes` in the way (422 when both kinds occur), 400 invalid_chunk_index those the upload does not have.",
        params: UploadParams,
        body: ConfirmChunksBody,
        response: { 200: ChunkConfirmations, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody, ...errorResponses },
      },
    },
    async (request) => ({
      chunks: await confirmChunks(
        context,
        metadataFor(request.ctx, context.clock()),
        request.params.uploadId as UploadId,
        request.body.indexes,
        "client",
      ),
    }),
  );

  app.post(
    "/v1/uploads/:uploadId/complete",
    {
      schema: {
        tags: ["uploads"],
        summary: "Commit the uploaded version (a conflicted copy when the base revision is stale)",
        params: UploadParams,
        response: { 200: CompletionResult, 404: ErrorBody, 409: ErrorBody, ...errorResponses },
      },
    },
    async (request) => completeUpload(context, metadataFor(request.ctx, context.clock()), request.params.uploadId as UploadId),
  );

  app.delete(
    "/v1/uploads/:uploadId",
    {
      schema: {
        tags: ["uploads"],
        summary: "Abort an upload",
        params: UploadParams,
        response: { 204: Type.Null(), 404: ErrorBody, 409: ErrorBody, ...errorResponses },
      },
    },
    async (request, reply) => {
      await abortUpload(context, metadataFor(request.ctx, context.clock()), request.params.uploadId as UploadId);
      return reply.code(204).send(null);
    },
  );
};
