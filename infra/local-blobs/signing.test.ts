import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { createUrlSigner, expiryFor, MAX_EXPIRES_IN_SECONDS, QUERY, type SignedRequest, WeakSecretError } from "./signing.ts";

const SECRET = "test-secret-of-sufficient-length";
const signer = createUrlSigner(SECRET);
const NOW = 1_800_000_000_000;

const segment = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,20}$/);
const key = fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => parts.join("/"));
const sha256 = fc.stringMatching(/^[0-9a-f]{64}$/);
const size = fc.integer({ min: 0, max: 16 * 1024 * 1024 });
const expires = fc.integer({ min: NOW / 1000, max: NOW / 1000 + MAX_EXPIRES_IN_SECONDS });
const putRequest = fc.record({ method: fc.constant("PUT" as const), key, expires, size, sha256 });
const getRequest = fc.record({ method: fc.constant("GET" as const), key, expires });

const queryOf = (request: SignedRequest): Record<string, string> =>
  Object.fromEntries(new URLSearchParams(signer.query(request)));

/** Replaces one character so the string differs but stays in its alphabet (hex, base64url, digits). */
const mutateChar = (value: string, at: number, pick: number): string => {
  const alphabet = /^[0-9]+$/.test(value)
    ? "0123456789"
    : /^[0-9a-f]+$/.test(value)
      ? "0123456789abcdef"
      : "ABCDEFabcdef0123456789-_";
  const i = at % value.length;
  const current = value[i] ?? "";
  const choices = [...alphabet].filter((c) => c !== current);
  return value.slice(0, i) + choices[pick % choices.length] + value.slice(i + 1);
};

describe("URL signing", () => {
  test("a freshly signed PUT or GET verifies and yields exactly what was signed", () => {
    fc.assert(
      fc.property(fc.oneof(putRequest, getRequest), (request) => {
        const check = signer.verify(request.method, request.key, queryOf(request), NOW);
        expect(check).toEqual({ ok: true, request });
      }),
    );
  });

  test("changing any signed field of a PUT URL invalidates its signature", () => {
    const field = fc.constantFrom(QUERY.expires, QUERY.size, QUERY.sha256, QUERY.signature);
    fc.assert(
      fc.property(putRequest, field, fc.nat(), fc.nat(), (request, name, at, pick) => {
        const query = queryOf(request);
        const original = query[name] ?? "";
        const changed = { ...query, [name]: mutateChar(original, at, pick) };
        fc.pre(changed[name] !== original);
        const check = signer.verify("PUT", request.key, changed, NOW);
        expect(check).toMatchObject({ ok: false, code: "signature_invalid" });
      }),
    );
  });

  test("a PUT URL does not verify for another key or as a GET, nor a GET URL as a PUT", () => {
    fc.assert(
      fc.property(putRequest, key, (request, otherKey) => {
        fc.pre(otherKey !== request.key);
        const query = queryOf(request);
        expect(signer.verify("PUT", otherKey, query, NOW).ok).toBe(false);
        expect(signer.verify("GET", request.key, query, NOW).ok).toBe(false);
      }),
    );
    fc.assert(
      fc.property(getRequest, size, sha256, (request, n, digest) => {
        const query = { ...queryOf(request), [QUERY.size]: String(n), [QUERY.sha256]: digest };
        expect(signer.verify("PUT", request.key, query, NOW).ok).toBe(false);
      }),
    );
  });

  test("a URL signed with another secret does not verify", () => {
    const other = createUrlSigner("another-secret-of-sufficient-len");
    fc.assert(
      fc.property(fc.oneof(putRequest, getRequest), (request) => {
        const query = Object.fromEntries(new URLSearchParams(other.query(request)));
        expect(signer.verify(request.method, request.key, query, NOW)).toMatchObject({ ok: false, code: "signature_invalid" });
      }),
    );
  });

  test("a genuine URL expires after its expiry second, a forged one is never called expired", () => {
    const request: SignedRequest = { method: "GET", key: "ns/chunks/x", expires: NOW / 1000 + 10 };
    const query = queryOf(request);
    expect(signer.verify("GET", request.key, query, (request.expires + 0) * 1000).ok).toBe(true);
    expect(signer.verify("GET", request.key, query, request.expires * 1000 + 1)).toMatchObject({
      ok: false,
      code: "url_expired",
    });
    const forged = { ...query, [QUERY.expires]: String(request.expires + 100) };
    expect(signer.verify("GET", request.key, forged, NOW + 10_000_000)).toMatchObject({ code: "signature_invalid" });
  });

  test("missing, repeated or malformed parameters are refused, not crashed on", () => {
    const request: SignedRequest = { method: "PUT", key: "ns/k", expires: NOW / 1000 + 10, size: 5, sha256: "a".repeat(64) };
    const query = queryOf(request);
    for (const name of Object.values(QUERY)) {
      const { [name]: _dropped, ...without } = query;
      expect(signer.verify("PUT", request.key, without, NOW).ok).toBe(false);
      expect(signer.verify("PUT", request.key, { ...query, [name]: [query[name], query[name]] }, NOW).ok).toBe(false);
      expect(signer.verify("PUT", request.key, { ...query, [name]: `${query[name]}\n` }, NOW).ok).toBe(false);
    }
    expect(signer.verify("PUT", request.key, { ...query, [QUERY.size]: "05" }, NOW).ok).toBe(false);
  });

  test("short secrets are refused", () => {
    expect(() => createUrlSigner("short")).toThrow(WeakSecretError);
    expect(() => createUrlSigner(new Uint8Array(15))).toThrow(WeakSecretError);
  });

  test("expiry rounds up to whole seconds and stays within a week", () => {
    expect(expiryFor(1_000_500, 1)).toBe(1002);
    expect(expiryFor(1_000_000, 1)).toBe(1001);
    for (const bad of [0, -1, 1.5, MAX_EXPIRES_IN_SECONDS + 1, Number.NaN]) expect(() => expiryFor(NOW, bad)).toThrow(RangeError);
  });
});
