import { describe, it } from "vitest";
import { createKafkaBus } from "../../infra/kafka/index.ts";
import { serverStatus, warnSkipped } from "../support/stack-env.ts";
import { busContract } from "./bus.contract.ts";

const status = await serverStatus("kafka");
warnSkipped("Bus contract: Kafka", status);

if (status.reachable) {
  const brokers = status.settings.KAFKA_BROKERS!.split(",").map((broker) => broker.trim());
  busContract(`Kafka (${brokers.join(",")})`, async () => {
    // A topic of its own per run: other runs' notices on a shared broker never reach this one.
    const bus = createKafkaBus({ brokers, clientId: "ledgerbox-contract", topic: `ledgerbox.contract.${crypto.randomUUID()}` });
    return { bus, cleanup: () => bus.close() };
  });
} else {
  describe.skip(`Bus contract: Kafka (skipped: ${status.reason})`, () => {
    it("needs reachable KAFKA_BROKERS", () => {});
  });
}
