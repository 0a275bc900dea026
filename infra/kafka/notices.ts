import { randomUUID } from "node:crypto";
import type { Consumer, Kafka } from "kafkajs";
import { Observable } from "rxjs";
import type { ChangeNotice } from "../ports/index.ts";
import { decodeNotice } from "./notice-codec.ts";

export interface NoticeConsumerOptions {
  readonly kafka: Kafka;
  readonly topic: string;
  /** Prefix of the consumer group; a random suffix makes each consumer its own group. */
  readonly groupPrefix: string;
  /** Resolves once the topic exists. */
  readonly ready: () => Promise<void>;
  /** Tracks disconnects so the bus's close() can wait for them. */
  readonly track: (work: Promise<void>) => void;
}

/**
 * One consumer in a consumer group of its own: every push gateway must see every notice (fan-out),
 * so no two processes may share a group. It starts at the latest offset (a new group has none
 * committed) and commits nothing, so the broker forgets the group once it disconnects.
 *
 * A rebalance can hand a partition back from an older offset; offsets already emitted are skipped
 * so this consumer never emits one record twice.
 */
export function consumeNotices(options: NoticeConsumerOptions): Observable<ChangeNotice> {
  return new Observable<ChangeNotice>((subscriber) => {
    const consumer: Consumer = options.kafka.consumer({
      groupId: `${options.groupPrefix}-${randomUUID()}`,
      // Notices are hints: a short session lets a vanished gateway's group go quickly.
      sessionTimeout: 10_000,
      heartbeatInterval: 3_000,
      allowAutoTopicCreation: false,
    });
    const emitted = new Map<number, bigint>();
    let stopped = false;

    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart && !stopped) subscriber.error(payload.error);
    });

    (async () => {
      await options.ready();
      await consumer.connect();
      await consumer.subscribe({ topic: options.topic, fromBeginning: false });
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          const offset = BigInt(message.offset);
          const last = emitted.get(partition);
          if (last !== undefined && offset <= last) return;
          emitted.set(partition, offset);
          const notice = decodeNotice(message.value);
          if (notice && !stopped) subscriber.next(notice);
        },
      });
    })().catch((error: unknown) => {
      if (!stopped) subscriber.error(error);
    });

    return () => {
      stopped = true;
      options.track(consumer.disconnect().catch(() => undefined));
    };
  });
}
