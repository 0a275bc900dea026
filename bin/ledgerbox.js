#!/usr/bin/env node
// Runs the CLI under Node. When the bundle `npm run build:client` writes (install runs it too) is
// newer than every source it was built from, Node runs it directly: it starts without compiling
// TypeScript and peaks about 45 MiB lower than under tsx, whose loader is a second V8 isolate
// (150-156 against 199 MiB for a 128 MiB put). Otherwise (no build, or a checkout being edited) it
// runs client/cli/main.ts through tsx, so `npx ledgerbox …` never runs stale code.
// Under Deno: `deno run -A client/cli/main.ts …`.
import { fileURLToPath, pathToFileURL } from "node:url";
import { bundleIsFresh, bundlePath } from "./cli-bundle.js";

const repo = fileURLToPath(new URL("..", import.meta.url));
if (bundleIsFresh(repo)) {
  await import(pathToFileURL(bundlePath(repo)).href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import("../client/cli/main.ts");
}
