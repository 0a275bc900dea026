import type { EventMetadata } from "../domain/index.ts";
import type { BlobStore, EventStore, ReadStore, RequestContext } from "../infra/ports/index.ts";
import type { CommandHandler } from "./command-handler.ts";

export interface CommandSettings {
  /** How long an upload stays open for chunks and completion. */
  readonly uploadTtlSeconds: number;
  /** How long a presigned chunk URL stays valid (a resuming client asks for fresh ones). */
  readonly putUrlTtlSeconds: number;
}

/** Everything a command service needs, built once by the plugin. */
export interface CommandContext {
  readonly handler: CommandHandler;
  readonly eventStore: EventStore;
  readonly blobStore: BlobStore;
  /** Only to route storage notifications to the uploads waiting for a chunk; never a decision input. */
  readonly readStore: ReadStore;
  readonly clock: () => Date;
  readonly settings: CommandSettings;
}

export const metadataFor = (request: RequestContext, at: Date): EventMetadata => ({
  actor: request.actor,
  namespace: request.namespace,
  clientId: request.clientId,
  correlationId: request.correlationId,
  at: at.toISOString(),
});
