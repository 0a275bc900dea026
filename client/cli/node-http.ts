import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { abortReason } from "../platform/clock.ts";
import type { Exchange } from "../platform/exchange.ts";
import type { PutAnswer, PutBytes } from "../platform/put-bytes.ts";

/** The statuses fetch treats as redirects; with `redirect: "error"` it fails on them as on a lost connection. */
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

interface Sent {
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** What to do with an answer: refuse a redirect, and whether its body is worth reading. */
interface AnswerPolicy {
  readonly refuseRedirects: boolean;
  readonly keepBody: (ok: boolean) => boolean;
}

/**
 * One request through node:http with a keep-alive agent per scheme, read to the end so the socket
 * goes back to its agent. The agents do not cap sockets per host: callers bound what they have in
 * flight, and a lower cap would queue requests behind each other. Idle sockets do not keep the
 * process alive (the agent unrefs them).
 */
function nodeSender(policy: AnswerPolicy) {
  const http = new HttpAgent({ keepAlive: true });
  const https = new HttpsAgent({ keepAlive: true });
  return (url: string, { method, headers, body, signal }: Sent) =>
    new Promise<PutAnswer>((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortReason(signal));
        return;
      }
      const target = new URL(url);
      const secure = target.protocol === "https:";
      if (!secure && target.protocol !== "http:") {
        reject(new TypeError(`cannot send ${method} to ${target.protocol} URLs`));
        return;
      }
      const sent: Record<string, string> = { ...headers };
      if (body !== undefined && !Object.keys(sent).some((name) => name.toLowerCase() === "content-length")) {
        sent["content-length"] = String(body.length);
      }
      const request = (secure ? httpsRequest : httpRequest)(target, { method, headers: sent, agent: secure ? https : http });

      let settled = false;
      const settle = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener("abort", onAbort);
        outcome();
      };
      const fail = (error: unknown) => settle(() => reject(error));
      const onAbort = () => {
        fail(abortReason(signal!));
        request.destroy();
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      // After an abort the destroyed request reports its own error; the abort has already settled.
      request.on("error", fail);

      request.on("response", (response: IncomingMessage) => {
        const status = response.statusCode ?? 0;
        response.on("error", fail);
        if (policy.refuseRedirects && REDIRECTS.has(status)) {
          // Drained all the same, so the connection stays usable.
          response.resume();
          fail(new TypeError(`unexpected redirect (${status}) from ${target.origin}`));
          return;
        }
        const parts: Buffer[] = [];
        if (policy.keepBody(status >= 200 && status <= 299)) response.on("data", (part: Buffer) => parts.push(part));
        else response.resume();
        response.on("end", () => {
          const text = Buffer.concat(parts).toString("utf8");
          settle(() =>
            resolve({
              status,
              url,
              headers: {
                get: (name) => {
                  const value = response.headers[name.toLowerCase()];
                  return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
                },
              },
              text: async () => text,
            }),
          );
        });
      });
      // The bytes go to the socket as they are, without a copy; the caller keeps them until this settles.
      request.end(body);
    });
}

/**
 * Chunk PUTs through node:http, which writes the caller's bytes to the socket as they are: Node's
 * fetch copies every request body first, about 8 % of the uploading thread's time. A success's
 * body says nothing the uploader uses, so only an error's is read; a redirect is refused as fetch
 * with `redirect: "error"` refuses it.
 */
export function nodePutBytes(): PutBytes {
  return nodeSender({ refuseRedirects: true, keepBody: (ok) => !ok });
}

/**
 * API calls through node:http (see platform/exchange.ts for why): the JSON body as UTF-8, every
 * answer read whole, a redirect returned as the answer it is.
 */
export function nodeExchange(): Exchange {
  const send = nodeSender({ refuseRedirects: false, keepBody: () => true });
  return (url, { method, headers, body, signal }) =>
    send(url, { method, headers, body: body === undefined ? undefined : Buffer.from(body, "utf8"), signal });
}
