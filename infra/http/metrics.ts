import type {} from "@fastify/swagger";
import type { FastifyInstance } from "fastify";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export interface Metrics {
  readonly registry: Registry;
  /** Gauges read at scrape time, e.g. projector lag; registered by whoever owns the value. */
  gauge(name: string, help: string, read: () => number | null): void;
}

/**
 * Prometheus text at /metrics. One registry per app (not prom-client's global one), so two apps
 * in one process — as in the end-to-end tests — never share or double-register series.
 */
export function installMetrics(app: FastifyInstance): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "ledgerbox_" });
  const requests = new Counter({
    name: "ledgerbox_http_requests_total",
    help: "HTTP requests by route and status",
    labelNames: ["method", "route", "status"],
    registers: [registry],
  });
  const duration = new Histogram({
    name: "ledgerbox_http_request_duration_seconds",
    help: "HTTP request duration by route",
    labelNames: ["method", "route"],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  // A callback hook, not an async one: it does no I/O, and an async hook costs every request a promise.
  app.addHook("onResponse", (request, reply, done) => {
    const route = request.routeOptions.url ?? "unmatched";
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    duration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    done();
  });
  app.get("/metrics", { schema: { hide: true } }, async (_request, reply) =>
    reply.header("content-type", registry.contentType).send(await registry.metrics()),
  );
  return {
    registry,
    gauge(name, help, read) {
      new Gauge({
        name,
        help,
        registers: [registry],
        collect() {
          const value = read();
          if (value !== null) this.set(value);
        },
      });
    },
  };
}
