import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EventMetadata } from "../../domain/index.ts";
import type { EventStore } from "../ports/index.ts";
import { openSqliteEventStore } from "./event-store.ts";

/**
 * Group commit against one transaction (one fsync) per append, on a real file with synchronous=FULL.
 * Usage: npx tsx infra/sqlite/group-commit.bench.ts [appends=2000] [writers=50] [dir=os.tmpdir()]
 * - burst: `appends` single-event appends issued at once (Promise.all);
 * - writers: `writers` concurrent loops, each appending one event at a time (a busy command API).
 */
const appends = Number(process.argv[2] ?? 2000);
const writers = Number(process.argv[3] ?? 50);
const baseDir = process.argv[4] ?? tmpdir();

const metadata = {
  actor: "bench",
  namespace: "bench",
  clientId: "bench",
  correlationId: randomUUID(),
  at: new Date(0).toISOString(),
} as EventMetadata;
const event = () => ({ id: randomUUID(), type: "ChunkUploaded", data: { index: 0 }, metadata });

async function burst(store: EventStore): Promise<void> {
  await Promise.all(Array.from({ length: appends }, () => store.append(`upload-${randomUUID()}`, [event()], "no_stream")));
}

async function loops(store: EventStore): Promise<void> {
  const perWriter = Math.ceil(appends / writers);
  await Promise.all(
    Array.from({ length: writers }, async () => {
      const stream = `upload-${randomUUID()}`;
      for (let revision = 0; revision < perWriter; revision++) {
        await store.append(stream, [event()], revision === 0 ? "no_stream" : revision - 1);
      }
    }),
  );
}

async function measure(name: string, groupCommit: boolean, workload: (store: EventStore) => Promise<void>) {
  const dir = await mkdtemp(join(baseDir, "ledgerbox-bench-"));
  let transactions = 0;
  const store = openSqliteEventStore(join(dir, "events.db"), { groupCommit, onCommit: () => transactions++ });
  try {
    const started = process.hrtime.bigint();
    await workload(store);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const count = (await store.readAll({ after: null, maxCount: 1_000_000 })).length;
    return { name, groupCommit, appends: count, transactions, seconds, perSecond: count / seconds };
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const rows = [];
for (const [name, workload] of [
  ["burst", burst],
  ["writers", loops],
] as const) {
  const grouped = await measure(name, true, workload);
  const single = await measure(name, false, workload);
  rows.push(grouped, single);
  console.log(
    `${name}: grouped ${grouped.perSecond.toFixed(0)}/s in ${grouped.transactions} transactions, ` +
      `one per append ${single.perSecond.toFixed(0)}/s in ${single.transactions}; ratio ${(grouped.perSecond / single.perSecond).toFixed(1)}x`,
  );
}
console.table(rows.map((row) => ({ ...row, seconds: row.seconds.toFixed(2), perSecond: row.perSecond.toFixed(0) })));
