import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningLedgerbox, removeDir, startLedgerbox } from "../../test/support/ledgerbox.ts";
import { historyAll } from "../../test/support/sync-reads.ts";
import { createApi } from "../api/client.ts";
import { defaultRetryPolicy, type RetryPolicy } from "../api/retry.ts";
import { createDownloader } from "../download/download.ts";
import { memorySink } from "../download/sink.ts";
import { bytesSource } from "../platform/file-source.ts";
import type { Fetch } from "../platform/http.ts";
import { type Platform, seededRandom, systemClock } from "../platform/index.ts";
import { MemoryLog } from "../store/durable-log.ts";
import { openStore } from "../store/open.ts";
import { createUploader } from "./uploader.ts";

/**
 * The real uploader against a real Ledgerbox, through an HTTP proxy that misbehaves for a share of
 * requests: it drops connections (before forwarding, or after the server answered), delays, answers
 * 503 with Retry-After, and flips a byte in chunk bodies. The client only ever sees the proxy (API
 * and presigned blob URLs alike); the bytes are then read back straight from the server.
 */

type Fault = "dropBefore" | "dropAfter" | "delay" | "unavailable" | "corrupt";
const FAULTS: readonly Fault[] = ["dropBefore", "dropAfter", "delay", "unavailable", "corrupt"];
const FAULT_RATE = 0.2;

interface FaultProxy {
  readonly url: string;
  target: string | null;
  readonly counts: Record<Fault | "requests", number>;
  /** Corrupted chunk bodies the server stored instead of refusing (must stay 0). */
  corruptAccepted(): number;
  close(): Promise<void>;
}

const readAll = async (stream: IncomingMessage): Promise<Buffer> => {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
};

async function startFaultProxy(seed: number): Promise<FaultProxy> {
  const random = seededRandom(seed);
  const counts: Record<Fault | "requests", number> = {
    requests: 0,
    dropBefore: 0,
    dropAfter: 0,
    delay: 0,
    unavailable: 0,
    corrupt: 0,
  };
  let corruptAccepted = 0;
  const isChunkPut = (req: IncomingMessage) => req.method === "PUT" && (req.url ?? "").startsWith("/blobs/");

  /** Seeded, plus a guarantee: once a few requests went by, a kind never yet injected is forced on the next one it fits. */
  const choose = (req: IncomingMessage, bodyLength: number): Fault | null => {
    const fits = (fault: Fault) => fault !== "corrupt" || (isChunkPut(req) && bodyLength > 0);
    if (random.next() < FAULT_RATE) {
      const pick = FAULTS[Math.floor(random.next() * FAULTS.length)]!;
      if (fits(pick)) return pick;
    }
    if (counts.requests > 8) return FAULTS.find((fault) => counts[fault] === 0 && fits(fault)) ?? null;
    return null;
  };

  const forward = (
    req: IncomingMessage,
    body: Buffer,
    target: string,
  ): Promise<{ status: number; headers: IncomingMessage["headers"]; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const upstream = new URL(req.url ?? "/", target);
      const headers = { ...req.headers, host: upstream.host, "content-length": String(body.length) };
      delete headers["transfer-encoding"];
      const out = httpRequest(upstream, { method: req.method, headers }, (res) => {
        readAll(res).then((answer) => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: answer }), reject);
      });
      out.on("error", reject);
      out.end(body);
    });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    counts.requests++;
    const target = proxy.target;
    let body = await readAll(req);
    if (target === null) {
      res.writeHead(502).end();
      return;
    }
    const fault = choose(req, body.length);
    if (fault) counts[fault]++;
    switch (fault) {
      case "dropBefore":
        req.socket.destroy();
        return;
      case "unavailable":
        res.writeHead(503, { "retry-after": "1", "content-type": "application/json" });
        res.end(JSON.stringify({ error: "unavailable", message: "injected by the fault proxy" }));
        return;
      case "delay":
        await new Promise((resolve) => setTimeout(resolve, 100 + Math.floor(random.next() * 400)));
        break;
      case "corrupt": {
        body = Buffer.from(body);
        const at = Math.floor(random.next() * body.length);
        body[at] = body[at]! ^ 0xff;
        break;
      }
      default:
        break;
    }
    const answer = await forward(req, body, target);
    if (fault === "corrupt" && answer.status < 400) corruptAccepted++;
    if (fault === "dropAfter") {
      // The server did the work; the client never hears about it.
      req.socket.destroy();
      return;
    }
    const headers = { ...answer.headers };
    delete headers["transfer-encoding"];
    delete headers.connection;
    headers["content-length"] = String(answer.body.length);
    res.writeHead(answer.status, headers);
    res.end(answer.body);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => req.socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const proxy: FaultProxy = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    target: null,
    counts,
    corruptAccepted: () => corruptAccepted,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return proxy;
}

const pseudoRandomBytes = (seed: number, length: number): Uint8Array => {
  const random = seededRandom(seed);
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = Math.floor(random.next() * 256);
  return bytes;
};

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((byte, i) => byte === b[i]);

/**
 * Fast retries, and enough of them that a 20% fault rate cannot plausibly exhaust them. Which
 * failures are retried is the default decision, unchanged: that is part of what this proves.
 */
const quickRetry: RetryPolicy = {
  ...defaultRetryPolicy,
  delays: [5, 10, 20, 40, 80, 160, 160, 160, 160, 160],
  maxRetryAfterMs: 1000,
};

let server: RunningLedgerbox;
let proxy: FaultProxy;
beforeAll(async () => {
  proxy = await startFaultProxy(20261124);
  server = await startLedgerbox({ LEDGERBOX_PUBLIC_URL: proxy.url });
  proxy.target = server.url;
});
afterAll(async () => {
  await proxy?.close();
  await server?.close();
  if (server) await removeDir(server.dataDir);
});

describe("uploads through a proxy that drops, delays and corrupts requests", () => {
  it("complete byte-identical, each committed once, with every kind of fault injected", async () => {
    const user = "faulty";
    const token = await server.token(user);
    const fetch: Fetch = (input, init) => globalThis.fetch(input, init);
    const platform: Platform = { fetch, clock: systemClock, random: seededRandom(11) };
    const api = createApi({ baseUrl: proxy.url, token, clientId: "fault-injection", fetch });
    const store = await openStore({ indexedDB: new IDBFactory(), IDBKeyRange, journal: new MemoryLog() });
    const uploader = createUploader({ api, db: store.db, platform, retry: quickRetry, concurrency: 4 });

    const files = [
      { path: "/faults/a.bin", bytes: pseudoRandomBytes(1, 3 * 1024 * 1024 + 17) },
      { path: "/faults/b.bin", bytes: pseudoRandomBytes(2, 2 * 1024 * 1024 + 4093) },
      { path: "/faults/c.bin", bytes: pseudoRandomBytes(3, 4 * 1024 * 1024 - 5) },
      { path: "/faults/d.bin", bytes: pseudoRandomBytes(4, 1024 * 1024 + 1) },
    ];
    const outcomes = await Promise.all(
      files.map((file) => uploader.upload({ source: bytesSource(file.bytes), path: file.path }).done),
    );
    for (const [i, outcome] of outcomes.entries()) {
      expect(outcome).toMatchObject({ path: files[i]!.path, revision: 1, size: files[i]!.bytes.length, conflict: false });
    }

    // Read back straight from the server: the API at its own address, presigned GETs rewritten off the proxy.
    const direct: Fetch = (input, init) => {
      const url = String(input);
      return globalThis.fetch(url.startsWith(proxy.url) ? server.url + url.slice(proxy.url.length) : url, init);
    };
    const readApi = createApi({ baseUrl: server.url, token, clientId: "fault-injection-read", fetch: direct });
    const downloader = createDownloader({ api: readApi, platform: { ...platform, fetch: direct } });
    for (const [i, file] of files.entries()) {
      await expect
        .poll(
          () =>
            readApi.fileMeta(file.path).then(
              (m) => m.revision,
              () => null,
            ),
          { timeout: 5000 },
        )
        .toBe(1);
      const sink = memorySink();
      const meta = await downloader.download(file.path, sink);
      expect(meta.contentHash).toBe(outcomes[i]!.contentHash);
      expect(sameBytes(sink.bytes(), file.bytes), `${file.path} must come back byte-identical`).toBe(true);

      const history = await historyAll(server, file.path, { user });
      expect(history.filter((entry) => entry.type === "FileVersionCommitted")).toHaveLength(1);
    }

    const { requests, ...faults } = proxy.counts;
    console.info(
      `fault proxy: ${requests} requests, faults ${JSON.stringify(faults)}, client retries ${uploader.counters.retries}`,
    );
    for (const fault of FAULTS) expect(proxy.counts[fault], `${fault} injected at least once`).toBeGreaterThan(0);
    expect(proxy.corruptAccepted(), "the server must refuse every corrupted chunk").toBe(0);
    expect(uploader.counters.retries).toBeGreaterThan(0);
  }, 60_000);
});
