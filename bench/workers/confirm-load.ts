/**
 * Load generator for chunk confirmations: each simulated client confirms its own upload's chunks
 * one after another over a keep-alive connection, all clients at once. Its own process, so the
 * server's event loop does not share a core with the requests' producer.
 */
import { Agent, request } from "node:http";
import { summarize } from "../harness/stats.ts";
import { finish, runWorker, workerInput } from "./protocol.ts";

interface Input {
  readonly url: string;
  readonly clients: readonly { token: string; uploadId: string; chunks: number }[];
  /** Confirms per client before the timed window opens (connections, JIT, caches warm). */
  readonly warmup: number;
  /**
   * Instead of confirming, send this many requests per client to a cheap route at the same
   * concurrency: the HTTP floor, i.e. what the server answers per second before any command work.
   */
  readonly floor?: { readonly method: "GET"; readonly path: string; readonly requests: number };
}

runWorker(async () => {
  const { url, clients, warmup, floor } = await workerInput<Input>();
  const { hostname, port } = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: clients.length });
  const statuses: Record<number, number> = {};

  const call = (token: string, method: string, path: string) =>
    new Promise<number>((resolve, reject) => {
      const req = request(
        {
          agent,
          host: hostname,
          port,
          method,
          path,
          headers: { authorization: `Bearer ${token}`, "ledgerbox-client-id": "bench-load", "content-length": 0 },
        },
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end();
    });

  const run = async (from: number, to: (chunks: number) => number, latencies: number[] | null) =>
    Promise.all(
      clients.map(async ({ token, uploadId, chunks }) => {
        for (let index = from; index < to(chunks); index++) {
          const started = performance.now();
          const status = floor
            ? await call(token, floor.method, floor.path)
            : await call(token, "POST", `/v1/uploads/${uploadId}/chunks/${index}`);
          latencies?.push(performance.now() - started);
          statuses[status] = (statuses[status] ?? 0) + 1;
          if (status !== 200) throw new Error(`${floor ? floor.path : `confirm ${uploadId}/${index}`} → ${status}`);
        }
      }),
    );

  await run(0, () => warmup, null);
  const latencies: number[] = [];
  const cpu = process.cpuUsage();
  const started = performance.now();
  await run(warmup, (chunks) => (floor ? warmup + floor.requests : chunks), latencies);
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  agent.destroy();
  // The generator's own CPU: on 2 cores it competes with the server, so it bounds what can be measured.
  const cpuMs = (used.user + used.system) / 1000;
  await finish({ ms, confirms: latencies.length, latencyMs: summarize(latencies), statuses, cpuMs });
});
