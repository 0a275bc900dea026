/**
 * Upload progress as plain data with a reducer, so the accounting is testable without a network;
 * the uploader pushes the states into an RxJS BehaviorSubject.
 */
export type UploadPhase = "hashing" | "uploading" | "completing" | "done";

export interface UploadProgress {
  readonly phase: UploadPhase;
  readonly bytesTotal: number;
  readonly bytesHashed: number;
  /** Bytes PUT to storage and accepted. */
  readonly bytesSent: number;
  /** Bytes of chunks the server already had: never sent. */
  readonly bytesSkipped: number;
  readonly chunksTotal: number;
  /** Chunks that are uploaded or present. */
  readonly chunksDone: number;
  /** Sending rate over the last few seconds, bytes per second. */
  readonly rate: number;
  /** Clock time of the latest update (ms). */
  readonly at: number;
  /** Clock time of the latest accepted PUT (ms); the rate is measured between these. */
  readonly sentAt: number;
}

export type ProgressEvent =
  | { readonly type: "phase"; readonly phase: UploadPhase }
  | { readonly type: "hashed"; readonly bytes: number }
  | { readonly type: "manifest"; readonly chunksTotal: number; readonly bytesTotal: number }
  | { readonly type: "sent"; readonly bytes: number }
  | { readonly type: "skipped"; readonly bytes: number }
  | { readonly type: "chunkDone" };

export const initialProgress = (bytesTotal: number, at: number): UploadProgress => ({
  phase: "hashing",
  bytesTotal,
  bytesHashed: 0,
  bytesSent: 0,
  bytesSkipped: 0,
  chunksTotal: 0,
  chunksDone: 0,
  rate: 0,
  at,
  sentAt: at,
});

/** Time constant of the rate's exponential moving average. */
const RATE_WINDOW_MS = 3000;

export function reduceProgress(state: UploadProgress, event: ProgressEvent, at: number): UploadProgress {
  switch (event.type) {
    case "phase":
      return { ...state, phase: event.phase, at, rate: event.phase === "done" ? 0 : state.rate };
    case "hashed":
      return { ...state, bytesHashed: Math.min(state.bytesTotal, state.bytesHashed + event.bytes), at };
    case "manifest":
      return { ...state, chunksTotal: event.chunksTotal, bytesTotal: event.bytesTotal, at };
    case "skipped":
      return { ...state, bytesSkipped: state.bytesSkipped + event.bytes, at };
    case "chunkDone":
      return { ...state, chunksDone: Math.min(state.chunksTotal, state.chunksDone + 1), at };
    case "sent": {
      // Between PUTs, not between any two events: parallel chunks report other things in between.
      const elapsed = Math.max(1, at - state.sentAt);
      const instant = (event.bytes / elapsed) * 1000;
      const weight = 1 - Math.exp(-elapsed / RATE_WINDOW_MS);
      const rate = state.rate === 0 ? instant : state.rate + weight * (instant - state.rate);
      return { ...state, bytesSent: state.bytesSent + event.bytes, rate, at, sentAt: at };
    }
  }
}

/** Counters a test (or a benchmark) can read: what actually went over the wire. */
export interface UploadCounters {
  createsIssued: number;
  statusChecks: number;
  putsIssued: number;
  bytesPut: number;
  confirmsIssued: number;
  completesIssued: number;
  retries: number;
  urlRefreshes: number;
}

export const newCounters = (): UploadCounters => ({
  createsIssued: 0,
  statusChecks: 0,
  putsIssued: 0,
  bytesPut: 0,
  confirmsIssued: 0,
  completesIssued: 0,
  retries: 0,
  urlRefreshes: 0,
});
