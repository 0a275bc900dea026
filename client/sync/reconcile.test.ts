import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { conflictedCopyPath, type NormalizedPath } from "../../domain/index.ts";
import { keyOf } from "./path-key.ts";
import { type LocalView, type RemoteAction, reconcile } from "./reconcile.ts";
import { FakeServer, fakeContentHash } from "./testing/fake-server.ts";
import type { LocalCopy, RemoteChange, SyncedEntry } from "./types.ts";

const context = { now: "2026-11-24T12:00:00.000Z", clientId: "laptop" };
const PATHS = ["/a.txt", "/b.txt", "/docs/c.txt", "/docs/D.txt"];

/** Server operations by other clients, over a few paths so they collide often. */
const serverOp = fc.oneof(
  fc.record({ op: fc.constant("write" as const), path: fc.constantFrom(...PATHS), content: fc.integer({ min: 0, max: 5 }) }),
  fc.record({ op: fc.constant("delete" as const), path: fc.constantFrom(...PATHS) }),
  fc.record({ op: fc.constant("move" as const), path: fc.constantFrom(...PATHS), to: fc.constantFrom(...PATHS) }),
);
const bytesOf = (content: number) => new TextEncoder().encode(`content ${content}`);

type ServerOp = typeof serverOp extends fc.Arbitrary<infer T> ? T : never;

function buildLog(ops: readonly ServerOp[]): FakeServer {
  const server = new FakeServer();
  for (const op of ops) {
    if (op.op === "write") server.commit(op.path, bytesOf(op.content), null);
    else if (op.op === "delete") server.remove(op.path, null);
    else server.move(op.path, op.to);
  }
  return server;
}

/**
 * The local side as a model: files by key (path + content hash), committed entries, and the
 * engine's executor semantics for each action (download writes the change's bytes; remove and
 * rename check the bytes first). A crash discards the page's entry writes but not file effects.
 */
class Model {
  files = new Map<string, LocalCopy>();
  entries = new Map<string, SyncedEntry>();
  applied: RemoteChange[] = [];

  /**
   * Applies a page as the engine does: each change's entry writes commit right after its local
   * effects. `crashAt` stops after the effects of that change, before its commit; the caller then
   * replays the page from the same cursor.
   */
  applyPage(changes: readonly RemoteChange[], crashAt: number | null = null): void {
    for (const [index, change] of changes.entries()) {
      const view: LocalView = {
        entry: (key) => this.entries.get(key),
        file: (key) => this.files.get(key) ?? null,
      };
      const written = new Map<string, SyncedEntry>();
      for (const action of reconcile(view, change, changes.slice(index + 1), context)) this.execute(action, written);
      if (index === crashAt) return;
      for (const [key, entry] of written) this.entries.set(key, entry);
    }
    this.applied.push(...changes);
  }

  private execute(action: RemoteAction, written: Map<string, SyncedEntry>): void {
    const entry = (change: RemoteChange, deleted: boolean): SyncedEntry => ({
      ...change,
      pathKey: keyOf(change.path),
      deleted,
      local: null,
    });
    switch (action.type) {
      case "stale":
        return;
      case "record":
      case "tombstone":
        written.set(keyOf(action.change.path), entry(action.change, action.type === "tombstone"));
        return;
      case "download":
        this.files.set(keyOf(action.change.path), { path: action.change.path, contentHash: action.change.contentHash });
        written.set(keyOf(action.change.path), entry(action.change, false));
        return;
      case "remove":
        if (this.files.get(keyOf(action.path))?.contentHash === action.contentHash) this.files.delete(keyOf(action.path));
        return;
      case "rename": {
        const file = this.files.get(keyOf(action.from));
        if (file?.contentHash !== action.contentHash || this.files.has(keyOf(action.to))) return;
        this.files.delete(keyOf(action.from));
        this.files.set(keyOf(action.to), { path: action.to, contentHash: file.contentHash });
        return;
      }
      case "preserve": {
        // As the executor does: the first conflicted-copy name that is free.
        const file = this.files.get(keyOf(action.from))!;
        let to = action.to;
        for (let attempt = 2; this.files.has(keyOf(to)); attempt++) {
          to = conflictedCopyPath(action.from as NormalizedPath, context.now, context.clientId, attempt);
        }
        this.files.delete(keyOf(action.from));
        this.files.set(keyOf(to), { path: to, contentHash: file.contentHash });
        return;
      }
    }
  }

  listing(): Map<string, string> {
    return new Map([...this.files.values()].map((file) => [file.path, file.contentHash]));
  }
}

/** Splits the log into pages of the given sizes (cycled), as a pull with varying limits would. */
function pages(log: readonly RemoteChange[], sizes: readonly number[]): RemoteChange[][] {
  const out: RemoteChange[][] = [];
  for (let at = 0, i = 0; at < log.length; i++) {
    const size = sizes[i % sizes.length]!;
    out.push(log.slice(at, at + size));
    at += size;
  }
  return out;
}

describe("reconcile", () => {
  it("applies any server history, paged any way and replayed after crashes, to exactly the server listing", () => {
    fc.assert(
      fc.property(
        fc.array(serverOp, { maxLength: 40 }),
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.option(fc.nat({ max: 7 }), { nil: null }), { minLength: 1, maxLength: 8 }),
        (ops, sizes, crashes) => {
          const server = buildLog(ops);
          const model = new Model();
          let step = 0;
          for (const page of pages(server.log, sizes)) {
            // Crashes between a change's effects and its commit: the page comes again from the same cursor.
            for (
              let crashAt = crashes[step++ % crashes.length];
              crashAt != null && step < 50;
              crashAt = crashes[step++ % crashes.length]
            ) {
              model.applyPage(page, crashAt % page.length);
            }
            model.applyPage(page);
          }
          expect(model.applied).toEqual(server.log);
          expect(model.listing()).toEqual(server.listing());
          const live = [...model.entries.values()].filter((entry) => !entry.deleted);
          expect(new Map(live.map((entry) => [entry.path, entry.contentHash]))).toEqual(server.listing());
        },
      ),
      { numRuns: 300 },
    );
  });

  it("never loses local edits: every unsynced local content survives at its path or a conflicted copy", () => {
    const localOp = fc.record({
      path: fc.constantFrom(...PATHS),
      content: fc.option(fc.integer({ min: 100, max: 105 }), { nil: null }),
    });
    fc.assert(
      fc.property(
        fc.array(serverOp, { maxLength: 30 }),
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.option(localOp, { nil: null }), { minLength: 1, maxLength: 10 }),
        (ops, sizes, edits) => {
          const server = buildLog(ops);
          const model = new Model();
          /** Content that only exists locally, by the path the user wrote it at. */
          const precious = new Map<string, string>();
          for (const [index, page] of pages(server.log, sizes).entries()) {
            const edit = edits[index % edits.length];
            if (edit) {
              const key = keyOf(edit.path);
              if (edit.content === null) {
                model.files.delete(key);
                precious.delete(key);
              } else {
                const contentHash = fakeContentHash(new TextEncoder().encode(`local ${edit.content}`));
                model.files.set(key, { path: model.files.get(key)?.path ?? edit.path, contentHash });
                precious.set(key, contentHash);
              }
            }
            model.applyPage(page);
            const held = new Set([...model.files.values()].map((file) => file.contentHash));
            for (const contentHash of precious.values()) expect(held).toContain(contentHash);
          }
          expect(model.applied).toEqual(server.log);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("renames in place when a move arrives as delete + upsert with the same fileId", () => {
    const server = new FakeServer();
    server.commit("/a.txt", bytesOf(1), null);
    const model = new Model();
    model.applyPage(server.log);
    const before = server.log.length;
    server.move("/a.txt", "/docs/moved.txt");
    const view: LocalView = { entry: (key) => model.entries.get(key), file: (key) => model.files.get(key) ?? null };
    const [deleted, upserted] = server.log.slice(before);
    expect(reconcile(view, deleted!, [upserted!], context).map((action) => action.type)).toEqual(["rename", "tombstone"]);
    model.applyPage(server.log.slice(before));
    expect(model.listing()).toEqual(new Map([["/docs/moved.txt", fakeContentHash(bytesOf(1))]]));
  });

  it("moves local edits to a conflicted copy before the server's version takes the path", () => {
    const server = new FakeServer();
    server.commit("/a.txt", bytesOf(1), null);
    const model = new Model();
    model.applyPage(server.log);
    model.files.set("/a.txt", { path: "/a.txt", contentHash: "mine" });
    const before = server.log.length;
    server.commit("/a.txt", bytesOf(2), 1);
    model.applyPage(server.log.slice(before));
    expect(model.listing()).toEqual(
      new Map([
        ["/a (conflicted copy 2026-11-24 laptop).txt", "mine"],
        ["/a.txt", fakeContentHash(bytesOf(2))],
      ]),
    );
  });

  it("treats a change at or below the entry's revision as already applied", () => {
    const change: RemoteChange = { kind: "upsert", path: "/x", fileId: "f", revision: 2, size: 1, contentHash: "h", at: "" };
    const entry: SyncedEntry = { ...change, pathKey: "/x", revision: 3, contentHash: "h3", deleted: false, local: null };
    const view: LocalView = { entry: () => entry, file: () => null };
    expect(reconcile(view, change, [], context)).toEqual([{ type: "stale" }]);
  });
});
