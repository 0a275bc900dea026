#!/usr/bin/env node
// Runs the TypeScript CLI (client/cli/main.ts) under Node through tsx, so `npx ledgerbox …`
// works from the repository without a build step. Under Deno: `deno run -A client/cli/main.ts …`.
import { register } from "tsx/esm/api";

register();
await import("../client/cli/main.ts");
