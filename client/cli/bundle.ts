import { createRequire } from "node:module";

/**
 * Bundles a TypeScript entry point into one ES module that plain `node` runs, with the esbuild
 * that tsx ships (nothing is installed for this). Used for the CLI bundle and for benchmark
 * workers that must measure the client as users run it, without tsx's loader in the process.
 */
export function bundleForNode(entry: string, outfile: string): void {
  const esbuild = createRequire(createRequire(import.meta.url).resolve("tsx/package.json"))(
    "esbuild",
  ) as typeof import("esbuild");
  esbuild.buildSync({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    logLevel: "warning",
    // Dependencies published as CommonJS call require(); an ES module has none unless given one.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
  });
}
