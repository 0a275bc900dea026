/**
 * What bounds the client's upload rate: the raw-PUT baseline next to the client as shipped and
 * with one thing changed at a time, alternated on one embedded server.
 *
 *   npx tsx bench/tools/upload-variants.ts [MiB=128] [rounds=2]
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fastcdcPlan } from "../data/chunk-plan.ts";
import { writeRandomFile } from "../harness/large-file.ts";
import { startServer } from "../harness/server.ts";
import { MiB } from "../harness/stats.ts";
import { clientUpload, rawPut } from "../harness/uploads.ts";

const mib = Number(process.argv[2] ?? 128);
const rounds = Number(process.argv[3] ?? 2);
const scratch = await mkdtemp(join(tmpdir(), "upload-variants-"));
const file = join(scratch, "file.bin");
await writeRandomFile(file, mib * MiB);
const plan = await fastcdcPlan(file);
const server = await startServer(scratch);
const variants: Record<string, () => Promise<{ mibPerSecond: number; phasesStartedAtMs?: Record<string, number> }>> = {
  rawPut: () => rawPut(server, file, plan),
  client: () => clientUpload(server, file),
  "client keepBytes=file (no re-read, no re-hash)": () => clientUpload(server, file, { keepBytes: mib * MiB * 2 }),
  "client concurrency 8": () => clientUpload(server, file, { concurrency: 8 }),
};
try {
  for (let round = 1; round <= rounds; round++) {
    for (const [name, run] of Object.entries(variants)) {
      const result = await run();
      console.log(round, name, result.mibPerSecond, "MiB/s", JSON.stringify(result.phasesStartedAtMs ?? {}));
    }
  }
} finally {
  await server.stop();
  await rm(scratch, { recursive: true, force: true });
}
