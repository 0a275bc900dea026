/**
 * Load generator for chunk confirmations: each simulated client confirms its own upload's chunks
 * over a keep-alive connection, all clients at once, one request after another: one chunk per
 * request (`POST /v1/uploads/{id}/chunks/{index}`), or `batch` consecutive chunks per request
 * (`POST /v1/uploads/{id}/chunks`), as the client confirms. Its own process, so the server's event
 * loop does not share a core with the requests' producer.
 */
import { Agent, request } from "node:http";
import { cpuSeconds } from "../harness/memory.ts";
import { summarize } from "../harness/stats.ts";
import { finish, runWorker, workerInput } from "./protocol.ts";

interface Input {
  readonly url: string;
  readonly clients: readonly { token: string; uploadId: string; chunks: number }[];
  /** Chunks per client confirmed before the timed window opens (connections, JIT, caches warm). */
  readonly warmup: number;
  /** Chunks per batch request; absent: one request per chunk on the single route. */
  readonly batch?: number;
  /**
   * Instead of confirming, send this many requests per client to a cheap route at the same
   * concurrency: the HTTP floor, i.e. what the server answers per second before any command work.
   */
  readonly floor?: { readonly method: "GET"; readonly path: string; readonly requests: number };
  /**
   * The server's process: its CPU time is read here as the timed window opens and closes, so the
   * figure leaves out the warm-up without a message's delay at either end.
   */
  readonly serverPid: number;
}

interface Answer {
  readonly status: number;
  readonly body: string;
}

runWorker(async () => {
  const { url, clients, warmup, batch, floor, serverPid } = await workerInput<Input>();
  const { hostname, port } = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: clients.length });
  const statuses: Record<number, number> = {};

  /** The body is read only where it is checked (batches), so single requests cost what they always did. */
  const call = (token: string, method: string, path: string, body?: string) =>
    new Promise<Answer>((resolve, reject) => {
      const headers: Record<string, string | number> = {
        authorization: `Bearer ${token}`,
        "ledgerbox-client-id": "bench-load",
        "content-length": body === undefined ? 0 : Buffer.byteLength(body),
      };
      if (body !== undefined) headers["content-type"] = "application/json";
      const req = request({ agent, host: hostname, port, method, path, headers }, (res) => {
        let text = "";
        if (body === undefined && res.statusCode === 200) res.resume();
        else {
          res.setEncoding("utf8");
          res.on("data", (part: string) => {
            text += part;
          });
        }
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end(body);
    });

  /** One request for chunks `from` to `to` (exclusive); the chunks it confirmed. */
  const confirm = async (token: string, uploadId: string, from: number, to: number): Promise<number> => {
    if (floor) return expectOk(await call(token, floor.method, floor.path), floor.path);
    if (batch === undefined)
      return expectOk(await call(token, "POST", `/v1/uploads/${uploadId}/chunks/${from}`), `${uploadId}/${from}`);
    const indexes = Array.from({ length: to - from }, (_, i) => from + i);
    const answer = await call(token, "POST", `/v1/uploads/${uploadId}/chunks`, JSON.stringify({ indexes }));
    expectOk(answer, `${uploadId}/[${from}..${to})`);
    // Count only what the server says it confirmed, so a wrong answer cannot pass as throughput.
    const confirmed = (JSON.parse(answer.body) as { chunks: { index: number }[] }).chunks;
    if (confirmed.length !== indexes.length || confirmed.some((chunk, i) => chunk.index !== indexes[i])) {
      throw new Error(`batch ${uploadId}/[${from}..${to}) answered ${answer.body.slice(0, 200)}`);
    }
    return confirmed.length;
  };
  const expectOk = (answer: Answer, what: string): number => {
    statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
    if (answer.status !== 200) throw new Error(`${what} → ${answer.status} ${answer.body.slice(0, 200)}`);
    return 1;
  };

  const step = batch ?? 1;
  const counts = { requests: 0, confirms: 0 };
  const run = async (from: number, to: (chunks: number) => number, latencies: number[] | null) =>
    Promise.all(
      clients.map(async ({ token, uploadId, chunks }) => {
        const end = to(chunks);
        for (let index = from; index < end; index += step) {
          const started = performance.now();
          const confirmed = await confirm(token, uploadId, index, Math.min(index + step, end));
          if (latencies) {
            latencies.push(performance.now() - started);
            counts.requests++;
            counts.confirms += confirmed;
          }
        }
      }),
    );

  await run(0, () => warmup, null);
  const latencies: number[] = [];
  const cpu = process.cpuUsage();
  const serverCpuAtStart = cpuSeconds(serverPid);
  const started = performance.now();
  await run(warmup, (chunks) => (floor ? warmup + floor.requests : chunks), latencies);
  const ms = performance.now() - started;
  const serverCpuSecondsInWindow = cpuSeconds(serverPid) - serverCpuAtStart;
  const used = process.cpuUsage(cpu);
  agent.destroy();
  // The generator's own CPU: on 2 cores it competes with the server, so it bounds what can be measured.
  const cpuMs = (used.user + used.system) / 1000;
  await finish({
    ms,
    confirms: counts.confirms,
    requests: counts.requests,
    latencyMs: summarize(latencies),
    statuses,
    cpuMs,
    serverCpuAtStart,
    serverCpuSecondsInWindow,
  });
});
