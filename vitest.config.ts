import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", "data/**", ".stack/**", "client/deno/**"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Suites start real servers on their own ports and data dirs; two workers fit a 2-core machine.
    maxWorkers: 2,
  },
});
