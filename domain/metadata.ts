import type { ClientId, Namespace, UserId } from "./ids.ts";

/**
 * Every event carries who did it, where, from which client, as part of which request, and when.
 * History and audit are read from this, never reconstructed.
 */
export interface EventMetadata {
  readonly actor: UserId;
  readonly namespace: Namespace;
  readonly clientId: ClientId;
  readonly correlationId: string;
  /** ISO-8601 time the command was accepted; decide never reads a clock, it reads this. */
  readonly at: string;
}
