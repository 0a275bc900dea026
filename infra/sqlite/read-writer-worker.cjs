// Plain JavaScript on purpose: a worker thread does not inherit TypeScript loading (neither under
// `node --import tsx` nor under vitest), so this loads the TypeScript writer through tsx's
// in-thread require hook, which starts faster than its ESM loader (no loader thread to spawn).
require("tsx/cjs/api").register();
require("./read-writer-worker.ts");
