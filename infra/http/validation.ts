import { Ajv } from "ajv";
import type { FastifyInstance } from "fastify";

/**
 * Request validation with two rule sets. Query strings, params and headers arrive as text, so
 * "limit=7" must become 7. A JSON body already has types: coercing it would let `"size": "3"` or
 * `"size": true` pass as numbers and reach the log, so bodies are validated exactly as sent.
 * Unknown fields are an error rather than silently dropped: a typo must not pass as "not sent".
 */
export function installValidation(app: FastifyInstance): void {
  const common = { removeAdditional: false, useDefaults: true, allErrors: false, strict: false } as const;
  const forBodies = new Ajv({ ...common, coerceTypes: false });
  const forText = new Ajv({ ...common, coerceTypes: "array" });
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === "body" ? forBodies : forText).compile(schema));
}
