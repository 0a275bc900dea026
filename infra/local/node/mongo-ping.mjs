// Exit 0 when the server answers `ping` through the app's own MongoDB driver.
//   node mongo-ping.mjs mongodb://127.0.0.1:27018/ledgerbox
import { MongoClient } from "mongodb";

const url = process.argv[2] ?? "mongodb://127.0.0.1:27018/ledgerbox";
const client = new MongoClient(url, { serverSelectionTimeoutMS: 2000, connectTimeoutMS: 1000 });
try {
  await client.db().command({ ping: 1 });
} catch (err) {
  console.error(String(err));
  process.exitCode = 1;
} finally {
  await client.close();
}
