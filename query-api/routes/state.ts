import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { DomainFailure, decodeCursor, encodeCursor, type LogPosition } from "../../domain/index.ts";
import { errorResponses } from "../../infra/ports/index.ts";
import type { QueryContext } from "../context.ts";
import { fileSummary } from "../file-summary.ts";
import { decodePageToken, encodePageToken } from "../page-token.ts";
import { StateAnswer, StateQuery } from "../schemas.ts";

/** Point-in-time: the listing as it was at a time or a change cursor (replay sync state). */
export const stateRoutes: FastifyPluginAsyncTypebox<{ context: QueryContext }> = async (app, { context }) => {
  app.get(
    "/v1/state",
    {
      schema: {
        tags: ["sync"],
        summary: "The namespace listing as it was at an ISO time or a change cursor",
        querystring: StateQuery,
        response: { 200: StateAnswer, ...errorResponses },
      },
    },
    async (request) => {
      const namespace = request.ctx.namespace;
      const at = await resolveAt(context, namespace, request.query.at);
      if (at === null) return { at: null, files: [], cursor: null, hasMore: false };
      const page = await context.readStore.stateAt(namespace, at, decodePageToken(request.query.cursor), request.query.limit);
      const last = page.items.at(-1);
      return {
        at: encodeCursor(at),
        files: page.items.map((change) => fileSummary({ ...change, modifiedAt: change.at })),
        cursor: page.hasMore && last ? encodePageToken(last.pathKey) : null,
        hasMore: page.hasMore,
      };
    },
  );
};

async function resolveAt(context: QueryContext, namespace: string, at: string): Promise<LogPosition | null> {
  const asCursor = decodeCursor(at);
  if (asCursor.ok) return asCursor.value;
  const time = Date.parse(at);
  if (!/^\d{4}-\d{2}-\d{2}/.test(at) || Number.isNaN(time)) {
    throw new DomainFailure({ code: "invalid_cursor", message: "at must be an ISO-8601 time or a change cursor" });
  }
  return context.readStore.positionAt(namespace, new Date(time).toISOString());
}
