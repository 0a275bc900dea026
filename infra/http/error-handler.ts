import type { FastifyError, FastifyInstance } from "fastify";
import { AuthError } from "../../command-api/auth.ts";
import { type DomainErrorCode, DomainFailure } from "../../domain/index.ts";
import { ConcurrencyError, StoreUnavailableError } from "../ports/index.ts";

const STATUS: Record<DomainErrorCode, number> = {
  invalid_path: 400,
  invalid_namespace: 400,
  invalid_manifest: 400,
  invalid_cursor: 400,
  invalid_chunk_index: 400,
  content_hash_mismatch: 400,
  too_large: 413,
  upload_not_found: 404,
  file_not_found: 404,
  revision_not_found: 404,
  upload_exists: 409,
  upload_not_open: 409,
  upload_expired: 409,
  chunk_not_found: 409,
  chunks_missing: 409,
  path_exists: 409,
  revision_conflict: 409,
  stale_base: 409,
  chunk_mismatch: 422,
};

/**
 * The one place errors become answers: `{ error, message }` with the right status. Anything
 * unexpected is logged with its stack and answered 500 without internals.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | Error, request, reply) => {
    if (error instanceof DomainFailure) {
      return reply
        .code(STATUS[error.error.code])
        .send({ error: error.error.code, message: error.message, ...error.error.details });
    }
    if (error instanceof AuthError) {
      if (error.status === 401) reply.header("www-authenticate", 'Bearer realm="ledgerbox"');
      return reply.code(error.status).send({ error: error.code, message: error.message });
    }
    if (error instanceof StoreUnavailableError) {
      request.log.warn({ err: error }, "a store is unavailable");
      return reply
        .code(503)
        .header("retry-after", "1")
        .send({ error: "unavailable", message: "a backing store is unavailable; retry shortly" });
    }
    if (error instanceof ConcurrencyError) {
      return reply.code(409).send({ error: "contention", message: "too many concurrent writers on this item; retry" });
    }
    const fastifyError = error as FastifyError;
    if (fastifyError.validation) {
      return reply.code(400).send({
        error: "invalid_request",
        message:
          `${fastifyError.validationContext ?? "request"} ${fastifyError.message.replace(/^(body|querystring|params|headers)\/?\s*/, "")}`.trim(),
      });
    }
    if (fastifyError.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
      return reply.code(413).send({ error: "too_large", message: "the request body is too large" });
    }
    if (fastifyError.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") {
      return reply.code(415).send({ error: "unsupported_media_type", message: "send JSON with content-type application/json" });
    }
    if (fastifyError.statusCode !== undefined && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
      // Malformed JSON, empty bodies and the like: Fastify already knows it is the client's fault.
      const code = fastifyError.statusCode === 400 ? "invalid_request" : "request_error";
      return reply.code(fastifyError.statusCode).send({ error: code, message: fastifyError.message });
    }
    request.log.error({ err: error }, "request failed");
    return reply.code(500).send({ error: "internal", message: "the server failed; the error is logged" });
  });

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: "not_found", message: `no route ${request.method} ${request.url.split("?")[0]}` }),
  );
}
