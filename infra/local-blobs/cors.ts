import type { FastifyReply } from "fastify";

/**
 * Browsers PUT chunks straight to this server from the web client's origin, which is usually
 * another one. The URLs carry their own authority (the signature), never cookies, so allowing
 * every origin grants nothing a holder of the URL does not already have.
 */
export function allowCrossOrigin(reply: FastifyReply): void {
  reply.header("access-control-allow-origin", "*");
  reply.header("access-control-expose-headers", "content-length, etag");
}

export function answerPreflight(reply: FastifyReply): void {
  allowCrossOrigin(reply);
  reply.header("access-control-allow-methods", "PUT, GET, HEAD, OPTIONS");
  reply.header("access-control-allow-headers", "content-type");
  reply.header("access-control-max-age", "600");
  reply.code(204).send();
}
