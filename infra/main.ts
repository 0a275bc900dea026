import { buildApp } from "./app.ts";
import { ConfigError, loadConfig } from "./config.ts";
import { signToken } from "./dev-auth.ts";

/** `npm start`: every role in one process on the embedded defaults unless configured otherwise. */
async function main(): Promise<void> {
  const config = loadConfig();
  const ledgerbox = await buildApp(config);
  const { app } = ledgerbox;
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const url = config.publicUrl ?? `http://${config.host}:${port}`;
  if (ledgerbox.generatedSecret) {
    const token = await signToken(ledgerbox.authSecret, { sub: "dev", admin: true });
    process.stdout.write(
      `\nLedgerbox is listening on ${url} (roles: ${[...config.roles].join(", ")}; data in ${config.dataDir})\n` +
        `No LEDGERBOX_AUTH_SECRET was set, so a secret was kept in ${config.dataDir}/auth-secret.\n` +
        `A token for user "dev" (admin, 30 days):\n\n  export LEDGERBOX_URL=${url}\n  export LEDGERBOX_TOKEN=${token}\n\n`,
    );
  }
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, "shutting down");
    await ledgerbox.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof ConfigError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
