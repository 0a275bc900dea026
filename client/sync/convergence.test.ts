import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { seededRandom } from "../platform/index.ts";
import { createSyncEngine } from "./engine.ts";
import { MemoryFiles } from "./memory-files.ts";
import { MemorySyncStore } from "./memory-store.ts";
import { FakeServer, fakeContentHash } from "./testing/fake-server.ts";

const PATHS = ["/a.txt", "/b.txt", "/d/c.txt"];
const text = (value: string) => new TextEncoder().encode(value);

function client(server: FakeServer, clientId: string) {
  const files = new MemoryFiles();
  const engine = createSyncEngine({
    ...server.client(clientId),
    store: new MemorySyncStore(),
    files,
    clientId,
    random: seededRandom(1),
    now: () => "2026-11-24T10:00:00.000Z",
  });
  return { files, engine };
}

const listing = (files: MemoryFiles) => new Map([...files.snapshot()].map(([path, bytes]) => [path, fakeContentHash(bytes)]));

/** A user's edit while offline: write new content, delete, or rename a file. */
const edit = fc.record({
  who: fc.constantFrom(0, 1),
  op: fc.constantFrom("write", "write", "delete", "rename"),
  path: fc.constantFrom(...PATHS),
  to: fc.constantFrom(...PATHS),
  content: fc.nat({ max: 3 }),
});

describe("two clients through the sync engine", () => {
  it("converge to the server's listing after any concurrent offline edits, losing no edit", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(edit, { maxLength: 8 }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.constantFrom("pull0", "push0", "pull1", "push1"), { maxLength: 6 }),
        async (rounds, order) => {
          const server = new FakeServer();
          const clients = [client(server, "one"), client(server, "two")];
          for (const [round, edits] of rounds.entries()) {
            /** Content each user last wrote per path this round: it must survive somewhere. */
            const precious = new Set<string>();
            const wrote = new Map<string, string>();
            for (const step of edits) {
              const { files } = clients[step.who]!;
              const current = files.snapshot();
              if (step.op === "write") {
                const content = `r${round} ${step.who} ${step.content}`;
                files.edit(step.path, text(content));
                wrote.set(`${step.who}:${step.path}`, fakeContentHash(text(content)));
              } else if (step.op === "delete" && current.has(step.path)) {
                files.edit(step.path, null);
                wrote.delete(`${step.who}:${step.path}`);
              } else if (step.op === "rename" && current.has(step.path) && !current.has(step.to)) {
                const bytes = current.get(step.path)!;
                files.edit(step.path, null);
                files.edit(step.to, bytes);
                const moved = wrote.get(`${step.who}:${step.path}`);
                wrote.delete(`${step.who}:${step.path}`);
                if (moved) wrote.set(`${step.who}:${step.to}`, moved);
              }
            }
            for (const hash of wrote.values()) precious.add(hash);
            // Partial syncs in any order, then both sides settle.
            for (const step of order) {
              const { engine } = clients[Number(step.slice(-1))]!;
              await (step.startsWith("pull") ? engine.pullNow() : engine.pushNow());
            }
            for (let settle = 0; settle < 3; settle++) for (const { engine } of clients) await engine.settle();

            const expected = server.listing();
            for (const { files } of clients) expect(listing(files)).toEqual(expected);
            const held = new Set(expected.values());
            for (const hash of precious) expect(held).toContain(hash);
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
