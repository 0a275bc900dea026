// Exit 0 when the broker answers a metadata request. A listening port alone is
// not enough: the KRaft broker accepts connections before it has joined its
// own controller quorum and can serve metadata.
//   node kafka-ready.mjs 127.0.0.1:19092
import { Kafka, logLevel } from "kafkajs";

const broker = process.argv[2] ?? "127.0.0.1:19092";
const kafka = new Kafka({
  clientId: "ledgerbox-stack-ready",
  brokers: [broker],
  connectionTimeout: 1000,
  requestTimeout: 2000,
  retry: { retries: 0 },
  logLevel: logLevel.NOTHING,
});
const admin = kafka.admin();
const timer = setTimeout(() => process.exit(1), 5000);
try {
  await admin.connect();
  await admin.listTopics();
  await admin.disconnect();
  clearTimeout(timer);
} catch (err) {
  console.error(String(err));
  process.exit(1);
}
