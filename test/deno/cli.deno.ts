/** The `ledgerbox` CLI run by Deno itself (`deno run -A client/cli/main.ts`), against a real server. */
import { assert, assertBytesEqual, Deno, serverFromEnv } from "./deno-runtime.ts";

const server = serverFromEnv();
const repo = new URL("../../", import.meta.url).pathname;

let stateDir = "";

async function ledgerbox(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "client/cli/main.ts", ...args],
    cwd: repo,
    env: {
      LEDGERBOX_URL: server.url,
      LEDGERBOX_TOKEN: server.token,
      LEDGERBOX_CLIENT_ID: "deno-cli",
      LEDGERBOX_STATE_DIR: stateDir,
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

Deno.test({
  name: "CLI under Deno: put, get, ls, sync --once, exit codes",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "ledgerbox-deno-" });
    stateDir = `${dir}/state`;
    try {
      const bytes = new Uint8Array(5 * 1024 * 1024 + 3);
      for (let i = 0; i < bytes.length; i += 65536) crypto.getRandomValues(bytes.subarray(i, Math.min(bytes.length, i + 65536)));
      await Deno.writeFile(`${dir}/in.bin`, bytes);

      const put = await ledgerbox("--json", "put", `${dir}/in.bin`, "/deno-cli/in.bin");
      assert(put.code === 0, `put exited ${put.code}: ${put.stderr}`);
      const get = await ledgerbox("get", "/deno-cli/in.bin", `${dir}/out.bin`);
      assert(get.code === 0, `get exited ${get.code}: ${get.stderr}`);
      assertBytesEqual(await Deno.readFile(`${dir}/out.bin`), bytes, "downloaded file");

      const ls = await ledgerbox("--json", "ls", "/deno-cli/");
      assert(ls.code === 0, `ls exited ${ls.code}: ${ls.stderr}`);
      const files = (JSON.parse(ls.stdout) as { files: { path: string }[] }).files.map((file) => file.path);
      assert(JSON.stringify(files) === JSON.stringify(["/deno-cli/in.bin"]), `ls listed ${JSON.stringify(files)}`);

      const sync = await ledgerbox("--json", "sync", `${dir}/mirror`, "--once");
      assert(sync.code === 0, `sync exited ${sync.code}: ${sync.stderr}`);
      assertBytesEqual(await Deno.readFile(`${dir}/mirror/deno-cli/in.bin`), bytes, "synced file");

      const missing = await ledgerbox("get", "/deno-cli/nothing-here", `${dir}/nothing`);
      assert(missing.code === 3, `a missing file exits 3, not ${missing.code}`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
