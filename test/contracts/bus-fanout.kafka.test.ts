import { firstValueFrom, type Subscription, toArray } from "rxjs";
import { afterAll, describe, expect, it } from "vitest";
import { logPosition } from "../../domain/position.ts";
import { createKafkaBus } from "../../infra/kafka/index.ts";
import type { Bus, ChangeNotice } from "../../infra/ports/index.ts";
import { serverStatus, warnSkipped } from "../support/stack-env.ts";

/**
 * Kafka-specific promises the shared Bus contract cannot see with one bus: separate processes
 * (here, separate bus instances) each get every notice, because each consumes in its own group;
 * and close() ends live subscriptions.
 */
const status = await serverStatus("kafka");
warnSkipped("Kafka bus fan-out", status);

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await wait(20);
  }
}

describe.skipIf(!status.reachable)("Kafka bus fan-out and close", { timeout: 90_000 }, () => {
  const brokers = (status.settings.KAFKA_BROKERS ?? "").split(",").map((broker) => broker.trim());
  const topic = `ledgerbox.contract.${crypto.randomUUID()}`;
  const buses: Bus[] = [];
  const open = () => {
    const bus = createKafkaBus({ brokers, clientId: "ledgerbox-fanout", topic });
    buses.push(bus);
    return bus;
  };
  afterAll(async () => {
    await Promise.all(buses.map((bus) => bus.close()));
  });

  it("every bus instance (every process) receives every notice", async () => {
    const [publisher, gatewayA, gatewayB] = [open(), open(), open()];
    const seen = { a: [] as ChangeNotice[], b: [] as ChangeNotice[] };
    const subscriptions: Subscription[] = [
      gatewayA.notices().subscribe((n) => seen.a.push(n)),
      gatewayB.notices().subscribe((n) => seen.b.push(n)),
    ];
    // Consumers join asynchronously: probe until both hear something, then publish for real.
    const probe = `probe-${crypto.randomUUID()}`;
    const heard = (list: ChangeNotice[], namespace: string) => list.some((n) => n.namespace === namespace);
    for (let n = 1; !(heard(seen.a, probe) && heard(seen.b, probe)); n++) {
      await publisher.publish([{ namespace: probe, position: logPosition(BigInt(n)) }]);
      await wait(250);
      if (n > 120) throw new Error("consumers never joined");
    }
    const namespaces = Array.from({ length: 6 }, () => `fanout-${crypto.randomUUID()}`);
    await publisher.publish(namespaces.map((namespace, i) => ({ namespace, position: logPosition(BigInt(i + 1)) })));
    const mine = (list: ChangeNotice[]) => new Set(list.filter((n) => namespaces.includes(n.namespace)).map((n) => n.namespace));
    await until(() => mine(seen.a).size === 6 && mine(seen.b).size === 6, "every namespace at both gateways");
    for (const subscription of subscriptions) subscription.unsubscribe();
  });

  it("close() completes live subscriptions", async () => {
    const bus = open();
    const collected = firstValueFrom(bus.notices().pipe(toArray()));
    await wait(200);
    await bus.close();
    await expect(collected).resolves.toBeInstanceOf(Array);
    await expect(bus.publish([{ namespace: "x", position: logPosition(1n) }])).rejects.toThrow(/closed/);
  });
});
