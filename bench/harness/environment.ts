import { execFileSync } from "node:child_process";
import { cpus, freemem, loadavg, release, totalmem } from "node:os";

/** Enough about the machine to read a figure in context. */
export function environment(): Record<string, unknown> {
  const git = (args: string[]) => {
    try {
      return execFileSync("git", args, { encoding: "utf8" }).trim();
    } catch {
      return null;
    }
  };
  return {
    node: process.version,
    platform: `${process.platform} ${release()}`,
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    freeMemoryGiB: Math.round(freemem() / 2 ** 30),
    loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
    commit: git(["rev-parse", "--short", "HEAD"]),
    dirtyTree: (git(["status", "--porcelain", "--untracked-files=no"]) ?? "") !== "",
  };
}
