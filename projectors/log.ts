/**
 * The slice of a structured logger the projectors use; Fastify's pino logger fits it as is.
 * Optional everywhere, so tests and embedded use need not provide one.
 */
export interface ProjectorLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export const silentLog: ProjectorLog = { info() {}, warn() {}, error() {} };

export const describeError = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);
