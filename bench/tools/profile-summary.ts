/**
 * `npx tsx bench/tools/profile-summary.ts <file.cpuprofile> [top=25]`: self time by function and by
 * source area (ours per top-level folder, each dependency, node internals, GC, idle), to say what is
 * ours and what bounds the rest.
 */
import { readFileSync } from "node:fs";

interface Node {
  readonly id: number;
  readonly callFrame: { functionName: string; url: string; lineNumber: number };
  readonly children?: number[];
}
interface Profile {
  readonly nodes: Node[];
  readonly samples: number[];
  readonly timeDeltas: number[];
}

const [file, topArg] = process.argv.slice(2);
if (!file) throw new Error("usage: profile-summary.ts <file.cpuprofile> [top]");
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const self = new Map<number, number>();
profile.samples.forEach((id, i) => {
  self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
const total = [...self.values()].reduce((a, b) => a + b, 0);

function area(url: string, name: string): string {
  if (name === "(garbage collector)") return "gc";
  if (name === "(idle)" || name === "(program)") return name;
  if (url === "") return "native";
  const nodeModule = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nodeModule) return `dep:${nodeModule[1]}`;
  if (url.startsWith("node:")) return "node-internals";
  const ours = /\/work\/main\/([^/]+)\//.exec(url);
  return ours ? `ours:${ours[1]}` : url;
}

const byFunction = new Map<string, number>();
const byArea = new Map<string, number>();
for (const [id, time] of self) {
  const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
  const where = url.replace(/^file:\/\/\/work\/main\//, "").replace(/^.*node_modules\//, "");
  const key = `${functionName || "(anonymous)"} ${where}:${lineNumber + 1}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + time);
  const a = area(url, functionName);
  byArea.set(a, (byArea.get(a) ?? 0) + time);
}
const pct = (t: number) => `${((100 * t) / total).toFixed(1).padStart(5)}%`;
console.log(`total ${(total / 1e6).toFixed(2)} s sampled`);
console.log("\nby area:");
for (const [name, t] of [...byArea].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(`${pct(t)}  ${name}`);
console.log("\nby function (self):");
for (const [name, t] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg ?? 25)))
  console.log(`${pct(t)}  ${name}`);

// Inclusive time (self + everything called), each function counted once per stack so recursion does not inflate it.
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
const inclusive = new Map<string, number>();
const keyOf = (id: number) => {
  const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
  const where = url.replace(/^file:\/\/\/work\/main\//, "").replace(/^.*node_modules\//, "");
  return `${functionName || "(anonymous)"} ${where}:${lineNumber + 1}`;
};
for (const [id, time] of self) {
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const key = keyOf(at);
    if (seen.has(key)) continue;
    seen.add(key);
    inclusive.set(key, (inclusive.get(key) ?? 0) + time);
  }
}
console.log("\nby function (inclusive, ours only):");
for (const [name, t] of [...inclusive]
  .filter(([name]) => /\s(domain|command-api|query-api|projectors|infra|client)\//.test(name))
  .sort((a, b) => b[1] - a[1])
  .slice(0, Number(topArg ?? 25)))
  console.log(`${pct(t)}  ${name}`);
