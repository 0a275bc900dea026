import { timingSafeEqual } from "node:crypto";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import type { StoredObjectNotice } from "../../infra/ports/index.ts";
import { ErrorBody } from "../../infra/ports/index.ts";
import { AuthError } from "../auth.ts";
import type { CommandContext } from "../context.ts";
import { onStoredObject } from "../uploads/storage-notice.ts";

export interface StorageNotificationOptions {
  readonly context: CommandContext;
  /** Shared secret the storage server sends (MinIO webhook auth_token). */
  readonly token: string;
  /** Turns the storage server's notification body into stored-object notices. */
  readonly parse: (body: unknown) => StoredObjectNotice[];
}

const sameSecret = (given: string, expected: string): boolean => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

/** Bucket notifications (seed flow 3.2.2): storage tells us which chunks it stored. */
export const storageNotificationRoutes: FastifyPluginAsyncTypebox<StorageNotificationOptions> = async (app, options) => {
  app.post(
    "/v1/storage/notifications",
    {
      config: { public: true },
      schema: {
        tags: ["storage"],
        summary: "Bucket notification intake (authenticated by the storage token, idempotent)",
        response: { 200: Type.Object({ confirmed: Type.Integer() }), 400: ErrorBody, 401: ErrorBody },
      },
    },
    async (request) => {
      // MinIO sends the configured token as the whole Authorization value; accept "Bearer x" too.
      const given = (request.headers.authorization ?? "").replace(/^Bearer\s+/i, "");
      if (!sameSecret(given, options.token)) throw new AuthError(401, "unauthorized", "bad storage notification token");
      let confirmed = 0;
      for (const notice of options.parse(request.body)) confirmed += await onStoredObject(options.context, notice);
      return { confirmed };
    },
  );
};
