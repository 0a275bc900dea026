/**
 * `npm run build:client` (and `npm install`, through `prepare`): bundles the CLI into one ES module
 * that Node runs without tsx (bin/ledgerbox.js runs it while it is fresh). Measured on a 128 MiB
 * `ledgerbox put`: 150-156 MiB peak resident memory against 199 MiB through tsx, whose TypeScript
 * loader runs in a second V8 isolate. esbuild is the one tsx ships with: nothing is installed for this.
 *
 *   npx tsx client/cli/build.ts [outfile]     (default: where bin/ledgerbox.js looks)
 */
import { join, resolve } from "node:path";
import { bundlePath } from "../../bin/cli-bundle.js";
import { bundleForNode } from "./bundle.ts";

const repo = resolve(import.meta.dirname, "../..");
const outfile = resolve(process.argv[2] ?? bundlePath(repo));
bundleForNode(join(repo, "client/cli/main.ts"), outfile);
console.log(`built ${outfile}`);
