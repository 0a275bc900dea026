/**
 * The floor under every HTTP scenario on this machine: a bare node:http server that answers any
 * request with a confirmation's 200 body and does nothing else (no Fastify, no auth, no store).
 * Driven by the same load generator, it shows what sockets, HTTP parsing and the generator itself
 * allow before any Ledgerbox code runs. A request with a body is a batch confirmation: it is read
 * and answered with its indexes, as the load generator checks.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { onMessage, runWorker, send } from "./protocol.ts";

const BODY = '{"index":0,"status":"uploaded"}';
const JSON_TYPE = "application/json; charset=utf-8";

runWorker(async () => {
  const server = createServer((request, response) => {
    if (request.headers["content-length"] === undefined || request.headers["content-length"] === "0") {
      request.resume();
      response.writeHead(200, { "content-type": JSON_TYPE, "content-length": BODY.length });
      response.end(BODY);
      return;
    }
    let text = "";
    request.setEncoding("utf8");
    request.on("data", (part: string) => {
      text += part;
    });
    request.on("end", () => {
      const { indexes } = JSON.parse(text) as { indexes: number[] };
      const body = JSON.stringify({ chunks: indexes.map((index) => ({ index, status: "uploaded" })) });
      response.writeHead(200, { "content-type": JSON_TYPE, "content-length": Buffer.byteLength(body) });
      response.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  onMessage(async (message) => {
    if (message.type === "stop") {
      server.closeAllConnections();
      server.close();
      await send("stopped");
      process.exit(0);
    }
  });
  await send("ready", { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
});
