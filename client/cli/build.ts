/**
 * `npm run build:client` (and `npm install`, through `prepare`): bundles the CLI into one ES module
 * that Node runs without tsx (bin/ledgerbox.js runs it while it is fresh). Measured on a 128 MiB
 * `ledgerbox put`: 150-156 MiB peak resident memory against 199 MiB through tsx, whose TypeScript
 * loader runs in a second V8 isolate. esbuild is the one tsx ships with: nothing is installed for this.
 *
 *   npx tsx client/cli/build.ts [outfile]     (default: where bin/ledgerbox.js looks)
 */
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { bundlePath } from "../../bin/cli-bundle.js";

const repo = resolve(import.meta.dirname, "../..");
const outfile = resolve(process.argv[2] ?? bundlePath(repo));
const esbuild = createRequire(createRequire(import.meta.url).resolve("tsx/package.json"))("esbuild") as typeof import("esbuild");

await esbuild.build({
  entryPoints: [join(repo, "client/cli/main.ts")],
  outfile,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  logLevel: "warning",
  // Dependencies published as CommonJS call require(); an ES module has none unless given one.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
});
console.log(`built ${outfile}`);
