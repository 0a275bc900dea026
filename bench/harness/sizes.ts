import { MiB } from "./stats.ts";

/** Every size a scenario uses, per mode, in one place so the report can state them. */
export interface Sizes {
  /** The large file of the upload, delta and memory scenarios. */
  readonly largeFileBytes: number;
  /** File sizes the memory scenario uploads to show that peak memory does not grow with them. */
  readonly memoryFileBytes: readonly number[];
  readonly catchupEvents: number;
  readonly getchangeFiles: number;
  readonly getchangeRequests: number;
  readonly commandClients: number;
  readonly commandChunksPerClient: number;
  readonly propagationCommits: number;
}

export const QUICK: Sizes = {
  largeFileBytes: 128 * MiB,
  memoryFileBytes: [32 * MiB, 128 * MiB],
  catchupEvents: 200_000,
  getchangeFiles: 200_000,
  getchangeRequests: 300,
  commandClients: 64,
  commandChunksPerClient: 128,
  propagationCommits: 200,
};

export const FULL: Sizes = {
  largeFileBytes: 1024 * MiB,
  // 4 GiB as well: a slow creep of the client's memory showed only past 1 GiB (2e653eb).
  memoryFileBytes: [128 * MiB, 1024 * MiB, 4096 * MiB],
  catchupEvents: 1_000_000,
  getchangeFiles: 1_000_000,
  getchangeRequests: 1000,
  commandClients: 64,
  commandChunksPerClient: 250,
  propagationCommits: 1000,
};
