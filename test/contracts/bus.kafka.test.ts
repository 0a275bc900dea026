import { describe } from "vitest";
import { createKafkaBus } from "../../infra/kafka/index.ts";
import { serverStatus, warnSkipped } from "../support/stack-env.ts";
import { busContract } from "./bus.contract.ts";

const status = await serverStatus("kafka");
warnSkipped("Bus contract: Kafka", status);
const brokers = (status.settings.KAFKA_BROKERS ?? "")
  .split(",")
  .map((broker) => broker.trim())
  .filter(Boolean);

describe.skipIf(!status.reachable)(`Kafka at ${brokers.join(",") || "(not configured)"}`, () => {
  busContract("Kafka", async () => {
    // A topic of its own per run: other runs' notices on a shared broker never reach this one.
    const bus = createKafkaBus({ brokers, clientId: "ledgerbox-contract", topic: `ledgerbox.contract.${crypto.randomUUID()}` });
    return { bus, cleanup: () => bus.close() };
  });
});
