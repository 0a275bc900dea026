// biome-ignore lint/correctness/noUnusedImports: the import makes the module augmentation below resolve
import type { FastifyRequest as _FastifyRequest } from "fastify";
import { type Static, Type } from "typebox";
import type { ClientId, Namespace, UserId } from "../../domain/index.ts";

/** Who is asking, for which namespace: set by the auth hook on every /v1 request. */
export interface RequestContext {
  readonly actor: UserId;
  readonly namespace: Namespace;
  readonly clientId: ClientId;
  readonly correlationId: string;
  readonly isAdmin: boolean;
}

declare module "fastify" {
  interface FastifyRequest {
    ctx: RequestContext;
  }
}

/** Every error answer has this shape (API.md), plus optional details such as `missing`. */
export const ErrorBody = Type.Object(
  {
    error: Type.String({ description: "machine-readable code" }),
    message: Type.String({ description: "what a person can act on" }),
  },
  { additionalProperties: true, $id: "ErrorBody" },
);
export type ErrorBody = Static<typeof ErrorBody>;

/** Standard error responses every /v1 route may give. */
export const errorResponses = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  503: ErrorBody,
} as const;
