import type { ChunkSpec } from "../manifest.ts";
import type { UploadEvent } from "./events.ts";
import { type ChunkStatus, evolveUpload, statusesOf, type UploadState } from "./state.ts";

/**
 * `evolveUpload` over many events: the same state as folding them one at a time, without its cost.
 * Each counted chunk gives `evolveUpload` a new status list, so folding an upload's n chunk events
 * one by one copies n lists of up to n entries: 50 million entries for an upload at the 10,000-chunk
 * limit, whenever a command has to load its stream. Here a list is copied at most once per fold and
 * the copy then changes in place, which is safe because nothing outside the fold can hold it before
 * the fold returns. Manifest parts are appended the same way.
 */
export function foldUpload(state: UploadState, events: Iterable<UploadEvent>): UploadState {
  let current = state;
  // The lists this fold made: its own to change until it returns; any other list is copied first.
  let ownStatus: ChunkStatus[] | null = null;
  let ownChunks: ChunkSpec[] | null = null;
  for (const event of events) {
    if (current.status === "none") {
      current = evolveUpload(current, event);
      continue;
    }
    if (event.type === "ChunkUploaded") {
      const { index } = event.data;
      if (current.status !== "open" || current.chunkStatus[index] !== "missing") continue;
      if (current.chunkStatus !== ownStatus) {
        ownStatus = current.chunkStatus.slice();
        current = { ...current, chunkStatus: ownStatus };
      }
      ownStatus[index] = "uploaded";
    } else if (event.type === "ManifestPartAdded") {
      const { data } = event;
      if (data.from !== current.chunks.length) continue;
      if (current.chunks !== ownChunks) ownChunks = current.chunks.slice();
      if (current.chunkStatus !== ownStatus) ownStatus = current.chunkStatus.slice();
      for (const chunk of data.chunks) ownChunks.push(chunk);
      for (const status of statusesOf(data.chunks, data.present)) ownStatus.push(status);
      current = {
        ...current,
        chunks: ownChunks,
        chunkStatus: ownStatus,
        manifestComplete: data.manifestComplete,
        contentHash: data.contentHash,
      };
    } else {
      current = evolveUpload(current, event);
    }
  }
  return current;
}
