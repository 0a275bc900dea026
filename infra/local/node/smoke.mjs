// End-to-end check of a running local stack, through the same clients the app
// uses. Reads .ledgerbox-stack.env at the repo root.
//   node infra/local/node/smoke.mjs             # kafka, s3, mongo
//   node infra/local/node/smoke.mjs --webhook   # also: listen on the notify URL
//                                               # (port 8080 must be free) and
//                                               # wait for MinIO's POST
import { createHash, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { Kafka, logLevel } from "kafkajs";
import { MongoClient } from "mongodb";

const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const env = Object.fromEntries(
  readFileSync(join(root, ".ledgerbox-stack.env"), "utf8")
    .split("\n")
    .filter((line) => line.includes("="))
    .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
);
const notifyUrl = new URL(process.env.LEDGERBOX_NOTIFY_URL ?? "http://127.0.0.1:8080/v1/storage/notifications");
const runId = randomUUID().slice(0, 8);
let failures = 0;
let passes = 0;

async function check(name, fn) {
  const start = Date.now();
  try {
    await fn();
    passes++;
    console.log(`ok   ${name} (${Date.now() - start} ms)`);
  } catch (err) {
    failures++;
    console.log(`FAIL ${name}: ${err?.stack ?? err}`);
  }
}

function assert(cond, message) {
  if (!cond) throw new Error(message);
}

const withTimeout = (promise, ms, what) =>
  Promise.race([
    promise,
    new Promise((_, reject) => setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms)),
  ]);

// --- Kafka: one message through a fresh topic ------------------------------
if (env.KAFKA_BROKERS) {
  await check("kafka produce + consume", async () => {
    const kafka = new Kafka({ clientId: "ledgerbox-smoke", brokers: env.KAFKA_BROKERS.split(","), logLevel: logLevel.NOTHING });
    const topic = `smoke-${runId}`;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ key: "k", value: `hello ${runId}` }] });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: `smoke-${runId}` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const got = await withTimeout(
      new Promise((resolve) => {
        consumer.run({ eachMessage: async ({ message }) => resolve(message.value.toString()) });
      }),
      30_000,
      "consume",
    );
    await consumer.disconnect();
    assert(got === `hello ${runId}`, `consumed ${JSON.stringify(got)}`);
  });
}

// --- S3 ---------------------------------------------------------------------
let s3;
if (env.S3_ENDPOINT) {
  s3 = new S3Client({
    endpoint: env.S3_ENDPOINT,
    region: env.S3_REGION,
    forcePathStyle: env.S3_FORCE_PATH_STYLE === "true",
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
  });
  const bucket = env.S3_BUCKET;

  await check("s3 put + get", async () => {
    const key = `smoke/${runId}/plain.txt`;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: `plain ${runId}` }));
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const text = await got.Body.transformToString();
    assert(text === `plain ${runId}`, `got ${JSON.stringify(text)}`);
  });

  // A presigned PUT that commits to the body's SHA-256: the browser sends the
  // checksum as a signed header, and the server must refuse any other body.
  const presignWithChecksum = async (key, body) => {
    const checksum = createHash("sha256").update(body).digest("base64");
    const url = await getSignedUrl(s3, new PutObjectCommand({ Bucket: bucket, Key: key, ChecksumSHA256: checksum }), {
      expiresIn: 300,
      unhoistableHeaders: new Set(["x-amz-checksum-sha256"]),
    });
    return { url, checksum };
  };

  await check("s3 presigned PUT with matching x-amz-checksum-sha256 is accepted", async () => {
    const key = `smoke/${runId}/checksum-ok.bin`;
    const body = Buffer.from(`checked ${runId}`);
    const { url, checksum } = await presignWithChecksum(key, body);
    const res = await fetch(url, { method: "PUT", body, headers: { "x-amz-checksum-sha256": checksum } });
    assert(res.ok, `status ${res.status}: ${await res.text()}`);
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: "ENABLED" }));
    assert(got.ChecksumSHA256 === checksum, `stored checksum ${got.ChecksumSHA256} != ${checksum}`);
  });

  await check("s3 presigned PUT with a different body is rejected", async () => {
    const key = `smoke/${runId}/checksum-bad.bin`;
    const { url, checksum } = await presignWithChecksum(key, Buffer.from(`checked ${runId}`));
    const res = await fetch(url, {
      method: "PUT",
      body: Buffer.from(`tampered ${runId}`),
      headers: { "x-amz-checksum-sha256": checksum },
    });
    const text = await res.text();
    assert(res.status === 400, `expected 400, got ${res.status}: ${text}`);
    console.log(`     rejected with ${res.status} ${/<Code>([^<]*)<\/Code>/.exec(text)?.[1]}`);
  });
}

// --- MongoDB wire protocol (FerretDB) ----------------------------------------
if (env.MONGODB_URL) {
  await check("mongodb insert + find", async () => {
    const client = new MongoClient(env.MONGODB_URL, { serverSelectionTimeoutMS: 5000 });
    try {
      const coll = client.db().collection("smoke");
      await coll.insertOne({ _id: runId, n: 1, tags: ["a", "b"] });
      const doc = await coll.findOne({ _id: runId });
      assert(doc?.n === 1 && doc.tags.length === 2, `found ${JSON.stringify(doc)}`);
      await coll.deleteOne({ _id: runId });
    } finally {
      await client.close();
    }
  });
}

// --- Webhook: an object put reaches the notify URL ---------------------------
if (process.argv.includes("--webhook") && s3) {
  await check(`webhook POST to ${notifyUrl.href} on object created`, async () => {
    const key = `smoke/${runId}/webhook.txt`;
    const received = new Promise((resolve) => {
      const server = createServer((req, res) => {
        let body = "";
        req.on("data", (chunk) => {
          body += chunk;
        });
        req.on("end", () => {
          res.writeHead(204).end();
          const payload = JSON.parse(body);
          if (payload.Key === `${env.S3_BUCKET}/${key}`) {
            server.close();
            resolve({ method: req.method, url: req.url, headers: req.headers, payload });
          }
        });
      });
      server.listen(Number(notifyUrl.port || 80), notifyUrl.hostname);
    });
    await s3.send(new PutObjectCommand({ Bucket: env.S3_BUCKET, Key: key, Body: "notify me", ContentType: "text/plain" }));
    const got = await withTimeout(received, 30_000, "webhook");
    assert(got.method === "POST" && got.url === notifyUrl.pathname, `${got.method} ${got.url}`);
    assert(
      got.headers.authorization === `Bearer ${env.STORAGE_NOTIFY_TOKEN}`,
      `authorization header ${JSON.stringify(got.headers.authorization)}`,
    );
    assert(got.payload.EventName === "s3:ObjectCreated:Put", `EventName ${got.payload.EventName}`);
    if (process.argv.includes("--print")) console.log(JSON.stringify({ headers: got.headers, payload: got.payload }, null, 2));
  });
}

console.log(`smoke: ${passes} passed, ${failures} failed`);
process.exit(failures ? 1 : 0);
