/**
 * Two live `ledgerbox sync` processes run by Deno (`deno run -A client/cli/main.ts sync <dir>`) on
 * two folders, against a real server: concurrent edits on both sides converge, and a file edited on
 * both sides at once ends as a conflicted copy with both contents kept. The Deno twin of
 * client/cli/sync.cli.test.ts.
 */
import { assert, Deno, serverFromEnv, waitFor } from "./deno-runtime.ts";

/** The Deno APIs this file needs beyond deno-runtime.ts (long-running children, directory walks). */
interface DenoChild {
  readonly stdout: ReadableStream<Uint8Array>;
  readonly stderr: ReadableStream<Uint8Array>;
  readonly status: Promise<{ code: number; signal: string | null }>;
  kill(signal?: string): void;
}
interface DenoMore {
  Command: new (
    command: string,
    options: { args: string[]; cwd?: string; env?: Record<string, string>; stdout?: "piped"; stderr?: "piped" },
  ) => { spawn(): DenoChild };
  readDir(path: string): AsyncIterable<{ name: string; isFile: boolean; isDirectory: boolean }>;
  mkdir(path: string, options?: { recursive?: boolean }): Promise<void>;
}
const DenoX = Deno as unknown as DenoMore;

const server = serverFromEnv();
const repo = new URL("../../", import.meta.url).pathname;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface SyncProcess {
  readonly child: DenoChild;
  output(): string;
}

function startSync(dir: string, stateDir: string, clientId: string): SyncProcess {
  const child = new DenoX.Command(Deno.execPath(), {
    args: ["run", "-A", "client/cli/main.ts", "--json", "sync", dir, "--rescan", "1"],
    cwd: repo,
    env: {
      LEDGERBOX_URL: server.url,
      LEDGERBOX_TOKEN: server.token,
      LEDGERBOX_CLIENT_ID: clientId,
      LEDGERBOX_STATE_DIR: stateDir,
      NO_COLOR: "1",
    },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let output = "";
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    const reader = stream.getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      output += decoder.decode(read.value, { stream: true });
    }
  };
  void drain(child.stdout);
  void drain(child.stderr);
  return { child, output: () => output };
}

/** Every file under `dir` except the state folder, as sorted [relative path, content]. */
async function contents(dir: string): Promise<[string, string][]> {
  const found: [string, string][] = [];
  const walk = async (at: string, prefix: string): Promise<void> => {
    for await (const entry of DenoX.readDir(at)) {
      if (entry.isDirectory) {
        if (entry.name !== ".ledgerbox") await walk(`${at}/${entry.name}`, `${prefix}/${entry.name}`);
      } else if (entry.isFile) {
        found.push([`${prefix}/${entry.name}`, decoder.decode(await Deno.readFile(`${at}/${entry.name}`))]);
      }
    }
  };
  await walk(dir, "");
  return found.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

Deno.test({
  name: "two `ledgerbox sync` processes under Deno converge after concurrent edits",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const work = await Deno.makeTempDir({ prefix: "ledgerbox-deno-sync-" });
    const one = `${work}/one`;
    const two = `${work}/two`;
    const syncs: SyncProcess[] = [];
    try {
      await DenoX.mkdir(`${one}/notes`, { recursive: true });
      await DenoX.mkdir(two, { recursive: true });
      await Deno.writeFile(`${one}/notes/todo.txt`, encoder.encode("buy milk"));
      await Deno.writeFile(`${one}/shared.txt`, encoder.encode("base"));
      syncs.push(startSync(one, `${work}/state-one`, "deno-laptop"));
      syncs.push(startSync(two, `${work}/state-two`, "deno-desktop"));
      const live = (sync: SyncProcess) => () => (sync.output().includes('"state":"live"') ? true : undefined);
      for (const sync of syncs) await waitFor(live(sync), 30_000, `sync to go live:\n${sync.output()}`);

      /** Both folders hold the same files with the same bytes, and `ready` holds for them. */
      const converged = (what: string, ready: (files: Map<string, string>) => boolean) =>
        waitFor(
          async () => {
            const [a, b] = [await contents(one), await contents(two)];
            const files = new Map(a);
            return JSON.stringify(a) === JSON.stringify(b) && ready(files) ? files : undefined;
          },
          25_000,
          `${what}:\n--- one ---\n${syncs[0]!.output()}\n--- two ---\n${syncs[1]!.output()}`,
        );

      await converged("the first upload to reach the second folder", (files) => files.get("/shared.txt") === "base");

      // Concurrently: a new file on each side, and the same file edited on both sides.
      await Promise.all([
        Deno.writeFile(`${one}/from-one.txt`, encoder.encode("one")),
        Deno.writeFile(`${two}/from-two.txt`, encoder.encode("two")),
        Deno.writeFile(`${one}/shared.txt`, encoder.encode("edited on laptop")),
        Deno.writeFile(`${two}/shared.txt`, encoder.encode("edited on desktop")),
      ]);
      const final = await converged(
        "concurrent edits on both sides",
        (files) =>
          files.get("/from-one.txt") === "one" &&
          files.get("/from-two.txt") === "two" &&
          [...files.keys()].some((path) => path.includes("(conflicted copy")),
      );
      const copies = [...final.keys()].filter((path) => path.includes("(conflicted copy"));
      assert(copies.length === 1, `one conflicted copy, got ${JSON.stringify(copies)}`);
      const kept = [final.get("/shared.txt"), final.get(copies[0]!)].sort();
      assert(
        JSON.stringify(kept) === JSON.stringify(["edited on desktop", "edited on laptop"]),
        `both contents kept, got ${JSON.stringify(kept)}`,
      );
      assert(final.get("/notes/todo.txt") === "buy milk", "untouched file kept");

      for (const sync of syncs) sync.child.kill("SIGINT");
      const exits = await Promise.all(syncs.map((sync) => sync.child.status));
      for (const [i, exit] of exits.entries()) {
        assert(exit.code === 0, `sync ${i} exited ${exit.code} (${exit.signal}):\n${syncs[i]!.output()}`);
      }
    } finally {
      for (const sync of syncs) {
        try {
          sync.child.kill("SIGKILL");
        } catch {
          // already gone
        }
      }
      await Deno.remove(work, { recursive: true });
    }
  },
});
