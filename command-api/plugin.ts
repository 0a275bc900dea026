import type { FastifyPluginAsync } from "fastify";
import type { BlobStore, EventStore, ReadStore, StoredObjectNotice } from "../infra/ports/index.ts";
import { CommandHandler } from "./command-handler.ts";
import type { CommandContext, CommandSettings } from "./context.ts";
import { fileRoutes } from "./routes/files.ts";
import { storageNotificationRoutes } from "./routes/storage-notifications.ts";
import { uploadRoutes } from "./routes/uploads.ts";
import { onStoredObject } from "./uploads/storage-notice.ts";

export interface CommandApiDeps {
  readonly eventStore: EventStore;
  readonly blobStore: BlobStore;
  readonly readStore: ReadStore;
  readonly settings: CommandSettings;
  readonly clock?: () => Date;
}

export function createCommandContext(deps: CommandApiDeps): CommandContext {
  return {
    handler: new CommandHandler(deps.eventStore),
    eventStore: deps.eventStore,
    blobStore: deps.blobStore,
    readStore: deps.readStore,
    clock: deps.clock ?? (() => new Date()),
    settings: deps.settings,
  };
}

export interface CommandApiOptions {
  readonly context: CommandContext;
  readonly storageNotifications?: { readonly token: string; readonly parse: (body: unknown) => StoredObjectNotice[] };
}

/** The write side: every upload and file command. */
export const commandApi: FastifyPluginAsync<CommandApiOptions> = async (app, options) => {
  await app.register(uploadRoutes, { context: options.context });
  await app.register(fileRoutes, { context: options.context });
  if (options.storageNotifications) {
    await app.register(storageNotificationRoutes, { context: options.context, ...options.storageNotifications });
  }
};

/** For stores that notify in-process (the local blob store's PUT handler). */
export const storedObjectListener =
  (context: CommandContext) =>
  (notice: StoredObjectNotice): Promise<number> =>
    onStoredObject(context, notice);
