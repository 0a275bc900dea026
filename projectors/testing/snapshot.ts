import { logPosition, type NormalizedPath, pathKey } from "../../domain/index.ts";
import type { ChangeEntry, FileEntry, HistoryEntry, Page, ReadStore } from "../../infra/ports/index.ts";
import type { LoggedEvent } from "./workload.ts";

async function all<T>(read: (after: T | null) => Promise<Page<T>>): Promise<T[]> {
  const out: T[] = [];
  for (;;) {
    const page = await read(out.at(-1) ?? null);
    out.push(...page.items);
    if (!page.hasMore) return out;
  }
}

/**
 * Every answer the query API can get from the read models for a log: the whole change feed, the
 * listing, each path's file and history, the listing at a spread of positions and times, and each
 * upload. Two stores that agree on this serve every client the same.
 */
export async function snapshot(store: ReadStore, log: readonly LoggedEvent[]): Promise<Record<string, unknown>> {
  const namespaces = [...new Set(log.map((e) => e.metadata.namespace))].sort();
  const paths = new Map<string, Set<string>>();
  const uploads = new Set<string>();
  const digests = new Map<string, Set<string>>();
  for (const { event, metadata } of log) {
    if ("path" in event.data) {
      const keys = paths.get(metadata.namespace) ?? new Set();
      keys.add(pathKey(event.data.path as NormalizedPath));
      paths.set(metadata.namespace, keys);
    }
    if (event.type === "UploadStarted") {
      uploads.add(event.data.uploadId);
      const set = digests.get(metadata.namespace) ?? new Set();
      for (const chunk of event.data.chunks) set.add(chunk.sha256);
      digests.set(metadata.namespace, set);
    }
  }
  const out: Record<string, unknown> = {};
  const step = Math.max(1, Math.floor(log.length / 7));
  for (const ns of namespaces) {
    out[`changes ${ns}`] = await all<ChangeEntry>((after) => store.changesSince(ns, after?.position ?? null, 97));
    out[`latest ${ns}`] = await store.latestChange(ns);
    out[`files ${ns}`] = await all<FileEntry>((after) => store.listFiles(ns, "", after?.pathKey ?? null, 89));
    out[`files /dir1 ${ns}`] = await all<FileEntry>((after) => store.listFiles(ns, "/dir1/", after?.pathKey ?? null, 50));
    for (const key of [...(paths.get(ns) ?? [])].sort()) {
      out[`file ${ns} ${key}`] = await store.getFile(ns, key);
      out[`history ${ns} ${key}`] = await all<HistoryEntry>((after) => store.history(ns, key, after?.position ?? null, 50));
    }
    for (let row = 1; row <= log.length; row += step) {
      out[`state ${ns} @${row}`] = await all<ChangeEntry>((after) =>
        store.stateAt(ns, logPosition(BigInt(row)), after?.pathKey ?? null, 83),
      );
      out[`position ${ns} @${log[row - 1]!.metadata.at}`] = await store.positionAt(ns, log[row - 1]!.metadata.at);
    }
    for (const digest of [...(digests.get(ns) ?? [])].sort().slice(0, 50)) {
      out[`awaiting ${ns} ${digest}`] = await store.uploadsAwaitingChunk(ns, digest);
    }
  }
  for (const id of [...uploads].sort()) out[`upload ${id}`] = await store.getUpload(id);
  return out;
}
