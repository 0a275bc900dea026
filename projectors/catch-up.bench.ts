/**
 * Catch-up throughput of the read-model runner on SQLite: how fast a fresh read store (a new
 * deployment, or a rebuild) reaches the head of an existing log.
 *
 *   npx tsx projectors/catch-up.bench.ts [events=200000] [batch=2000]
 */
import { createProjectionRunner } from "./runner.ts";
import { appendLog, openTempStores } from "./testing/sqlite.ts";
import { workload } from "./testing/workload.ts";

const events = Number(process.argv[2] ?? 200_000);
const maxBatchEvents = Number(process.argv[3] ?? 2000);

const stores = await openTempStores();
try {
  let t = performance.now();
  const log = workload(events);
  console.log(`generated ${log.length} events in ${Math.round(performance.now() - t)} ms`);
  t = performance.now();
  await appendLog(stores.eventStore, log, 5000);
  console.log(`appended in ${Math.round(performance.now() - t)} ms`);
  const head = (await stores.eventStore.headPosition())!;

  const runner = createProjectionRunner({ eventStore: stores.eventStore, readStore: stores.readStore, maxBatchEvents });
  t = performance.now();
  runner.start();
  await runner.waitFor(head);
  const ms = performance.now() - t;
  const status = runner.status();
  await runner.stop();
  console.log(
    `caught up ${status.processed} events in ${Math.round(ms)} ms: ${Math.round((status.processed * 1000) / ms)} events/s ` +
      `(batch ${maxBatchEvents}, ${status.batches} batches, node ${process.version})`,
  );
} finally {
  await stores.close();
}
