import { createHmac } from "node:crypto";
import { mkdir } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import cors from "@fastify/cors";
import Fastify, { type FastifyInstance, type FastifyServerOptions } from "fastify";
import { share } from "rxjs";
import { authPlugin } from "../command-api/auth.ts";
import { commandApi, createCommandContext, storedObjectListener } from "../command-api/plugin.ts";
import { startProjectors } from "../projectors/index.ts";
import type { QueryContext } from "../query-api/context.ts";
import { queryApi } from "../query-api/plugin.ts";
import { openBus, openEventStore, openReadStore, openS3BlobStore } from "./adapters.ts";
import type { Config } from "./config.ts";
import { devSecret } from "./dev-auth.ts";
import { installDocs } from "./http/docs.ts";
import { installErrorHandler } from "./http/error-handler.ts";
import { installHealth } from "./http/health.ts";
import { installMetrics } from "./http/metrics.ts";
import { installValidation } from "./http/validation.ts";
import { createLocalBlobStore, type LocalBlobStore, localBlobRoutes } from "./local-blobs/index.ts";
import type { BlobStore, ProjectionControl, StoredObjectNotice } from "./ports/index.ts";

export interface LedgerboxApp {
  readonly app: FastifyInstance;
  readonly config: Config;
  /** The HS256 secret in force (generated into the data dir when none was configured). */
  readonly authSecret: string;
  readonly generatedSecret: boolean;
  readonly projections: ProjectionControl | null;
  close(): Promise<void>;
}

/**
 * The composition root: picks an adapter for each port, wires the roles this process runs, and
 * returns a Fastify instance that is built but not listening (server.ts-style split: tests use
 * it through inject() or listen on port 0).
 */
export async function buildApp(config: Config, options: { logger?: FastifyServerOptions["logger"] } = {}): Promise<LedgerboxApp> {
  await mkdir(config.dataDir, { recursive: true });
  const generatedSecret = config.authSecret === null;
  const authSecret = config.authSecret ?? (await devSecret(config.dataDir));
  const roles = config.roles;

  const app = Fastify({
    logger: options.logger ?? { level: config.logLevel },
    genReqId: (request) => String(request.headers["x-request-id"] ?? crypto.randomUUID()),
    // SSE streams and keep-alive downloads would otherwise hold a shutdown open for minutes.
    forceCloseConnections: true,
  });
  installValidation(app);

  const eventStore = await openEventStore(config.eventStore);
  const readStore = await openReadStore(config.readStore);
  const bus = await openBus(config.bus, `ledgerbox-${process.pid}`);
  // Every presigned URL starts with this. Once the server is bound its address cannot change, and
  // asking the socket for it each time cost ~10 µs per URL: a tenth of a second to start an
  // upload of 10,000 chunks.
  let bound: string | null = null;
  const publicUrl = (): string => {
    if (config.publicUrl) return config.publicUrl;
    if (bound !== null) return bound;
    const url = listeningUrl(app, config);
    if (app.server.listening) bound = url;
    return url;
  };
  const blobStore: BlobStore =
    config.blobStore.kind === "local"
      ? createLocalBlobStore({
          dir: config.blobStore.dir,
          publicUrl,
          // A key of its own, derived from the auth secret: blob URLs and tokens never share one.
          secret: createHmac("sha256", authSecret).update("ledgerbox local blob urls").digest(),
        })
      : await openS3BlobStore(config.blobStore);

  const projectors = roles.has("projectors") ? startProjectors({ eventStore, readStore, bus, log: app.log }) : null;

  await installDocs(app);
  installErrorHandler(app);
  const metrics = installMetrics(app);
  await app.register(cors, { origin: true, exposedHeaders: ["retry-after"] });
  await app.register(authPlugin, { secret: authSecret });
  installHealth(app, { eventStore, readStore, projections: projectors });
  if (projectors)
    metrics.gauge("ledgerbox_projection_lag_events", "Events the read models are behind the log", () => projectors.status().lag);

  if (roles.has("command-api")) {
    const context = createCommandContext({
      eventStore,
      blobStore,
      readStore,
      settings: { uploadTtlSeconds: config.uploadTtlSeconds, putUrlTtlSeconds: config.putUrlTtlSeconds },
    });
    const storageNotifications = config.storageNotifyToken
      ? { token: config.storageNotifyToken, parse: await s3NotificationParser() }
      : undefined;
    await app.register(commandApi, { context, ...(storageNotifications ? { storageNotifications } : {}) });
    if (config.blobStore.kind === "local") {
      const listener = storedObjectListener(context);
      await app.register(localBlobRoutes, {
        store: blobStore as LocalBlobStore,
        onStored: async (notice: StoredObjectNotice) => {
          await listener(notice);
        },
      });
    }
  } else if (config.blobStore.kind === "local") {
    await app.register(localBlobRoutes, { store: blobStore as LocalBlobStore });
  }

  if (roles.has("query-api") || roles.has("push-gateway")) {
    const context: QueryContext = {
      readStore,
      blobStore,
      notices$: roles.has("push-gateway") ? bus.notices().pipe(share()) : null,
      projections: projectors,
      clock: () => new Date(),
      settings: {
        getUrlTtlSeconds: config.getUrlTtlSeconds,
        putUrlTtlSeconds: config.putUrlTtlSeconds,
        heartbeatMs: config.heartbeatMs,
      },
    };
    await app.register(queryApi, { context, pushGateway: roles.has("push-gateway") });
  }

  return {
    app,
    config,
    authSecret,
    generatedSecret,
    projections: projectors,
    async close() {
      await projectors?.stop();
      await app.close();
      await Promise.allSettled([bus.close(), blobStore.close(), readStore.close(), eventStore.close()]);
    },
  };
}

function listeningUrl(app: FastifyInstance, config: Config): string {
  const address = app.server.address() as AddressInfo | null;
  const port = address?.port ?? config.port;
  const host = config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host;
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
}

async function s3NotificationParser(): Promise<(body: unknown) => StoredObjectNotice[]> {
  const { parseBucketNotification } = await import("./s3/notification.ts");
  return parseBucketNotification;
}
