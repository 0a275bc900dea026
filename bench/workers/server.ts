/**
 * A Ledgerbox server in its own process, built exactly as `npm start` builds it, listening on an
 * ephemeral port. Configuration comes only from the input env (never this process's environment),
 * so an embedded run stays embedded on a machine where the stack's variables are exported.
 */
import type { AddressInfo } from "node:net";
import { buildApp } from "../../infra/app.ts";
import { loadConfig } from "../../infra/config.ts";
import { processMemory } from "../harness/memory.ts";
import { onMessage, runWorker, send, workerInput } from "./protocol.ts";

interface Input {
  readonly env: Record<string, string>;
}

runWorker(async () => {
  const { env } = await workerInput<Input>();
  const config = loadConfig({ LEDGERBOX_HOST: "127.0.0.1", LEDGERBOX_PORT: "0", LEDGERBOX_LOG_LEVEL: "warn", ...env });
  const ledgerbox = await buildApp(config, { logger: false });
  await ledgerbox.app.listen({ host: config.host, port: 0 });
  const port = (ledgerbox.app.server.address() as AddressInfo).port;
  onMessage(async (message) => {
    if (message.type === "memory") await send("memory", { memory: processMemory() });
    if (message.type === "stop") {
      await ledgerbox.close();
      await send("stopped");
      process.exit(0);
    }
  });
  await send("ready", { url: `http://127.0.0.1:${port}`, authSecret: ledgerbox.authSecret, pid: process.pid });
});
