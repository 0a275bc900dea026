import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { chunkKey, DomainFailure } from "../../domain/index.ts";
import { ErrorBody, errorResponses } from "../../infra/ports/index.ts";
import type { QueryContext } from "../context.ts";
import { UploadIdParams, UploadStatus } from "../schemas.ts";

/**
 * What a client needs to resume: each chunk's status, and fresh presigned URLs for the missing
 * ones (the ones it was given may have expired while it was down).
 */
export const uploadStatusRoutes: FastifyPluginAsyncTypebox<{ context: QueryContext }> = async (app, { context }) => {
  app.get(
    "/v1/uploads/:uploadId",
    {
      schema: {
        tags: ["uploads"],
        summary: "Upload status for resuming, with fresh URLs for missing chunks",
        params: UploadIdParams,
        response: { 200: UploadStatus, 404: ErrorBody, ...errorResponses },
      },
    },
    async (request) => {
      const upload = await context.readStore.getUpload(request.params.uploadId);
      if (!upload || upload.namespace !== request.ctx.namespace) {
        throw new DomainFailure({ code: "upload_not_found", message: "no such upload in this namespace" });
      }
      const now = context.clock();
      const expired = upload.status === "open" && Date.parse(upload.expiresAt) <= now.getTime();
      const status = expired ? ("expired" as const) : upload.status;
      const urlTtl = Math.max(
        1,
        Math.min(context.settings.putUrlTtlSeconds, Math.floor((Date.parse(upload.expiresAt) - now.getTime()) / 1000)),
      );
      const chunks = await Promise.all(
        upload.chunks.map(async (chunk) => {
          const base = { index: chunk.index, sha256: chunk.sha256, size: chunk.size, status: chunk.status };
          if (status !== "open" || chunk.status !== "missing") return base;
          const key = chunkKey(upload.namespace, chunk.sha256);
          return { ...base, upload: await context.blobStore.presignPut(key, { sha256: chunk.sha256, size: chunk.size }, urlTtl) };
        }),
      );
      return {
        uploadId: upload.uploadId,
        path: upload.path,
        status,
        size: upload.size,
        // The domain keeps an open manifest short of `size`, so chunk sizes reaching it is completeness.
        manifestComplete: upload.chunks.reduce((sum, chunk) => sum + chunk.size, 0) === upload.size,
        next: upload.chunks.length,
        contentHash: upload.contentHash,
        expiresAt: upload.expiresAt,
        result: upload.result,
        chunks,
      };
    },
  );
};
