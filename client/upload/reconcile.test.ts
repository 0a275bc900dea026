import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ChunkServerStatus } from "../api/types.ts";
import type { ChunkRowStatus } from "../store/schema.ts";
import { ManifestMismatchError, mayHaveBeenSent, reconcileChunks, withMissing } from "./reconcile.ts";

const localStatus = fc.constantFrom<ChunkRowStatus>("pending", "uploading", "uploaded", "present", "failed");
const serverStatus = fc.constantFrom<ChunkServerStatus>("missing", "uploaded", "present");
const pairs = fc.array(fc.tuple(localStatus, serverStatus), { maxLength: 60 });

describe("resume reconciliation", () => {
  it("never sends a chunk the server has, never skips one it lacks, and confirms before re-sending what we may have sent", () => {
    fc.assert(
      fc.property(pairs, (statuses) => {
        const local = statuses.map(([status], index) => ({ index, status }));
        const server = statuses.map(([, status], index) => ({ index, status }));
        const plan = reconcileChunks(local, server);
        expect(plan.map((step) => step.index)).toEqual(local.map((chunk) => chunk.index));
        for (const [index, [mine, theirs]] of statuses.entries()) {
          const step = plan[index]!;
          if (theirs !== "missing") {
            expect(step.action).toBe("done");
          } else {
            expect(step.action).not.toBe("done");
            // A chunk we may already have sent is confirmed, not re-sent blind.
            if (mine === "uploading" || mine === "uploaded") expect(step.action).toBe("confirm");
            else expect(step.action).toBe("put");
          }
        }
      }),
    );
  });

  it("confirms first every pending chunk an earlier process recorded that the server lacks", () => {
    fc.assert(
      fc.property(pairs, (statuses) => {
        const inherited = statuses.map(([status], index) => mayHaveBeenSent({ index, status }));
        const server = statuses.map(([, status], index) => ({ index, status }));
        for (const [index, step] of reconcileChunks(inherited, server).entries()) {
          const [mine, theirs] = statuses[index]!;
          // Pending rows may have been PUT by that process; failed and present ones it did not send.
          const mayHaveLanded = mine === "pending" || mine === "uploading" || mine === "uploaded";
          const expected = theirs !== "missing" ? "done" : mayHaveLanded ? "confirm" : "put";
          expect(step.action).toBe(expected);
        }
      }),
    );
  });

  it("is independent of the order the server lists chunks in", () => {
    fc.assert(
      fc.property(pairs, fc.integer(), (statuses, seed) => {
        const local = statuses.map(([status], index) => ({ index, status }));
        const server = statuses.map(([, status], index) => ({ index, status }));
        const shuffled = [...server].sort((a, b) => ((a.index * 7919 + seed) % 101) - ((b.index * 7919 + seed) % 101));
        expect(reconcileChunks(local, shuffled)).toEqual(reconcileChunks(local, server));
      }),
    );
  });

  it("refuses a server view of a different manifest", () => {
    expect(() => reconcileChunks([{ index: 0, status: "pending" }], [])).toThrow(ManifestMismatchError);
    expect(() => reconcileChunks([{ index: 0, status: "pending" }], [{ index: 3, status: "missing" }])).toThrow(
      ManifestMismatchError,
    );
  });

  it("applies a chunks_missing answer over a previous view", () => {
    const view = [
      { index: 0, status: "uploaded" as const },
      { index: 1, status: "present" as const },
      { index: 2, status: "uploaded" as const },
    ];
    expect(withMissing(view, [2]).map((chunk) => chunk.status)).toEqual(["uploaded", "present", "missing"]);
  });
});
