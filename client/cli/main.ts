#!/usr/bin/env -S deno run -A
import process from "node:process";
import { runCli } from "./run.ts";

/**
 * Entry of the `ledgerbox` CLI, for Node (through bin/ledgerbox.js) and Deno
 * (`deno run -A client/cli/main.ts …`). The first Ctrl-C asks the command to stop (a sync
 * finishes its step and exits 0); a second one exits at once.
 */
const controller = new AbortController();
let interrupts = 0;
const onSignal = () => {
  interrupts++;
  if (interrupts > 1) process.exit(130);
  controller.abort();
};
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);

const code = await runCli(process.argv, process.env, { stdout: process.stdout, stderr: process.stderr }, controller.signal);
// Exit explicitly: open handles (database, watchers, keep-alive sockets) must not keep a finished
// command alive. Flush stdout first so piped output is complete.
process.stdout.write("", () => process.exit(code));
