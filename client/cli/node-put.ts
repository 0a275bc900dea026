import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { abortReason } from "../platform/clock.ts";
import type { PutAnswer, PutBytes } from "../platform/put-bytes.ts";

/** The statuses fetch treats as redirects; with `redirect: "error"` it fails on them as on a lost connection. */
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * Chunk PUTs through node:http, which writes the caller's bytes to the socket as they are: Node's
 * fetch copies every request body first, about 8 % of the uploading thread's time. One keep-alive
 * agent per scheme reuses connections from PUT to PUT. It does not cap sockets per host: the
 * uploader's pool bounds the PUTs in flight, and a lower cap would queue them behind each other.
 * Idle sockets do not keep the process alive (the agent unrefs them).
 */
export function nodePutBytes(): PutBytes {
  const http = new HttpAgent({ keepAlive: true });
  const https = new HttpsAgent({ keepAlive: true });
  return (url, { method, headers, body, signal }) =>
    new Promise<PutAnswer>((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortReason(signal));
        return;
      }
      const target = new URL(url);
      const secure = target.protocol === "https:";
      if (!secure && target.protocol !== "http:") {
        reject(new TypeError(`cannot PUT to ${target.protocol} URLs`));
        return;
      }
      const sent: Record<string, string> = { ...headers };
      if (!Object.keys(sent).some((name) => name.toLowerCase() === "content-length")) {
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
        if (REDIRECTS.has(status)) {
          // Drained all the same, so the connection stays usable.
          response.resume();
          fail(new TypeError(`unexpected redirect (${status}) from ${target.origin}`));
          return;
        }
        const ok = status >= 200 && status <= 299;
        // A success's body says nothing we use: read and dropped, so the socket goes back to the agent.
        const parts: Buffer[] = [];
        if (ok) response.resume();
        else response.on("data", (part: Buffer) => parts.push(part));
        response.on("end", () => {
          const text = ok ? "" : Buffer.concat(parts).toString("utf8");
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
