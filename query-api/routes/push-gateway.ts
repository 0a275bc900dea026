import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { filter } from "rxjs";
import { decodeCursor, encodeCursor, type LogPosition, unwrap } from "../../domain/index.ts";
import { errorResponses } from "../../infra/ports/index.ts";
import type { QueryContext } from "../context.ts";
import { StreamQuery } from "../schemas.ts";

/**
 * Server-sent events: "the namespace has changes past your cursor". A notice is only a hint; the
 * client pulls /v1/changes from its own cursor, so a lost or repeated hint costs a pull, never a
 * change. Notices at or below what this connection already announced are dropped (the bus is
 * at-least-once).
 */
export const pushGatewayRoutes: FastifyPluginAsyncTypebox<{ context: QueryContext }> = async (app, { context }) => {
  app.get(
    "/v1/changes/stream",
    {
      schema: {
        tags: ["sync"],
        summary: "text/event-stream of `changes` events whenever the namespace moves past the cursor",
        querystring: StreamQuery,
        response: { ...errorResponses },
      },
    },
    async (request, reply) => {
      const from = !request.query.cursor ? null : unwrap(decodeCursor(request.query.cursor));
      const notices$ = context.notices$;
      if (!notices$) return reply.code(503).send({ error: "unavailable", message: "this process does not run the push gateway" });
      const namespace = request.ctx.namespace;
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache, no-transform",
        connection: "keep-alive",
        "x-accel-buffering": "no",
        "access-control-allow-origin": "*",
      });
      raw.write(": connected\n\n");
      let announced: LogPosition | null = from;
      const announce = (position: LogPosition) => {
        if (announced !== null && position <= announced) return;
        announced = position;
        raw.write(`event: changes\ndata: ${JSON.stringify({ cursor: encodeCursor(position) })}\n\n`);
      };
      // Subscribe before reading the latest position, so nothing committed in between is missed.
      const subscription = notices$
        .pipe(filter((notice) => notice.namespace === namespace))
        .subscribe((notice) => announce(notice.position));
      const heartbeat = setInterval(() => raw.write(": heartbeat\n\n"), context.settings.heartbeatMs);
      const close = () => {
        clearInterval(heartbeat);
        subscription.unsubscribe();
      };
      request.raw.on("close", close);
      try {
        const latest = await context.readStore.latestChange(namespace);
        if (latest) announce(latest);
      } catch (error) {
        request.log.warn({ err: error }, "could not read the latest change for a new stream");
      }
    },
  );
};
