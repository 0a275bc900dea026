import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import {
  chunkKey,
  DomainFailure,
  encodeCursor,
  type LogPosition,
  normalizePath,
  pathKey,
  prefixKey,
  unwrap,
} from "../../domain/index.ts";
import { ErrorBody, errorResponses } from "../../infra/ports/index.ts";
import type { QueryContext } from "../context.ts";
import { fileSummary } from "../file-summary.ts";
import { decodePageToken, encodePageToken } from "../page-token.ts";
import { FileList, FileMeta, HistoryPage, HistoryQuery, ListQuery, PathQuery } from "../schemas.ts";

export const fileRoutes: FastifyPluginAsyncTypebox<{ context: QueryContext }> = async (app, { context }) => {
  app.get(
    "/v1/files",
    {
      schema: {
        tags: ["files"],
        summary: "Current listing, by path, optionally under a prefix",
        querystring: ListQuery,
        response: { 200: FileList, ...errorResponses },
      },
    },
    async (request) => {
      const { prefix, cursor, limit } = request.query;
      const page = await context.readStore.listFiles(request.ctx.namespace, prefixKey(prefix), decodePageToken(cursor), limit);
      const last = page.items.at(-1);
      return {
        files: page.items.map(fileSummary),
        cursor: page.hasMore && last ? encodePageToken(last.pathKey) : null,
        hasMore: page.hasMore,
      };
    },
  );

  app.get(
    "/v1/files/meta",
    {
      schema: {
        tags: ["files"],
        summary: "A file's metadata and download manifest (presigned GET per chunk)",
        querystring: PathQuery,
        response: { 200: FileMeta, 404: ErrorBody, ...errorResponses },
      },
    },
    async (request) => {
      const path = unwrap(normalizePath(request.query.path));
      const file = await context.readStore.getFile(request.ctx.namespace, pathKey(path));
      if (!file) throw new DomainFailure({ code: "file_not_found", message: `no file at ${path}` });
      const ttl = context.settings.getUrlTtlSeconds;
      const chunks = await Promise.all(
        file.chunks.map(async (chunk) => ({
          index: chunk.index,
          sha256: chunk.sha256,
          size: chunk.size,
          url: (await context.blobStore.presignGet(chunkKey(file.namespace, chunk.sha256), ttl)).url,
        })),
      );
      return {
        ...fileSummary(file),
        urlExpiresAt: new Date(context.clock().getTime() + ttl * 1000).toISOString(),
        chunks,
      };
    },
  );

  app.get(
    "/v1/files/history",
    {
      schema: {
        tags: ["files"],
        summary: "Every event that touched a path, oldest first, with actor, client and time",
        querystring: HistoryQuery,
        response: { 200: HistoryPage, 404: ErrorBody, ...errorResponses },
      },
    },
    async (request) => {
      const path = unwrap(normalizePath(request.query.path));
      const after = decodePageToken(request.query.cursor);
      const page = await context.readStore.history(
        request.ctx.namespace,
        pathKey(path),
        after as LogPosition | null,
        request.query.limit,
      );
      if (page.items.length === 0 && after === null) {
        throw new DomainFailure({ code: "file_not_found", message: `nothing has ever been at ${path}` });
      }
      const last = page.items.at(-1);
      return {
        entries: page.items.map((entry) => ({
          ...entry.details,
          type: entry.type,
          revision: entry.revision,
          at: entry.at,
          actor: entry.actor,
          clientId: entry.clientId,
          correlationId: entry.correlationId,
          path: entry.path,
          fileId: entry.fileId,
          size: entry.size,
          contentHash: entry.contentHash,
          cursor: encodeCursor(entry.position),
        })),
        cursor: page.hasMore && last ? encodePageToken(last.position) : null,
        hasMore: page.hasMore,
      };
    },
  );
};
