/**
 * `npm run test:deno`: starts a real Ledgerbox (embedded defaults, temp data dir, port 0), then
 * runs the Deno suite (every `*.deno.ts` under client/ and test/deno/) with `deno test` against
 * it, and exits with Deno's exit code. Deno comes from the `deno` npm package, so nothing outside
 * the registry is needed. Arguments name test files to run instead of all of them.
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { removeDir, startLedgerbox } from "../support/ledgerbox.ts";

const REPO = resolve(import.meta.dirname, "../..");

/** The Deno launcher shipped by the npm package (it finds the platform binary by itself). */
export function denoLauncher(): string | null {
  try {
    const path = createRequire(import.meta.url).resolve("deno/bin.cjs");
    return existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

/** Every `*.deno.ts` in the client library and in test/deno, relative to the repository. */
export function denoSuiteFiles(): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(resolve(REPO, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory() && entry.name !== "node_modules") walk(path);
      else if (entry.isFile() && entry.name.endsWith(".deno.ts")) found.push(path);
    }
  };
  for (const dir of ["client", "test/deno"]) walk(dir);
  return found.sort();
}

async function main(): Promise<number> {
  const launcher = denoLauncher();
  if (launcher === null) {
    process.stderr.write("the deno npm package is not installed: run npm install\n");
    return 1;
  }
  const server = await startLedgerbox();
  try {
    const token = await server.token("deno-user");
    // `deno test` only discovers *_test/*.test files by itself; ours are *.deno.ts so vitest skips them.
    const given = process.argv.slice(2);
    const files = given.length > 0 ? given : denoSuiteFiles();
    const args = ["test", "-A", "--no-check", ...files];
    const code = await new Promise<number>((resolveCode, reject) => {
      const child = spawn(process.execPath, [launcher, ...args], {
        cwd: REPO,
        env: { ...process.env, LEDGERBOX_URL: server.url, LEDGERBOX_TOKEN: token, NO_COLOR: "1" },
        stdio: "inherit",
      });
      child.on("error", reject);
      child.on("close", (exitCode, signal) => resolveCode(exitCode ?? (signal ? 1 : 0)));
    });
    return code;
  } finally {
    await server.close();
    await removeDir(server.dataDir);
  }
}

if (import.meta.filename === resolve(process.argv[1] ?? "")) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
