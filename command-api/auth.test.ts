import Fastify from "fastify";
import { SignJWT } from "jose";
import { describe, expect, test } from "vitest";
import { AuthError, authPlugin } from "./auth.ts";

const SECRET = "auth-test-secret-0123456789-abcdefghij";
const T0 = Date.UTC(2026, 10, 24, 12, 0, 0);

async function token(claims: { sub: string; exp?: number; nbf?: number }, secret = SECRET): Promise<string> {
  const { sub, exp, nbf } = claims;
  let jwt = new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject(sub);
  if (exp !== undefined) jwt = jwt.setExpirationTime(exp);
  if (nbf !== undefined) jwt = jwt.setNotBefore(nbf);
  return jwt.sign(new TextEncoder().encode(secret));
}

/** A server with only the auth plugin and a route that echoes who it was called by; its clock is `clock.ms`. */
async function server(options: { cachedTokens?: number } = {}) {
  const clock = { ms: T0 };
  const app = Fastify({ logger: false });
  app.setErrorHandler((error, _request, reply) =>
    error instanceof AuthError ? reply.code(error.status).send({ error: error.code, message: error.message }) : reply.send(error),
  );
  await app.register(authPlugin, { secret: SECRET, now: () => clock.ms, ...options });
  app.get("/v1/me", async (request) => ({ actor: request.ctx.actor, namespace: request.ctx.namespace }));
  app.get("/v1/admin-only", { config: { admin: true } }, async () => ({ ok: true }));
  const call = async (bearer: string, url = "/v1/me") => {
    const response = await app.inject({ method: "GET", url, headers: { authorization: `Bearer ${bearer}` } });
    return { status: response.statusCode, body: response.json() as Record<string, unknown> };
  };
  return { app, clock, call };
}

const seconds = (ms: number) => Math.floor(ms / 1000);

describe("auth with remembered tokens", () => {
  test("a token is accepted again and again, and refused once it expires, though it was remembered", async () => {
    const { clock, call } = await server();
    const bearer = await token({ sub: "alice", exp: seconds(T0) + 60 });
    expect(await call(bearer)).toEqual({ status: 200, body: { actor: "alice", namespace: "alice" } });
    clock.ms = T0 + 59_000;
    expect((await call(bearer)).status).toBe(200);
    clock.ms = T0 + 60_000;
    expect(await call(bearer)).toMatchObject({ status: 401, body: { message: "the token has expired" } });
    clock.ms = T0 + 3_600_000;
    expect((await call(bearer)).status).toBe(401);
  });

  test("a token is refused before its nbf and accepted from then on", async () => {
    const { clock, call } = await server();
    const bearer = await token({ sub: "alice", nbf: seconds(T0) + 30, exp: seconds(T0) + 600 });
    expect((await call(bearer)).status).toBe(401);
    clock.ms = T0 + 30_000;
    expect((await call(bearer)).status).toBe(200);
    expect((await call(bearer)).status).toBe(200);
  });

  test("a remembered token does not vouch for a tampered copy or one signed with another secret", async () => {
    const { call } = await server();
    const bearer = await token({ sub: "alice", exp: seconds(T0) + 60 });
    expect((await call(bearer)).status).toBe(200);
    const [header, payload, signature] = bearer.split(".") as [string, string, string];
    const otherPayload = Buffer.from(JSON.stringify({ sub: "mallory", exp: seconds(T0) + 60 })).toString("base64url");
    expect((await call(`${header}.${otherPayload}.${signature}`)).status).toBe(401);
    const flipped = signature.slice(0, -2) + (signature.endsWith("AA") ? "BB" : "AA");
    expect((await call(`${header}.${payload}.${flipped}`)).status).toBe(401);
    expect((await call(await token({ sub: "alice", exp: seconds(T0) + 60 }, `${SECRET}-other`))).status).toBe(401);
    expect((await call(bearer)).status).toBe(200);
  });

  test("a refused token stays refused: failures are never remembered", async () => {
    const { clock, call } = await server();
    const early = await token({ sub: "alice", nbf: seconds(T0) + 5 });
    expect((await call(early)).status).toBe(401);
    clock.ms = T0 + 5_000;
    expect((await call(early)).status).toBe(200);
    expect((await call("not-a-token")).status).toBe(401);
    expect((await call("not-a-token")).status).toBe(401);
  });

  test("with the cache off every request checks the signature and the same rules hold", async () => {
    const { clock, call } = await server({ cachedTokens: 0 });
    const bearer = await token({ sub: "bob", exp: seconds(T0) + 10 });
    expect(await call(bearer)).toEqual({ status: 200, body: { actor: "bob", namespace: "bob" } });
    clock.ms = T0 + 10_000;
    expect((await call(bearer)).status).toBe(401);
  });

  test("a remembered token still meets the admin check and the namespace rules on every request", async () => {
    const { app, call } = await server();
    const plain = await token({ sub: "alice", exp: seconds(T0) + 60 });
    for (let i = 0; i < 2; i++) {
      expect((await call(plain)).status).toBe(200);
      expect(await call(plain, "/v1/admin-only")).toMatchObject({ status: 403, body: { error: "forbidden" } });
      const other = await app.inject({
        method: "GET",
        url: "/v1/me",
        headers: { authorization: `Bearer ${plain}`, "ledgerbox-namespace": "bob" },
      });
      expect(other.statusCode).toBe(403);
    }
    expect((await app.inject({ method: "GET", url: "/v1/me" })).statusCode).toBe(401);
  });
});
