import { Kafka, Partitioners, type Producer } from "kafkajs";
import { type Observable, Subject, share, takeUntil } from "rxjs";
import type { Bus, ChangeNotice } from "../ports/index.ts";
import { kafkaLogging, type PinoLike } from "./logging.ts";
import { encodeNotice } from "./notice-codec.ts";
import { consumeNotices } from "./notices.ts";
import { ensureTopic } from "./topic.ts";

export interface KafkaBusConfig {
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** Default `ledgerbox.changes`. */
  readonly topic?: string;
  /** Prefix of this process's consumer group (a random suffix is added); default `<clientId>-notices`. */
  readonly groupId?: string;
  /** Partitions when the topic has to be created; default 3. */
  readonly partitions?: number;
  /** Where kafkajs logs go; without one, only its warnings and errors reach the console. */
  readonly logger?: PinoLike;
}

export const DEFAULT_TOPIC = "ledgerbox.changes";

/**
 * Bus over Kafka. Connections open on first use, so building the bus never blocks start-up. The
 * producer is idempotent (a retried send is written once) with one request in flight, which also
 * keeps a namespace's notices in publish order across retries.
 */
export function createKafkaBus(config: KafkaBusConfig): Bus {
  const topic = config.topic ?? DEFAULT_TOPIC;
  const kafka = new Kafka({ clientId: config.clientId, brokers: [...config.brokers], ...kafkaLogging(config.logger) });
  const pending = new Set<Promise<void>>();
  const track = (work: Promise<void>) => {
    pending.add(work);
    void work.finally(() => pending.delete(work));
  };

  let topicReady: Promise<void> | null = null;
  const ready = (): Promise<void> => {
    topicReady ??= (async () => {
      const admin = kafka.admin();
      await admin.connect();
      try {
        await ensureTopic(admin, topic, config.partitions ?? 3);
      } finally {
        await admin.disconnect();
      }
    })().catch((error: unknown) => {
      topicReady = null; // let the next call try again
      throw error;
    });
    return topicReady;
  };

  let producer: Promise<Producer> | null = null;
  const connectedProducer = (): Promise<Producer> => {
    producer ??= (async () => {
      await ready();
      const created = kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        // Explicit, so kafkajs does not warn about its v2 default changing.
        createPartitioner: Partitioners.DefaultPartitioner,
        allowAutoTopicCreation: false,
      });
      await created.connect();
      return created;
    })().catch((error: unknown) => {
      producer = null;
      throw error;
    });
    return producer;
  };

  // close() ends live subscriptions too, so no consumer outlives the bus.
  const closing = new Subject<void>();
  // One consumer per process, shared by every subscriber and released with the last of them.
  const notices: Observable<ChangeNotice> = consumeNotices({
    kafka,
    topic,
    groupPrefix: config.groupId ?? `${config.clientId}-notices`,
    ready,
    track,
  }).pipe(takeUntil(closing), share({ resetOnError: true, resetOnComplete: true, resetOnRefCountZero: true }));

  let closed = false;
  return {
    async publish(batch: readonly ChangeNotice[]) {
      if (closed) throw new Error("the Kafka bus is closed");
      if (batch.length === 0) return;
      const connected = await connectedProducer();
      await connected.send({ topic, acks: -1, messages: batch.map(encodeNotice) });
    },

    notices: () => notices,

    async close() {
      if (closed) return;
      closed = true;
      closing.next();
      closing.complete();
      if (producer) track(producer.then((p) => p.disconnect()).catch(() => undefined));
      await Promise.all([...pending]);
    },
  };
}
