/**
 * Exit codes scripts can rely on. They are part of the CLI's contract: documented in `--help`,
 * never renumbered.
 */
export const ExitCode = {
  ok: 0,
  /** Anything not covered below (a bug, a local I/O error, a verification failure). */
  failure: 1,
  /** Bad arguments or configuration: fix the command line or the environment. */
  usage: 2,
  /** The remote path (or local file) does not exist. */
  notFound: 3,
  /** A concurrent change won: the file was kept as a conflicted copy, or a precondition failed. */
  conflict: 4,
  /** The token is missing, invalid, expired, or does not grant the namespace (401/403). */
  auth: 5,
  /** The server could not be reached or said it is unavailable (network error, 502/503/504). */
  unavailable: 6,
  /** Interrupted by a signal before the work finished (Ctrl-C on anything but `sync`). */
  interrupted: 130,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export const EXIT_CODES_HELP = `Exit codes:
  0    success (also: \`sync\` stopped with Ctrl-C after a clean stop)
  1    failure not covered below (local I/O, verification failed, unexpected answer)
  2    usage: bad arguments or missing configuration (URL, token)
  3    not found: the remote path or the local file does not exist
  4    conflict: a concurrent change won; your bytes were kept as a conflicted copy
  5    auth: token missing, invalid or not allowed for the namespace (HTTP 401/403)
  6    unavailable: server unreachable or unavailable (network error, HTTP 502/503/504)
  130  interrupted before the work finished`;
