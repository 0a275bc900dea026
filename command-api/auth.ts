import { randomUUID } from "node:crypto";
import type { FastifyPluginAsync, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { errors as joseErrors, jwtVerify } from "jose";
import { type ClientId, isClientId, isNamespace, type Namespace, type UserId } from "../domain/index.ts";
import type { RequestContext } from "../infra/ports/index.ts";

export interface AuthOptions {
  /** HS256 key (LEDGERBOX_AUTH_SECRET). */
  readonly secret: string;
}

declare module "fastify" {
  interface FastifyContextConfig {
    /** Routes reached without a user token (storage notifications authenticate their own way). */
    public?: boolean;
    /** Routes that need the `admin: true` claim. */
    admin?: boolean;
  }
}

export class AuthError extends Error {
  override readonly name = "AuthError";
  constructor(
    readonly status: 401 | 403 | 400,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface Claims {
  sub?: unknown;
  ns?: unknown;
  admin?: unknown;
}

/**
 * Every /v1 route needs `Authorization: Bearer <JWT>` (HS256). The namespace comes from the
 * `Ledgerbox-Namespace` header, defaulting to the user's own; a user may always use the
 * namespace named after them, and any listed in the token's `ns` claim.
 */
const auth: FastifyPluginAsync<AuthOptions> = async (app, options) => {
  // Imported once: handed raw bytes, jose imports a fresh HMAC key on every verification, which
  // was half the cost of checking a token (benchmarks, issue 5).
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(options.secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["verify"],
  );
  app.decorateRequest("ctx", null as unknown as RequestContext);
  app.addHook("onRequest", async (request) => {
    if (!request.url.startsWith("/v1/") || request.routeOptions.config.public) return;
    request.ctx = await authenticate(request, key);
    if (request.routeOptions.config.admin && !request.ctx.isAdmin) {
      throw new AuthError(403, "forbidden", "this route needs an admin token (claim admin: true)");
    }
  });
};

/** Registered at the root (not encapsulated) so every route group sees `request.ctx`. */
export const authPlugin = fp(auth, { name: "ledgerbox-auth" });

async function authenticate(request: FastifyRequest, key: CryptoKey): Promise<RequestContext> {
  const header = request.headers.authorization;
  const token = header?.startsWith("Bearer ") ? header.slice("Bearer ".length).trim() : null;
  if (!token) throw new AuthError(401, "unauthorized", "send Authorization: Bearer <token>");
  let claims: Claims;
  try {
    ({ payload: claims } = await jwtVerify(token, key, { algorithms: ["HS256"] }));
  } catch (error) {
    const expired = error instanceof joseErrors.JWTExpired;
    throw new AuthError(401, "unauthorized", expired ? "the token has expired" : "the token is not valid");
  }
  if (typeof claims.sub !== "string" || claims.sub === "")
    throw new AuthError(401, "unauthorized", "the token has no subject (sub)");
  const user = claims.sub;
  const granted = Array.isArray(claims.ns) ? claims.ns.filter((ns): ns is string => typeof ns === "string") : [];
  const requested = headerValue(request.headers["ledgerbox-namespace"]) ?? user;
  if (!isNamespace(requested))
    throw new AuthError(400, "invalid_namespace", `not a valid namespace: ${JSON.stringify(requested)}`);
  if (requested !== user && !granted.includes(requested)) {
    throw new AuthError(403, "forbidden", `the token does not grant namespace ${requested}`);
  }
  const clientId = headerValue(request.headers["ledgerbox-client-id"]) ?? "unknown";
  if (!isClientId(clientId))
    throw new AuthError(400, "invalid_client_id", "Ledgerbox-Client-Id must be 1-64 characters of A-Z a-z 0-9 . _ : -");
  return {
    actor: user as UserId,
    namespace: requested as Namespace,
    clientId: clientId as ClientId,
    correlationId: headerValue(request.headers["x-request-id"]) ?? randomUUID(),
    isAdmin: claims.admin === true,
  };
}

const headerValue = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);
