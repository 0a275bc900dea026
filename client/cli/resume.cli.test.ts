import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningLedgerbox, removeDir, startLedgerbox } from "../../test/support/ledgerbox.ts";
import { chunkFile } from "../chunker/index.ts";
import { bytesSource } from "../platform/index.ts";
import { ExitCode } from "./exit-codes.ts";
import { eventually, finished, runLedgerbox, spawnLedgerbox } from "./testing/cli-process.ts";

let server: RunningLedgerbox;
let work: string;
let env: Record<string, string>;

beforeAll(async () => {
  server = await startLedgerbox();
  work = await mkdtemp(join(tmpdir(), "ledgerbox-resume-"));
  env = { LEDGERBOX_URL: server.url, LEDGERBOX_TOKEN: await server.token("resumer"), LEDGERBOX_STATE_DIR: join(work, "state") };
});

afterAll(async () => {
  await server?.close();
  if (work) await removeDir(work);
});

/** Chunk PUTs the server stored, from its own Prometheus counters. */
async function storedChunkPuts(): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  let total = 0;
  for (const line of text.split("\n")) {
    const match = /^ledgerbox_http_requests_total\{(.*)\} (\d+)$/.exec(line);
    if (match && /method="PUT"/.test(match[1]!) && /status="2\d\d"/.test(match[1]!)) total += Number(match[2]);
  }
  return total;
}

describe("ledgerbox put, killed mid-upload", () => {
  it("sends only the missing chunks when rerun", { timeout: 180_000 }, async () => {
    const bytes = new Uint8Array(96 * 1024 * 1024);
    for (let offset = 0; offset < bytes.length; offset += 65536) {
      crypto.getRandomValues(bytes.subarray(offset, Math.min(offset + 65536, bytes.length)));
    }
    const file = join(work, "large.bin");
    await writeFile(file, bytes);
    let chunkCount = 0;
    for await (const _chunk of chunkFile(bytesSource(bytes))) chunkCount++;

    const before = await storedChunkPuts();
    const first = spawnLedgerbox(["put", file, "/large.bin"], env);
    const firstExit = finished(first);
    // Kill -9 once a few chunks are in storage, well before the last one.
    await eventually(
      async () => ((await storedChunkPuts()) - before >= 5 ? true : undefined),
      60_000,
      "the first chunks to land",
    );
    first.kill("SIGKILL");
    expect((await firstExit).signal).toBe("SIGKILL");
    const sentBeforeKill = (await storedChunkPuts()) - before;
    expect(sentBeforeKill).toBeLessThan(chunkCount);
    expect((await runLedgerbox(["ls"], env)).stdout).not.toContain("/large.bin");

    const rerun = await runLedgerbox(["--json", "put", file, "/large.bin"], env);
    expect(rerun.code, rerun.stderr).toBe(ExitCode.ok);
    expect(JSON.parse(rerun.stdout)).toMatchObject({ path: "/large.bin", size: bytes.length, conflict: false });
    const sentOnRerun = (await storedChunkPuts()) - before - sentBeforeKill;
    // The server said which chunks it already had; exactly the others went over the wire. (A PUT
    // in flight at the kill may have landed without being counted above, so "at most".)
    const { chunks } = JSON.parse(rerun.stdout) as { chunks: { total: number; present: number; sent: number } };
    expect(chunks.total).toBe(chunkCount);
    expect(chunks.sent).toBe(sentOnRerun);
    expect(chunks.present + chunks.sent).toBe(chunkCount);
    expect(chunks.present).toBeGreaterThanOrEqual(sentBeforeKill);
    expect(sentOnRerun).toBeLessThanOrEqual(chunkCount - sentBeforeKill);

    const copy = join(work, "large.copy");
    expect((await runLedgerbox(["get", "/large.bin", copy], env)).code).toBe(ExitCode.ok);
    const { readFile } = await import("node:fs/promises");
    expect(Buffer.compare(await readFile(copy), Buffer.from(bytes))).toBe(0);
  });
});
