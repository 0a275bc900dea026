import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify from "fastify";
import { createLocalBlobStore, localBlobRoutes } from "../../infra/local-blobs/index.ts";
import { createMemoryBus } from "../../infra/memory-bus/index.ts";
import { blobStoreContract } from "./blob-store.contract.ts";
import { busContract } from "./bus.contract.ts";

/** The embedded adapters, served the way the composition root serves them: a real HTTP listener. */
blobStoreContract("local files", async () => {
  const dir = await mkdtemp(join(tmpdir(), "ledgerbox-blobs-"));
  let publicUrl = "";
  const store = createLocalBlobStore({ dir, publicUrl: () => publicUrl, secret: randomBytes(32) });
  // A response can still be finishing when the suite closes the server; without forcing, its
  // keep-alive connection would hold close() open for the keep-alive timeout.
  const app = Fastify({ logger: false, forceCloseConnections: true });
  await app.register(localBlobRoutes, { store });
  publicUrl = await app.listen({ host: "127.0.0.1", port: 0 });
  return {
    store,
    namespace: `ns-${randomUUID()}`,
    cleanup: async () => {
      await app.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

busContract("in-memory", async () => {
  const bus = createMemoryBus();
  return { bus, cleanup: () => bus.close() };
});
