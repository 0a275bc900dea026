import { Command, InvalidArgumentError, Option } from "commander";
import { get } from "./commands/get.ts";
import { history } from "./commands/history.ts";
import { ls } from "./commands/ls.ts";
import { mv } from "./commands/mv.ts";
import { put } from "./commands/put.ts";
import { rm } from "./commands/rm.ts";
import { sync } from "./commands/sync.ts";
import type { GlobalFlags } from "./config.ts";
import type { CommandContext } from "./context.ts";
import { EXIT_CODES_HELP } from "./exit-codes.ts";

const ENVIRONMENT_HELP = `Environment:
  LEDGERBOX_URL        server URL, e.g. http://127.0.0.1:8080 (or --url)
  LEDGERBOX_TOKEN      bearer token (JWT) (or --token)
  LEDGERBOX_NAMESPACE  namespace to use; default: your user's own (or --namespace)
  LEDGERBOX_CLIENT_ID  name of this client in history and conflicted copies; default: host name`;

const wholeNumber = (value: string): number => {
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < 0) throw new InvalidArgumentError("expected a whole number");
  return number;
};

/**
 * The command line. `makeContext` turns the parsed global flags into what handlers need, so the
 * program can be built in tests without a server or a terminal.
 */
export function buildProgram(makeContext: (flags: GlobalFlags) => CommandContext): Command {
  const program = new Command()
    .name("ledgerbox")
    .description("Upload, download and sync files with a Ledgerbox server.")
    .version("0.1.0", "-V, --version")
    .option("--url <url>", "server URL (env LEDGERBOX_URL)")
    .option("--token <jwt>", "bearer token (env LEDGERBOX_TOKEN)")
    .option("--namespace <ns>", "namespace (env LEDGERBOX_NAMESPACE)")
    .option("--client-id <id>", "client name in history and conflicted copies (env LEDGERBOX_CLIENT_ID)")
    .option("--json", "print results as JSON for scripts (and no progress bars)")
    .addOption(new Option("--no-progress", "never draw progress bars"))
    .exitOverride()
    .showHelpAfterError("(run `ledgerbox --help` for usage)")
    .addHelpText("after", `\n${ENVIRONMENT_HELP}\n\n${EXIT_CODES_HELP}\n`);

  const context = (command: Command): CommandContext => makeContext(command.optsWithGlobals<GlobalFlags>());

  program
    .command("put")
    .description("upload a file (to /<file name> unless a remote path is given; a path ending in / is a folder)")
    .argument("<file>", "local file")
    .argument("[remote]", "remote path")
    .option("--base <revision>", "revision this upload replaces (default: the current one)", wholeNumber)
    .action((file: string, remote: string | undefined, options: { base?: number }, command: Command) =>
      put(context(command), file, remote, options),
    );

  program
    .command("get")
    .description("download a file, verified chunk by chunk (to ./<name> unless a file is given; - for stdout)")
    .argument("<remote>", "remote path")
    .argument("[file]", "local file or folder")
    .action((remote: string, file: string | undefined, _options: unknown, command: Command) =>
      get(context(command), remote, file),
    );

  program
    .command("ls")
    .description("list files, optionally only those under a path prefix")
    .argument("[prefix]", "path prefix, e.g. /docs/")
    .action((prefix: string | undefined, _options: unknown, command: Command) => ls(context(command), prefix));

  program
    .command("history")
    .description("every change to a path, oldest first, with who made it and from which client")
    .argument("<path>", "remote path")
    .action((path: string, _options: unknown, command: Command) => history(context(command), path));

  program
    .command("rm")
    .description("delete a file")
    .argument("<path>", "remote path")
    .option("--revision <revision>", "only if the file is still at this revision (else exit 4)", wholeNumber)
    .action((path: string, options: { revision?: number }, command: Command) => rm(context(command), path, options));

  program
    .command("mv")
    .description("move or rename a file")
    .argument("<from>", "remote path")
    .argument("<to>", "new remote path")
    .action((from: string, to: string, _options: unknown, command: Command) => mv(context(command), from, to));

  program
    .command("sync")
    .description("two-way sync of a directory, live until Ctrl-C (state in <dir>/.ledgerbox/)")
    .argument("<dir>", "local directory (created if missing)")
    .option("--once", "sync until both sides agree, then exit")
    .option("--rescan <seconds>", "full rescan interval, a safety net for the file watcher", wholeNumber, 30)
    .action((dir: string, options: { once?: boolean; rescan?: number }, command: Command) =>
      sync(context(command), dir, options),
    );

  return program;
}
