import { ApiError } from "../api/errors.ts";
import { ConflictError } from "./errors.ts";

/** Where a command writes: results to stdout (JSON with --json), notes and errors to stderr. */
export interface Output {
  readonly json: boolean;
  /** Whether progress bars may be drawn: stderr is a terminal and --json is off. */
  readonly interactive: boolean;
  result(value: unknown, human: string): void;
  /** A line for people (warnings, sync activity); silent with --json. */
  note(line: string): void;
  /** One JSON object per line with --json (for `sync`'s event stream); a human line otherwise. */
  event(value: unknown, human: string): void;
  error(error: unknown, exitCode: number): void;
}

export interface Streams {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown; isTTY?: boolean };
}

export function createOutput(streams: Streams, options: { json: boolean; progress: boolean | undefined }): Output {
  const interactive = !options.json && (options.progress ?? streams.stderr.isTTY === true);
  return {
    json: options.json,
    interactive,
    result(value, human) {
      if (options.json) streams.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
      else if (human !== "") streams.stdout.write(`${human}\n`);
    },
    note(line) {
      if (!options.json) streams.stderr.write(`${line}\n`);
    },
    event(value, human) {
      if (options.json) streams.stdout.write(`${JSON.stringify(value)}\n`);
      else streams.stdout.write(`${human}\n`);
    },
    error(error, exitCode) {
      const message = error instanceof Error ? error.message : String(error);
      if (options.json) {
        const body: Record<string, unknown> = { error: errorCode(error), message, exitCode };
        if (error instanceof ConflictError && error.result !== undefined) body.result = error.result;
        streams.stderr.write(`${JSON.stringify(body)}\n`);
      } else {
        streams.stderr.write(`ledgerbox: ${message}\n`);
      }
    },
  };
}

const errorCode = (error: unknown): string => {
  if (error instanceof ApiError) return error.code;
  if (error instanceof Error) return error.name.replace(/Error$/, "").replace(/^./, (c) => c.toLowerCase()) || "error";
  return "error";
};
