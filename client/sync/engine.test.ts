import fc from "fast-check";
import { filter, firstValueFrom } from "rxjs";
import { afterEach, describe, expect, it } from "vitest";
import { seededRandom } from "../platform/index.ts";
import { createSyncEngine, type SyncEngine } from "./engine.ts";
import { MemoryFiles } from "./memory-files.ts";
import { MemorySyncStore } from "./memory-store.ts";
import type { AppliedChange } from "./status.ts";
import { FakeServer, fakeContentHash } from "./testing/fake-server.ts";

const PATHS = ["/a.txt", "/b.txt", "/docs/c.txt"];
const text = (value: string) => new TextEncoder().encode(value);
const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

const engines: SyncEngine[] = [];
afterEach(() => {
  for (const engine of engines.splice(0)) engine.stop();
});

function client(server: FakeServer, clientId: string, options: { push?: boolean } = {}) {
  const files = new MemoryFiles();
  const store = new MemorySyncStore();
  const engine = createSyncEngine({
    ...server.client(clientId),
    store,
    files,
    clientId,
    push: options.push ?? true,
    settleMs: 1,
    random: seededRandom(7),
    now: () => "2026-11-24T10:00:00.000Z",
  });
  engines.push(engine);
  const applied: AppliedChange[] = [];
  engine.changes$.subscribe((change) => applied.push(change));
  return { engine, files, store, applied };
}

const listingOf = (files: MemoryFiles) => new Map([...files.snapshot()].map(([path, bytes]) => [path, fakeContentHash(bytes)]));

describe("sync engine", () => {
  it("applies exactly the server's log in order for any interleaving of writes, hints, drops and pulls", async () => {
    const step = fc.oneof(
      fc.record({ kind: fc.constant("write" as const), path: fc.constantFrom(...PATHS), content: fc.nat({ max: 4 }) }),
      fc.record({ kind: fc.constant("delete" as const), path: fc.constantFrom(...PATHS) }),
      fc.record({ kind: fc.constant("move" as const), path: fc.constantFrom(...PATHS), to: fc.constantFrom(...PATHS) }),
      // Duplicated and out-of-order hints: a notice for any position, old or new.
      fc.record({ kind: fc.constant("hint" as const), back: fc.nat({ max: 5 }), times: fc.integer({ min: 1, max: 3 }) }),
      fc.record({ kind: fc.constant("drop" as const) }),
      fc.record({ kind: fc.constant("pageSize" as const), size: fc.integer({ min: 1, max: 4 }) }),
      fc.record({ kind: fc.constant("wait" as const), ticks: fc.nat({ max: 3 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 40 }), async (steps) => {
        const server = new FakeServer();
        const { engine, files, applied } = client(server, "mirror", { push: false });
        await engine.start();
        for (const s of steps) {
          if (s.kind === "write") server.commit(s.path, text(`v${s.content}`), null);
          else if (s.kind === "delete") server.remove(s.path, null);
          else if (s.kind === "move") server.move(s.path, s.to);
          else if (s.kind === "hint") for (let i = 0; i < s.times; i++) server.notify(Math.max(0, server.log.length - s.back));
          else if (s.kind === "drop") server.dropStreams();
          else if (s.kind === "pageSize") server.pageSize = () => s.size;
          else for (let i = 0; i < s.ticks; i++) await tick();
        }
        await engine.pullNow();
        engine.stop();
        expect(applied.map((entry) => entry.change)).toEqual(server.log);
        expect(listingOf(files)).toEqual(server.listing());
        expect(engine.counters().changesApplied).toBe(server.log.length);
      }),
      { numRuns: 60 },
    );
  });

  it("reaches live, coalesces hints during a pull, and reconnects when the stream drops", async () => {
    const server = new FakeServer();
    for (let i = 0; i < 5; i++) server.commit(`/f${i}.txt`, text(`file ${i}`), null);
    server.pageSize = () => 2;
    const { engine, files } = client(server, "mirror", { push: false });
    const live = firstValueFrom(engine.status$.pipe(filter((status) => status.state === "live")));
    await engine.start();
    await live;
    expect(files.snapshot().size).toBe(5);
    expect(engine.currentStatus.cursor).toBe(server.cursorAt(5));

    const pulls = engine.counters().pulls;
    for (let i = 0; i < 10; i++) server.notify();
    await engine.pullNow();
    expect(engine.counters().pulls - pulls).toBeLessThanOrEqual(2);

    server.dropStreams();
    expect(engine.currentStatus.state).toBe("reconnecting");
    server.commit("/after-drop.txt", text("news"), null);
    await firstValueFrom(engine.status$.pipe(filter((status) => status.state === "live")));
    await engine.pullNow();
    expect(files.bytes("/after-drop.txt")).toEqual(text("news"));
    expect(engine.counters().reconnects).toBeGreaterThanOrEqual(1);
  });

  it("uploads local edits with the base revision and converges two clients", async () => {
    const server = new FakeServer();
    const one = client(server, "one");
    const two = client(server, "two");
    await one.engine.start();
    await two.engine.start();
    one.files.edit("/notes.txt", text("from one"));
    await one.engine.settle();
    await two.engine.settle();
    expect(two.files.bytes("/notes.txt")).toEqual(text("from one"));

    two.files.edit("/notes.txt", text("edited by two"));
    await two.engine.settle();
    await one.engine.settle();
    expect(one.files.bytes("/notes.txt")).toEqual(text("edited by two"));
    expect(server.log.at(-1)).toMatchObject({ path: "/notes.txt", revision: 2 });

    two.files.edit("/notes.txt", null);
    two.files.edit("/moved.txt", text("edited by two"));
    await two.engine.settle();
    await one.engine.settle();
    expect([...one.files.snapshot().keys()]).toEqual(["/moved.txt"]);
    expect(one.engine.counters().renames).toBe(1);
  });

  it("keeps both versions of a concurrent edit on both sides", async () => {
    const server = new FakeServer();
    const one = client(server, "one");
    const two = client(server, "two");
    server.commit("/shared.txt", text("base"), null);
    await one.engine.start();
    await two.engine.start();
    await one.engine.settle();
    await two.engine.settle();

    one.engine.stop();
    two.engine.stop();
    one.files.edit("/shared.txt", text("one's edit"));
    two.files.edit("/shared.txt", text("two's edit"));
    await one.engine.pushNow();
    await two.engine.pushNow();
    for (let round = 0; round < 2; round++) {
      await one.engine.settle();
      await two.engine.settle();
    }

    const expected = listingOf(one.files);
    expect(listingOf(two.files)).toEqual(expected);
    expect(expected).toEqual(server.listing());
    const contents = [...one.files.snapshot().values()].map((bytes) => new TextDecoder().decode(bytes)).sort();
    expect(contents).toEqual(["one's edit", "two's edit"]);
    expect([...expected.keys()].some((path) => path.includes("conflicted copy"))).toBe(true);
  });

  it("fetches again, once caught up, a file the listing did not show yet", async () => {
    const server = new FakeServer();
    server.commit("/late.txt", text("listed late"), null);
    const ports = server.client("mirror");
    let lagging = 1;
    const files = new MemoryFiles();
    const engine = createSyncEngine({
      ...ports,
      // The file listing trails the change feed once: the first download finds nothing.
      transfers: { ...ports.transfers, download: async (path) => (lagging-- > 0 ? null : ports.transfers.download(path)) },
      store: new MemorySyncStore(),
      files,
      clientId: "mirror",
      push: false,
    });
    engines.push(engine);
    await engine.pullNow();
    expect(files.bytes("/late.txt")).toEqual(text("listed late"));
  });
});
