import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * HMAC-SHA256 signatures for the local store's URLs. The signed string binds the method, the key,
 * the expiry and — for PUT — the exact size and digest of the bytes the URL may store, so a URL
 * handed to one client for one chunk cannot be stretched to anything else. The version tag keeps
 * these signatures apart from anything else signed with the same secret (e.g. auth tokens).
 */
const TAG = "LEDGERBOX-BLOB-URL-V1";
/** Longest lifetime of a URL, as for S3 presigned URLs: a leaked URL stops working within a week. */
export const MAX_EXPIRES_IN_SECONDS = 7 * 24 * 3600;
const MIN_SECRET_BYTES = 16;

export const QUERY = { expires: "expires", size: "size", sha256: "sha256", signature: "signature" } as const;

export type SignedRequest =
  | { readonly method: "PUT"; readonly key: string; readonly expires: number; readonly size: number; readonly sha256: string }
  | { readonly method: "GET"; readonly key: string; readonly expires: number };

export type Verification =
  | { readonly ok: true; readonly request: SignedRequest }
  | { readonly ok: false; readonly code: "signature_invalid" | "url_expired"; readonly message: string };

export class WeakSecretError extends Error {
  override readonly name = "WeakSecretError";
}

// Every field is checked against these before it is signed or verified, so no value can smuggle
// a newline into the signed string and shift the boundary between two fields.
const DECIMAL = /^(0|[1-9][0-9]{0,15})$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;
const SIGNATURE = /^[A-Za-z0-9_-]{43}$/;

function stringToSign(request: SignedRequest): string {
  const body = request.method === "PUT" ? [String(request.size), request.sha256] : ["", ""];
  return [TAG, request.method, request.key, String(request.expires), ...body].join("\n");
}

export interface UrlSigner {
  /** The query string (without `?`) that authorises `request`. */
  query(request: SignedRequest): string;
  /** Checks a request's query against its method and key; `nowMs` is the verifier's clock. */
  verify(method: "PUT" | "GET", key: string, query: Readonly<Record<string, unknown>>, nowMs: number): Verification;
}

export function createUrlSigner(secret: string | Uint8Array): UrlSigner {
  const keyBytes = typeof secret === "string" ? Buffer.from(secret, "utf8") : Buffer.from(secret);
  if (keyBytes.length < MIN_SECRET_BYTES) {
    throw new WeakSecretError(`the blob URL secret must hold at least ${MIN_SECRET_BYTES} bytes`);
  }
  const mac = (request: SignedRequest): Buffer => createHmac("sha256", keyBytes).update(stringToSign(request)).digest();

  const query = (request: SignedRequest): string => {
    const params = new URLSearchParams();
    params.set(QUERY.expires, String(request.expires));
    if (request.method === "PUT") {
      params.set(QUERY.size, String(request.size));
      params.set(QUERY.sha256, request.sha256);
    }
    params.set(QUERY.signature, mac(request).toString("base64url"));
    return params.toString();
  };

  const verify: UrlSigner["verify"] = (method, key, params, nowMs) => {
    const invalid = (message: string): Verification => ({ ok: false, code: "signature_invalid", message });
    const field = (name: string): string | null => {
      const value = params[name];
      return typeof value === "string" ? value : null;
    };
    const expiresText = field(QUERY.expires);
    const signature = field(QUERY.signature);
    if (expiresText === null || signature === null) return invalid("the URL carries no signature; ask the server for a new one");
    if (!DECIMAL.test(expiresText) || !SIGNATURE.test(signature)) return invalid("the URL's signature fields are malformed");
    const expires = Number(expiresText);
    let request: SignedRequest;
    if (method === "PUT") {
      const size = field(QUERY.size);
      const sha256 = field(QUERY.sha256);
      if (size === null || sha256 === null || !DECIMAL.test(size) || !SHA256_HEX.test(sha256)) {
        return invalid("the upload URL must carry the size and sha256 it was signed for");
      }
      request = { method, key, expires, size: Number(size), sha256 };
    } else {
      request = { method, key, expires };
    }
    // Compared as text, not decoded bytes: base64 decoders ignore the last character's spare bits,
    // so two different strings would otherwise pass for the same signature. Constant-time, so
    // the comparison does not reveal how much of a guess was right.
    const given = Buffer.from(signature, "ascii");
    const expected = Buffer.from(mac(request).toString("base64url"), "ascii");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return invalid("the URL's signature does not match its method, key, size, digest or expiry");
    }
    // Checked after the signature, so "expired" is only ever said of a genuine URL.
    if (nowMs > expires * 1000) {
      return { ok: false, code: "url_expired", message: "the URL has expired; ask the server for a new one" };
    }
    return { ok: true, request };
  };

  return { query, verify };
}

/** Expiry in whole epoch seconds, rounded up so a URL never lives shorter than asked. */
export function expiryFor(nowMs: number, expiresInSeconds: number): number {
  if (!Number.isInteger(expiresInSeconds) || expiresInSeconds < 1 || expiresInSeconds > MAX_EXPIRES_IN_SECONDS) {
    throw new RangeError(`expiresIn must be a whole number of seconds between 1 and ${MAX_EXPIRES_IN_SECONDS}`);
  }
  return Math.ceil(nowMs / 1000) + expiresInSeconds;
}
