import type { ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningLedgerbox, removeDir, startLedgerbox } from "../../test/support/ledgerbox.ts";
import { ExitCode } from "./exit-codes.ts";
import { eventually, finished, runLedgerbox, spawnLedgerbox } from "./testing/cli-process.ts";

let server: RunningLedgerbox;
let work: string;
let env: Record<string, string>;
const children: ChildProcess[] = [];

beforeAll(async () => {
  server = await startLedgerbox();
  work = await mkdtemp(join(tmpdir(), "ledgerbox-sync-"));
  env = { LEDGERBOX_URL: server.url, LEDGERBOX_TOKEN: await server.token("syncer"), LEDGERBOX_STATE_DIR: join(work, "state") };
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  await server?.close();
  if (work) await removeDir(work);
});

/** Every file under `dir` except the state folder, as relative path → content. */
async function contents(dir: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const walk = async (at: string): Promise<void> => {
    for (const entry of await readdir(at, { withFileTypes: true })) {
      const full = join(at, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== ".ledgerbox") await walk(full);
      } else found.set(`/${relative(dir, full)}`, await readFile(full, "utf8"));
    }
  };
  await walk(dir);
  return new Map([...found].sort(([a], [b]) => a.localeCompare(b)));
}

/** The server's listing as path → content, read through the CLI. */
async function serverContents(): Promise<Map<string, string>> {
  const ls = await runLedgerbox(["--json", "ls"], env);
  const out = new Map<string, string>();
  for (const file of JSON.parse(ls.stdout).files as { path: string }[]) {
    out.set(file.path, (await runLedgerbox(["get", file.path, "-"], env)).stdout);
  }
  return out;
}

/** A live `ledgerbox sync`, resolved once it reports that it follows the change stream. */
async function startSync(dir: string, clientId: string): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawnLedgerbox(["--json", "sync", dir, "--rescan", "2"], { ...env, LEDGERBOX_CLIENT_ID: clientId });
  children.push(child);
  let output = "";
  child.stdout?.setEncoding("utf8").on("data", (text: string) => (output += text));
  child.stderr?.setEncoding("utf8").on("data", (text: string) => (output += text));
  await eventually(
    async () => (output.includes('"state":"live"') ? true : undefined),
    30_000,
    `${clientId} to go live:\n${output}`,
  );
  return { child, output: () => output };
}

const same = (a: Map<string, string>, b: Map<string, string>) => JSON.stringify([...a]) === JSON.stringify([...b]);

describe("ledgerbox sync, two processes on two folders", () => {
  it("converges after concurrent edits and keeps both sides of a same-file conflict", { timeout: 180_000 }, async () => {
    const one = join(work, "one");
    const two = join(work, "two");
    await mkdir(join(one, "notes"), { recursive: true });
    await writeFile(join(one, "notes", "todo.txt"), "buy milk");
    await writeFile(join(one, "shared.txt"), "base");
    const first = await startSync(one, "laptop");
    const second = await startSync(two, "desktop");

    const converged = async (what: string) =>
      eventually(
        async () => {
          const [a, b] = [await contents(one), await contents(two)];
          return same(a, b) && same(a, await serverContents()) ? a : undefined;
        },
        60_000,
        what,
      );
    expect(await converged("the first upload to reach the second folder")).toEqual(
      new Map([
        ["/notes/todo.txt", "buy milk"],
        ["/shared.txt", "base"],
      ]),
    );

    // Different files edited on both sides at once, plus a delete and a rename.
    await writeFile(join(one, "from-one.txt"), "one");
    await writeFile(join(two, "from-two.txt"), "two");
    await writeFile(join(two, "notes", "todo.txt"), "buy milk and eggs");
    await converged("independent edits");
    await rm(join(one, "from-two.txt"));
    await mkdir(join(two, "archive"));
    await writeFile(join(two, "archive", "one.txt"), await readFile(join(two, "from-one.txt")));
    await rm(join(two, "from-one.txt"));
    const after = await converged("a delete and a move");
    expect([...after.keys()]).toEqual(["/archive/one.txt", "/notes/todo.txt", "/shared.txt"]);

    // The same file edited on both sides at once: nothing may be lost, and both sides agree.
    await Promise.all([
      writeFile(join(one, "shared.txt"), "edited on laptop"),
      writeFile(join(two, "shared.txt"), "edited on desktop"),
    ]);
    const final = await eventually(
      async () => {
        const listing = await converged("a same-file conflict");
        return listing.size === 4 ? listing : undefined;
      },
      60_000,
      "the conflicted copy to reach both sides",
    );
    const copies = [...final.keys()].filter((path) => path.includes("(conflicted copy"));
    expect(copies).toHaveLength(1);
    expect([final.get("/shared.txt"), final.get(copies[0]!)].sort()).toEqual(["edited on desktop", "edited on laptop"]);

    for (const { child } of [first, second]) child.kill("SIGINT");
    const exits = await Promise.all([first, second].map(({ child }) => finished(child)));
    for (const exit of exits) expect(exit.code).toBe(ExitCode.ok);
    expect(first.output()).toContain('"type":"summary"');
  });
});
