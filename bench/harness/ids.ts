/** A short id for this run, so namespaces and keys never collide with an earlier run's on a shared MinIO. */
export const RUN_ID = Date.now().toString(36);

let counter = 0;
/** A fresh namespace (and the user owning it: a user may always use the namespace named after them). */
export const freshNamespace = (what: string): string => `bench-${RUN_ID}-${what}-${++counter}`;
