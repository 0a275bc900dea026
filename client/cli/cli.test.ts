import { createHash } from "node:crypto";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningLedgerbox, removeDir, startLedgerbox } from "../../test/support/ledgerbox.ts";
import { ExitCode } from "./exit-codes.ts";
import { runLedgerbox } from "./testing/cli-process.ts";

let server: RunningLedgerbox;
let work: string;
let env: Record<string, string>;

beforeAll(async () => {
  server = await startLedgerbox();
  work = await mkdtemp(join(tmpdir(), "ledgerbox-cli-"));
  env = {
    LEDGERBOX_URL: server.url,
    LEDGERBOX_TOKEN: await server.token("cli-user"),
    LEDGERBOX_STATE_DIR: join(work, "state"),
    LEDGERBOX_CLIENT_ID: "cli-test",
  };
});

afterAll(async () => {
  await server?.close();
  if (work) await removeDir(work);
});

const randomBytes = (size: number, seed: number): Buffer => {
  const out = Buffer.alloc(size);
  let state = seed;
  for (let i = 0; i < size; i += 32) {
    state = (state * 1103515245 + 12345) >>> 0;
    createHash("sha256").update(String(state)).digest().copy(out, i);
  }
  return out;
};

describe("ledgerbox CLI against a real server", () => {
  it("puts and gets a multi-chunk file byte for byte, lists it and shows its history", { timeout: 120_000 }, async () => {
    const original = randomBytes(9 * 1024 * 1024 + 123, 1);
    const source = join(work, "report.bin");
    await writeFile(source, original);

    const put = await runLedgerbox(["--json", "put", source, "/docs/report.bin"], env);
    expect(put.code, put.stderr).toBe(ExitCode.ok);
    expect(JSON.parse(put.stdout)).toMatchObject({
      path: "/docs/report.bin",
      revision: 1,
      size: original.length,
      conflict: false,
    });

    const target = join(work, "copy.bin");
    const get = await runLedgerbox(["get", "/docs/report.bin", target], env);
    expect(get.code, get.stderr).toBe(ExitCode.ok);
    expect(Buffer.compare(await readFile(target), original)).toBe(0);

    await writeFile(source, Buffer.concat([original, Buffer.from("appended")]));
    expect((await runLedgerbox(["put", source, "/docs/report.bin"], env)).code).toBe(ExitCode.ok);

    const ls = await runLedgerbox(["--json", "ls", "/docs/"], env);
    expect(ls.code, ls.stderr).toBe(ExitCode.ok);
    expect(JSON.parse(ls.stdout).files).toEqual([expect.objectContaining({ path: "/docs/report.bin", revision: 2 })]);
    const human = await runLedgerbox(["ls"], env);
    expect(human.stdout).toMatch(/9\.0 MiB\s+r2\s+\S+ \S+\s+\/docs\/report\.bin/);

    const history = await runLedgerbox(["--json", "history", "/docs/report.bin"], env);
    expect(history.code, history.stderr).toBe(ExitCode.ok);
    const entries = JSON.parse(history.stdout).entries as { type: string; revision: number; clientId: string }[];
    expect(entries.map((entry) => [entry.type, entry.revision, entry.clientId])).toEqual([
      ["FileVersionCommitted", 1, "cli-test"],
      ["FileVersionCommitted", 2, "cli-test"],
    ]);
  });

  it("moves and deletes, and answers with the documented exit codes", { timeout: 120_000 }, async () => {
    const file = join(work, "small.txt");
    await writeFile(file, "small");
    expect((await runLedgerbox(["put", file, "/small.txt"], env)).code).toBe(ExitCode.ok);
    const mv = await runLedgerbox(["--json", "mv", "/small.txt", "/moved/small.txt"], env);
    expect(mv.code, mv.stderr).toBe(ExitCode.ok);
    expect(JSON.parse(mv.stdout)).toMatchObject({ path: "/moved/small.txt" });

    const stale = await runLedgerbox(["rm", "--revision", "7", "/moved/small.txt"], env);
    expect(stale.code).toBe(ExitCode.conflict);
    expect((await runLedgerbox(["rm", "/moved/small.txt"], env)).code).toBe(ExitCode.ok);

    const missing = await runLedgerbox(["--json", "get", "/moved/small.txt", join(work, "nothing")], env);
    expect(missing.code).toBe(ExitCode.notFound);
    expect(JSON.parse(missing.stderr)).toMatchObject({ exitCode: ExitCode.notFound });
    expect((await runLedgerbox(["put", join(work, "no-such-file"), "/x"], env)).code).toBe(ExitCode.notFound);
    expect((await runLedgerbox(["ls"], { ...env, LEDGERBOX_TOKEN: "not-a-token" })).code).toBe(ExitCode.auth);
    expect((await runLedgerbox(["ls"], { ...env, LEDGERBOX_URL: "http://127.0.0.1:9" })).code).toBe(ExitCode.unavailable);
    expect((await runLedgerbox(["ls"], { LEDGERBOX_URL: "", LEDGERBOX_TOKEN: "" })).code).toBe(ExitCode.usage);
    const offline = { ...env, LEDGERBOX_URL: "http://127.0.0.1:9" };
    expect((await runLedgerbox(["sync", join(work, "offline"), "--once"], offline)).code).toBe(ExitCode.unavailable);
    expect((await runLedgerbox(["frobnicate"], env)).code).toBe(ExitCode.usage);
    const help = await runLedgerbox(["--help"], env);
    expect(help.code).toBe(ExitCode.ok);
    expect(help.stdout).toContain("Exit codes:");
  });

  it("keeps a concurrent writer's bytes as a conflicted copy and exits 4", { timeout: 120_000 }, async () => {
    const file = join(work, "race.txt");
    await writeFile(file, "first");
    expect((await runLedgerbox(["put", file, "/race.txt"], env)).code).toBe(ExitCode.ok);
    await writeFile(file, "second");
    expect((await runLedgerbox(["put", file, "/race.txt"], env)).code).toBe(ExitCode.ok);
    await writeFile(file, "based on the first");
    const late = await runLedgerbox(["--json", "put", "--base", "1", file, "/race.txt"], env);
    expect(late.code).toBe(ExitCode.conflict);
    const copy = JSON.parse(late.stderr).result as { path: string; conflict: boolean };
    expect(copy.conflict).toBe(true);
    expect(copy.path).toMatch(/^\/race \(conflicted copy \d{4}-\d{2}-\d{2} cli-test\)\.txt$/);
    const kept = await runLedgerbox(["get", copy.path, "-"], env);
    expect(kept.stdout).toBe("based on the first");
  });
});
