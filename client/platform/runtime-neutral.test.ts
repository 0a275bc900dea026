import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { expect, it } from "vitest";

/**
 * client/ must run unchanged in browsers, Deno and Node. The type checker sees Node's types, so it
 * cannot catch a stray `node:` import or Node global in library code; this does.
 */
const CLIENT = resolve(import.meta.dirname, "..");
const LIBRARY = ["api", "chunker", "download", "hash", "platform", "store", "upload"];
const FORBIDDEN: readonly [RegExp, string][] = [
  [/from\s+["']node:|import\(\s*["']node:|require\(/, "a node: import or require"],
  [/\bBuffer\b/, "the Node Buffer global"],
  [/\bprocess\./, "the Node process global"],
  [/\b__dirname\b|\b__filename\b/, "CommonJS module globals"],
];

const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    // Tests, Deno tests and benchmarks are not library code.
    return /\.ts$/.test(entry.name) && !/\.(test|deno|bench)\.ts$/.test(entry.name) ? [path] : [];
  });

it("library code uses web APIs only", () => {
  const problems: string[] = [];
  for (const folder of LIBRARY) {
    for (const file of sources(join(CLIENT, folder))) {
      const code = readFileSync(file, "utf8")
        .replace(/\/\*[\s\S]*?\*\//g, "")
        .replace(/\/\/.*$/gm, "");
      for (const [pattern, what] of FORBIDDEN) if (pattern.test(code)) problems.push(`${relative(CLIENT, file)} uses ${what}`);
    }
  }
  expect(problems).toEqual([]);
});
