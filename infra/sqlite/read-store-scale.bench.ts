import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { logPosition } from "../../domain/index.ts";
import type { ReadModelWrite } from "../ports/index.ts";
import { openSqliteReadStore } from "./read-store.ts";

/**
 * Query latency for one namespace holding `count` files and changes (plus a noisy neighbour namespace).
 * Usage: npx tsx infra/sqlite/read-store-scale.bench.ts [count=1000000] [dir=os.tmpdir()]
 */
const count = Number(process.argv[2] ?? 1_000_000);
const baseDir = process.argv[3] ?? tmpdir();
const ns = "big";
const pos = (n: number) => logPosition(BigInt(n));
const keyOf = (i: number) => `/dir-${String(i % 1000).padStart(4, "0")}/file-${i}.txt`;
const digest = "ab".repeat(32) as never;

function writesFor(i: number, namespace: string): ReadModelWrite[] {
  const pathKey = keyOf(i);
  const at = new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
  return [
    {
      kind: "file.put",
      file: {
        namespace,
        pathKey,
        path: pathKey,
        fileId: `f${i}`,
        revision: 1,
        size: 1024,
        contentHash: digest,
        chunks: [{ index: 0, size: 1024, sha256: digest }],
        modifiedAt: at,
        position: pos(i),
      },
    },
    {
      kind: "change.add",
      change: {
        namespace,
        position: pos(i),
        kind: "upsert",
        path: pathKey,
        pathKey,
        fileId: `f${i}`,
        revision: 1,
        size: 1024,
        contentHash: digest,
        at,
      },
    },
  ];
}

async function time<T>(label: string, query: () => Promise<T>, runs = 20): Promise<T> {
  let result = await query();
  const started = process.hrtime.bigint();
  for (let n = 0; n < runs; n++) result = await query();
  const ms = Number(process.hrtime.bigint() - started) / 1e6 / runs;
  console.log(`${label.padEnd(52)} ${ms.toFixed(2)} ms`);
  return result;
}

const dir = await mkdtemp(join(baseDir, "ledgerbox-scale-"));
const store = openSqliteReadStore(join(dir, "read.db"));
try {
  const fillStarted = Date.now();
  const batch = 5000;
  for (let start = 1; start <= count; start += batch) {
    const writes: ReadModelWrite[] = [];
    for (let i = start; i < Math.min(start + batch, count + 1); i++) {
      writes.push(...writesFor(i, ns));
      if (i % 10 === 0) writes.push(...writesFor(i, "neighbour"));
    }
    await store.applyBatch("files", writes, pos(Math.min(start + batch - 1, count)));
  }
  // As the projection runner has it done once caught up: the queries below time their indexes.
  await store.caughtUp();
  console.log(`filled ${count} files and changes in ${((Date.now() - fillStarted) / 1000).toFixed(1)} s`);

  const middle = pos(Math.floor(count / 2));
  const page = await time("changesSince(start, 500)", () => store.changesSince(ns, null, 500));
  await time("changesSince(middle, 500)", () => store.changesSince(ns, middle, 500));
  await time("changesSince(end - 100, 500)", () => store.changesSince(ns, pos(count - 100), 500));
  await time("latestChange", () => store.latestChange(ns));
  await time("listFiles('', first 500)", () => store.listFiles(ns, "", null, 500));
  await time("listFiles('', after a middle key, 500)", () => store.listFiles(ns, "", "/dir-0500/", 500));
  await time("listFiles('/dir-0999/', 500)", () => store.listFiles(ns, "/dir-0999/", null, 500));
  await time("getFile", () => store.getFile(ns, keyOf(Math.floor(count / 3))));
  await time("history(one path)", () => store.history(ns, keyOf(77), null, 500));
  await time("stateAt(head, first 500)", () => store.stateAt(ns, pos(count), null, 500));
  await time("stateAt(middle, first 500)", () => store.stateAt(ns, middle, null, 500));
  await time("stateAt(early: position 1000, first 500)", () => store.stateAt(ns, pos(1000), null, 500), 3);
  await time("positionAt(middle time)", () =>
    store.positionAt(ns, new Date(Date.UTC(2026, 0, 1) + (count / 2) * 1000).toISOString()),
  );
  if (page.items.length !== 500) throw new Error("expected a full page");
} finally {
  await store.close();
  await rm(dir, { recursive: true, force: true });
}
