import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { ErrorBody, errorResponses } from "../../infra/ports/index.ts";
import type { QueryContext } from "../context.ts";

const Status = Type.Object(
  { state: Type.String(), lag: Type.Union([Type.Number(), Type.Null()]) },
  { additionalProperties: true },
);

/** Rebuild read models from the log; progress and lag. Needs the `admin: true` token claim. */
export const adminRoutes: FastifyPluginAsyncTypebox<{ context: QueryContext }> = async (app, { context }) => {
  const unavailable = { error: "unavailable", message: "projectors do not run in this process" };

  app.get(
    "/v1/admin/projections",
    {
      config: { admin: true },
      schema: {
        tags: ["admin"],
        summary: "Projection status: checkpoint, head, lag, rebuild progress",
        response: { 200: Status, ...errorResponses },
      },
    },
    async (_request, reply) => (context.projections ? context.projections.status() : reply.code(503).send(unavailable)),
  );

  app.post(
    "/v1/admin/projections/rebuild",
    {
      config: { admin: true },
      schema: {
        tags: ["admin"],
        summary: "Rebuild every read model from the log",
        response: { ...errorResponses, 202: Status, 503: ErrorBody },
      },
    },
    async (_request, reply) => {
      if (!context.projections) return reply.code(503).send(unavailable);
      await context.projections.rebuild();
      return reply.code(202).send(context.projections.status());
    },
  );
};
