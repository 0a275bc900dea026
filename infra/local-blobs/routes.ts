import { Readable } from "node:stream";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { StoredObjectNotice } from "../ports/blob-store.ts";
import { allowCrossOrigin, answerPreflight } from "./cors.ts";
import { BlobUploadError, InvalidBlobKeyError } from "./errors.ts";
import { keyProblem } from "./key.ts";
import { BodyAbortedError } from "./read-body.ts";
import type { SignedRequest } from "./signing.ts";
import type { LocalBlobStore } from "./store.ts";

export interface LocalBlobRoutesOptions {
  readonly store: LocalBlobStore;
  /**
   * Called after each successful PUT, like an S3 bucket notification (at least once per PUT,
   * also when the blob was already there). It runs after the answer is sent; a failure is logged
   * and never fails the PUT.
   */
  readonly onStored?: (notice: StoredObjectNotice) => void | Promise<void>;
}

type BlobRequest = FastifyRequest<{ Params: { "*": string }; Querystring: Record<string, unknown> }>;

const errorBody = (error: string, message: string) => ({ error, message });

/**
 * Node drains a refused body so the connection can serve the next request. That is only worth
 * it for a body of bounded, blob-like size; anything else closes the connection instead.
 */
function refuseUnread(request: FastifyRequest, reply: FastifyReply, maxBytes: number): void {
  const length = Number(request.headers["content-length"] ?? Number.NaN);
  if (!(length <= maxBytes)) reply.header("connection", "close");
}

/**
 * Serves the local store's presigned URLs: `PUT /blobs/<key>` and `GET /blobs/<key>`. Register it
 * at the root, without a prefix (the URLs the store signs point at `/blobs/`). It is an
 * encapsulated plugin on purpose: its raw-stream body parser, CORS headers and error answers
 * must not leak into the other routes.
 */
export async function localBlobRoutes(app: FastifyInstance, options: LocalBlobRoutesOptions): Promise<void> {
  const { store, onStored } = options;
  const verified = new WeakMap<FastifyRequest, SignedRequest>();
  const pendingNotices = new Set<Promise<void>>();

  // Bodies are handed over as the raw stream, whatever their content type, so a 16 MiB chunk is
  // hashed and written as it arrives instead of being buffered; the size bound is the signed one.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", (_request, payload, done) => done(null, payload));

  app.setErrorHandler((error, request, reply) => {
    allowCrossOrigin(reply);
    if (error instanceof InvalidBlobKeyError) return reply.code(400).send(errorBody("invalid_key", error.message));
    const status = (error as { statusCode?: number }).statusCode;
    if (typeof status === "number" && status >= 400 && status < 500) {
      return reply.code(status).send(errorBody("bad_request", error instanceof Error ? error.message : String(error)));
    }
    request.log.error({ err: error }, "blob request failed");
    return reply.code(500).send(errorBody("internal", "the blob store failed; try again"));
  });

  app.addHook("onClose", async () => {
    await Promise.allSettled(pendingNotices);
  });

  /** Runs before the body is parsed, so nothing is read for a URL that is not valid. */
  const authorise = async (request: BlobRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    allowCrossOrigin(reply);
    const method = request.method === "PUT" ? "PUT" : "GET";
    const key = request.params["*"];
    const refuse = (status: number, error: string, message: string): FastifyReply => {
      if (method === "PUT") refuseUnread(request, reply, store.maxBlobBytes);
      return reply.code(status).send(errorBody(error, message));
    };
    const problem = keyProblem(key);
    if (problem !== null) return refuse(400, "invalid_key", `invalid blob key: ${problem}`);
    const check = store.signer.verify(method, key, request.query, store.now());
    if (!check.ok) return refuse(403, check.code, check.message);
    if (check.request.method === "PUT") {
      const length = request.headers["content-length"];
      if (length !== undefined && Number(length) !== check.request.size) {
        const longer = !(Number(length) < check.request.size);
        // A shorter body is drained harmlessly; a longer one is not read at all.
        if (longer) reply.header("connection", "close");
        return reply
          .code(longer ? 413 : 400)
          .send(
            errorBody("size_mismatch", `content-length is ${length}, but this URL accepts exactly ${check.request.size} bytes`),
          );
      }
    }
    verified.set(request, check.request);
    return undefined;
  };

  const notify = (request: FastifyRequest, notice: StoredObjectNotice): void => {
    if (!onStored) return;
    const delivery = Promise.resolve()
      .then(() => onStored(notice))
      .catch((error: unknown) => request.log.error({ err: error, key: notice.key }, "storage notice handler failed"))
      .finally(() => pendingNotices.delete(delivery));
    pendingNotices.add(delivery);
  };

  app.options("/blobs/*", async (_request, reply) => answerPreflight(reply));

  app.put<{ Params: { "*": string }; Querystring: Record<string, unknown> }>(
    "/blobs/*",
    { onRequest: authorise, bodyLimit: store.maxBlobBytes },
    async (request, reply) => {
      const signed = verified.get(request);
      if (signed?.method !== "PUT") throw new Error("PUT reached its handler without a verified signature");
      // No body at all (an empty blob sent without a content type) never reaches the parser.
      const stream = request.body instanceof Readable ? request.body : Readable.from([]);
      try {
        const outcome = await store.files.write(signed.key, stream, { size: signed.size, sha256: signed.sha256 });
        reply.header("etag", `"${signed.sha256}"`);
        await reply.code(outcome === "created" ? 201 : 200).send({ key: signed.key, size: signed.size, sha256: signed.sha256 });
        notify(request, { key: signed.key, size: signed.size });
        return reply;
      } catch (error) {
        if (error instanceof BlobUploadError) {
          if (error.status === 413) reply.header("connection", "close");
          return reply.code(error.status).send(errorBody(error.code, error.message));
        }
        if (error instanceof BodyAbortedError) {
          request.log.info({ key: signed.key }, error.message);
          return reply.code(400).send(errorBody("body_incomplete", error.message));
        }
        throw error;
      }
    },
  );

  app.get<{ Params: { "*": string }; Querystring: Record<string, unknown> }>(
    "/blobs/*",
    { onRequest: authorise },
    async (request, reply) => {
      const signed = verified.get(request);
      if (signed?.method !== "GET") throw new Error("GET reached its handler without a verified signature");
      const file = await store.files.openRead(signed.key);
      if (!file) return reply.code(404).send(errorBody("not_found", `nothing is stored at ${signed.key}`));
      return reply
        .header("content-type", "application/octet-stream")
        .header("content-length", String(file.size))
        .send(file.stream);
    },
  );
}
