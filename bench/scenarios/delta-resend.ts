import { stat } from "node:fs/promises";
import { join } from "node:path";
import { fastcdcPlan, fixedPlan, newBytes, type PlannedChunk } from "../data/chunk-plan.ts";
import { freshNamespace } from "../harness/ids.ts";
import { seededBytes, writeEdited } from "../harness/large-file.ts";
import { profileArgs } from "../harness/profile.ts";
import type { Scenario } from "../harness/scenario.ts";
import { startServer } from "../harness/server.ts";
import { MiB, round } from "../harness/stats.ts";
import { clientUpload } from "../harness/uploads.ts";

const FIXED_BLOCK = 4 * MiB;

/** Fraction of `size` each scheme re-sends for `next` when the store already holds `held`. */
async function schemes(held: string[], next: string, size: number) {
  const [cdcHeld, cdcNext, fixedHeld, fixedNext] = await Promise.all([
    Promise.all(held.map(fastcdcPlan)).then((plans) => plans.flat()),
    fastcdcPlan(next),
    Promise.all(held.map((file) => fixedPlan(file, FIXED_BLOCK))).then((plans) => plans.flat()),
    fixedPlan(next, FIXED_BLOCK),
  ]);
  const describe = (heldPlan: PlannedChunk[], nextPlan: PlannedChunk[]) => {
    const sent = newBytes(heldPlan, nextPlan);
    return { bytes: sent.bytes, chunks: sent.chunks, fraction: round(sent.bytes / size, 5) };
  };
  return { fastcdcPredicted: describe(cdcHeld, cdcNext), fixed4MiB: describe(fixedHeld, fixedNext) };
}

export const deltaResend: Scenario = {
  name: "delta_resend_fraction",
  target: { op: "<=", value: 0.01, unit: "of file" },
  description:
    "bytes the client PUTs to re-upload the large file after a 1 KiB insert in the middle ÷ file size (also: 1 MiB appended), " +
    "beside a fixed 4 MiB-block scheme computed on the same data",
  async run(context) {
    const original = await context.largeFile();
    const { size } = await stat(original);
    const inserted = join(context.scratch, "delta-insert.bin");
    const appended = join(context.scratch, "delta-append.bin");
    await writeEdited(original, inserted, Math.floor(size / 2), seededBytes("delta-insert")(1024));
    await writeEdited(original, appended, size, seededBytes("delta-append")(MiB));

    const server = await startServer(context.scratch, { execArgv: profileArgs("server-delta") });
    try {
      const namespace = freshNamespace("delta");
      const first = await clientUpload(server, original, { namespace, path: "/large.bin" });
      const insert = await clientUpload(server, inserted, {
        namespace,
        path: "/large.bin",
        baseRevision: first.outcome.revision,
      });
      const append = await clientUpload(server, appended, {
        namespace,
        path: "/large.bin",
        baseRevision: insert.outcome.revision,
      });
      const insertSize = size + 1024;
      const appendSize = size + MiB;
      const [insertSchemes, appendSchemes] = await Promise.all([
        schemes([original], inserted, insertSize),
        schemes([original, inserted], appended, appendSize),
      ]);
      const value = round(insert.bytesPut / insertSize, 5);
      context.log(
        `1 KiB insert: client sent ${insert.bytesPut} bytes (${(value * 100).toFixed(2)}%), fixed 4 MiB blocks would send ` +
          `${insertSchemes.fixed4MiB.bytes}; 1 MiB append: ${append.bytesPut} bytes`,
      );
      return {
        value,
        unit: "of file",
        baseline: insertSchemes.fixed4MiB.fraction,
        baselineUnit: "of file (fixed 4 MiB blocks)",
        ratio: insertSchemes.fixed4MiB.fraction === 0 ? null : round(value / insertSchemes.fixed4MiB.fraction),
        detail: {
          fileMiB: size / MiB,
          firstUpload: { bytesPut: first.bytesPut, revision: first.outcome.revision },
          insert1KiBMiddle: {
            bytesPut: insert.bytesPut,
            fraction: value,
            chunksPut: insert.counters.putsIssued,
            revision: insert.outcome.revision,
            ...insertSchemes,
          },
          append1MiB: {
            bytesPut: append.bytesPut,
            fraction: round(append.bytesPut / appendSize, 5),
            chunksPut: append.counters.putsIssued,
            revision: append.outcome.revision,
            ...appendSchemes,
          },
          note:
            "FastCDC (min 256 KiB, avg 1 MiB, max 4 MiB) re-sends the chunk(s) around the edit, about one mean chunk (~1.1 MiB), " +
            "so the fraction halves each time the file doubles; the target is about a 1 KiB edit of a large file",
        },
      };
    } finally {
      await server.stop();
    }
  },
};
