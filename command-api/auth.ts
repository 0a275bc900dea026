import { randomUUID } from "node:crypto";
import type { FastifyError, FastifyPluginAsync, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { errors as joseErrors, jwtVerify } from "jose";
import { type ClientId, isClientId, isNamespace, type Namespace, type UserId } from "../domain/index.ts";
import type { RequestContext } from "../infra/ports/index.ts";
import { type TokenClaims, VerifiedTokens } from "./verified-tokens.ts";

export interface AuthOptions {
  /** HS256 key (LEDGERBOX_AUTH_SECRET). */
  readonly secret: string;
  /** How many verified tokens to remember (verified-tokens.ts); 0 checks every signature. */
  readonly cachedTokens?: number;
  /** Clock in epoch milliseconds for the remembered tokens' exp/nbf; tests move it. */
  readonly now?: () => number;
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

/**
 * Every /v1 route needs `Authorization: Bearer <JWT>` (HS256). The namespace comes from the
 * `Ledgerbox-Namespace` header, defaulting to the user's own; a user may always use the
 * namespace named after them, and any listed in the token's `ns` claim.
 */
const auth: FastifyPluginAsync<AuthOptions> = async (app, options) => {
  const verify = await tokenVerifier(options);
  app.decorateRequest("ctx", null as unknown as RequestContext);
  // A callback hook with a synchronous path: a remembered token needs no await, and an async hook
  // would cost every request a promise and a turn of the microtask queue.
  app.addHook("onRequest", (request, _reply, done) => {
    if (!request.url.startsWith("/v1/") || request.routeOptions.config.public) return done();
    const admit = (claims: TokenClaims): void => {
      request.ctx = contextFor(request, claims);
      if (request.routeOptions.config.admin && !request.ctx.isAdmin) {
        throw new AuthError(403, "forbidden", "this route needs an admin token (claim admin: true)");
      }
    };
    try {
      const claims = verify(bearerToken(request));
      if (claims instanceof Promise) {
        claims.then(admit).then(() => done(), done);
        return;
      }
      admit(claims);
    } catch (error) {
      return done(error as FastifyError);
    }
    done();
  });
};

/** Checks a token's signature and claims; a token verified before answers at once (verified-tokens.ts). */
async function tokenVerifier(options: AuthOptions): Promise<(token: string) => TokenClaims | Promise<TokenClaims>> {
  // Imported once: handed raw bytes, jose imports a fresh HMAC key on every verification, which
  // was half the cost of checking a token (benchmarks, issue 5).
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(options.secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["verify"],
  );
  const now = options.now ?? Date.now;
  const tokens = new VerifiedTokens(options.cachedTokens ?? 10_000, now);
  const verify = async (token: string): Promise<TokenClaims> => {
    try {
      const { payload } = await jwtVerify(token, key, { algorithms: ["HS256"], currentDate: new Date(now()) });
      tokens.set(token, payload);
      return payload;
    } catch (error) {
      const expired = error instanceof joseErrors.JWTExpired;
      throw new AuthError(401, "unauthorized", expired ? "the token has expired" : "the token is not valid");
    }
  };
  return (token) => tokens.get(token) ?? verify(token);
}

/** Registered at the root (not encapsulated) so every route group sees `request.ctx`. */
export const authPlugin = fp(auth, { name: "ledgerbox-auth" });

function bearerToken(request: FastifyRequest): string {
  const header = request.headers.authorization;
  const token = header?.startsWith("Bearer ") ? header.slice("Bearer ".length).trim() : null;
  if (!token) throw new AuthError(401, "unauthorized", "send Authorization: Bearer <token>");
  return token;
}

function contextFor(request: FastifyRequest, claims: TokenClaims): RequestContext {
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
