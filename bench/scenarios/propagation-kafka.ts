import { Kafka, logLevel } from "kafkajs";
import { RUN_ID } from "../harness/ids.ts";
import { profileArgs } from "../harness/profile.ts";
import { measurePropagation, propagationSummary } from "../harness/propagation.ts";
import { skipped } from "../harness/result.ts";
import type { Scenario } from "../harness/scenario.ts";
import { startServer } from "../harness/server.ts";
import { round, summarize } from "../harness/stats.ts";

/** What Kafka itself costs: produce → consume of one small message on the same broker, kafkajs both ends. */
async function rawKafkaRoundTrips(brokers: string[], count: number): Promise<number[]> {
  const kafka = new Kafka({ clientId: `bench-${RUN_ID}`, brokers, logLevel: logLevel.NOTHING });
  const topic = `bench-${RUN_ID}-rtt`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  const consumer = kafka.consumer({ groupId: `bench-${RUN_ID}-rtt`, maxWaitTimeInMs: 100 });
  await Promise.all([producer.connect(), consumer.connect()]);
  await consumer.subscribe({ topic, fromBeginning: true });
  const sentAt = new Map<string, number>();
  const samples: number[] = [];
  let arrived: (() => void) | null = null;
  await consumer.run({
    eachMessage: async ({ message }) => {
      const key = message.key?.toString() ?? "";
      const at = sentAt.get(key);
      if (at !== undefined) samples.push(performance.now() - at);
      arrived?.();
    },
  });
  const sendOne = async (key: string) => {
    const received = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    sentAt.set(key, performance.now());
    await producer.send({ topic, messages: [{ key, value: "x" }] });
    await Promise.race([received, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  };
  for (let i = 0; i < 5; i++) await sendOne(`warmup-${i}`); // the group join happens here
  samples.length = 0;
  for (let i = 0; i < count; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 40));
    await sendOne(`m-${i}`);
  }
  await Promise.all([producer.disconnect(), consumer.disconnect()]);
  return samples;
}

export const propagationKafka: Scenario = {
  name: "propagation_kafka_p99_ms",
  target: { op: "<=", value: 250, unit: "ms" },
  description:
    "commit → a second client notified over SSE with the notices going through Kafka (projector bridge → Kafka → push gateway); " +
    "baseline: raw kafkajs produce → consume round trip on the same broker",
  async run(context) {
    const kafka = context.stack.kafka;
    if (!kafka.reachable) return skipped("ms", "ms p99 raw Kafka round trip", `Kafka not reachable: ${kafka.reason}`);
    const brokers = context.stack.settings.KAFKA_BROKERS!.split(",").map((b) => b.trim());
    const commits = context.sizes.propagationCommits;
    const raw = summarize(await rawKafkaRoundTrips(brokers, Math.max(50, Math.round(commits / 2))));
    const server = await startServer(context.scratch, {
      env: { KAFKA_BROKERS: brokers.join(","), KAFKA_TOPIC: `bench-${RUN_ID}-changes` },
      execArgv: profileArgs("server-propagation-kafka"),
    });
    try {
      const samples = await measurePropagation(server, commits, { log: context.log, warmupTimeoutMs: 120_000 });
      const { p99, detail } = propagationSummary(samples);
      return {
        value: p99,
        unit: "ms",
        baseline: raw.p99,
        baselineUnit: "ms p99 raw Kafka round trip",
        ratio: raw.p99 === 0 ? null : round(p99 / raw.p99, 2),
        detail: {
          ...detail,
          rawKafkaRoundTripMs: raw,
          brokers,
          path: "command API append → projector → notice bridge → Kafka (idempotent producer) → push gateway consumer → SSE",
        },
      };
    } finally {
      await server.stop();
    }
  },
};
