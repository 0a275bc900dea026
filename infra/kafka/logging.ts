import { type LogEntry, type logCreator, logLevel } from "kafkajs";

/** The subset of a pino logger kafkajs' records are forwarded to. */
export interface PinoLike {
  error(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

/**
 * kafkajs logs every rebalance and reconnect at INFO in its own JSON format. Through a pino
 * logger its records join the service's structured log; without one only warnings and errors
 * reach the console.
 */
export function kafkaLogging(logger: PinoLike | undefined): { logLevel: logLevel; logCreator?: logCreator } {
  if (!logger) return { logLevel: logLevel.WARN };
  const creator: logCreator =
    () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, ...extra } = log;
      const record = { ...extra, kafkaNamespace: namespace };
      if (level === logLevel.ERROR) logger.error(record, message);
      else if (level === logLevel.WARN) logger.warn(record, message);
      else if (level === logLevel.INFO) logger.info(record, message);
      else logger.debug(record, message);
    };
  return { logLevel: logLevel.INFO, logCreator: creator };
}
