import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { decodeCursor, encodeCursor, unwrap } from "../../domain/index.ts";
import { errorResponses } from "../../infra/ports/index.ts";
import type { QueryContext } from "../context.ts";
import { ChangesPage, ChangesQuery, CursorAnswer } from "../schemas.ts";

/** getChange: the namespace's changes after a cursor, in log order. */
export const changeRoutes: FastifyPluginAsyncTypebox<{ context: QueryContext }> = async (app, { context }) => {
  app.get(
    "/v1/changes",
    {
      schema: {
        tags: ["sync"],
        summary: "Changes since a cursor (follow cursor until hasMore is false)",
        querystring: ChangesQuery,
        response: { 200: ChangesPage, ...errorResponses },
      },
    },
    async (request) => {
      const after = !request.query.cursor ? null : unwrap(decodeCursor(request.query.cursor));
      const page = await context.readStore.changesSince(request.ctx.namespace, after, request.query.limit);
      const last = page.items.at(-1);
      return {
        changes: page.items.map(({ kind, path, fileId, revision, size, contentHash, at }) => ({
          kind,
          path,
          fileId,
          revision,
          size,
          contentHash,
          at,
        })),
        cursor: encodeCursor(last ? last.position : after),
        hasMore: page.hasMore,
      };
    },
  );

  app.get(
    "/v1/changes/latest",
    {
      schema: {
        tags: ["sync"],
        summary: "The cursor of the namespace's newest change, for clients that only want news",
        response: { 200: CursorAnswer, ...errorResponses },
      },
    },
    async (request) => ({ cursor: encodeCursor(await context.readStore.latestChange(request.ctx.namespace)) }),
  );
};
