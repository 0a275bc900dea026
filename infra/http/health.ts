import type { FastifyInstance } from "fastify";
import type { EventStore, ProjectionControl, ReadStore } from "../ports/index.ts";

/** Liveness plus a real round trip to each store: 503 names what is down. */
export function installHealth(
  app: FastifyInstance,
  deps: { eventStore: EventStore; readStore: ReadStore; projections: ProjectionControl | null },
): void {
  app.get("/health", { schema: { tags: ["ops"], summary: "Health of this process and its stores" } }, async (_request, reply) => {
    const checks: Record<string, string> = {};
    const probe = async (name: string, check: () => Promise<unknown>) => {
      try {
        await check();
        checks[name] = "ok";
      } catch (error) {
        checks[name] = error instanceof Error ? error.message : String(error);
      }
    };
    await Promise.all([
      probe("eventStore", () => deps.eventStore.headPosition()),
      probe("readStore", () => deps.readStore.getCheckpoint("read-models")),
    ]);
    const healthy = Object.values(checks).every((value) => value === "ok");
    return reply.code(healthy ? 200 : 503).send({
      status: healthy ? "ok" : "degraded",
      checks,
      projections: deps.projections?.status() ?? null,
    });
  });
}
