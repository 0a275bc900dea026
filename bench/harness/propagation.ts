import { createHash } from "node:crypto";
import { createApi } from "../../client/api/index.ts";
import { callApi, type Ticket } from "./api.ts";
import { freshNamespace } from "./ids.ts";
import type { ServerProcess } from "./server.ts";
import { round, summarize } from "./stats.ts";

export interface PropagationSamples {
  /** complete returned → the second client's SSE notice arrived (negative: the notice beat the reply). */
  readonly notifiedAfterCompleteMs: number[];
  /** complete sent → notice arrived (includes the commit itself). */
  readonly notifiedAfterCommitSentMs: number[];
  /** complete returned → the second client pulled /v1/changes from its cursor and holds the new version. */
  readonly pulledAfterCompleteMs: number[];
  /** complete's own round trip. */
  readonly completeMs: number[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Client A commits small files one at a time (create, PUT, confirm, complete) with a random pause
 * between; client B, a real client-library SSE listener on the same namespace, records when each
 * commit's notice arrives, then pulls the change feed as a sync client would.
 */
export async function measurePropagation(
  server: ServerProcess,
  commits: number,
  options: { warmupTimeoutMs?: number; log?: (message: string) => void } = {},
): Promise<PropagationSamples & { warmupCommits: number; missed: number }> {
  const namespace = freshNamespace("prop");
  const token = await server.token(namespace);
  const receiver = createApi({ baseUrl: server.url, token, clientId: "bench-receiver", fetch: globalThis.fetch });
  const controller = new AbortController();
  let cursor = await receiver.latestCursor();
  // A holder, not a bare `let`: it is set in one closure and called in another.
  const waiter: { notify: ((cursor: string) => void) | null } = { notify: null };
  const listening = (async () => {
    for await (const notice of receiver.changeNotices({ cursor }, controller.signal)) {
      const arrived = notice.cursor;
      waiter.notify?.(arrived);
    }
  })().catch((error: unknown) => {
    if (!controller.signal.aborted) throw error;
  });

  let n = 0;
  const commit = async () => {
    const bytes = Buffer.from(`${namespace} file ${++n} ${Date.now()}`.padEnd(1024, "."));
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    const path = `/prop/file-${n}.txt`;
    const ticket = await callApi<Ticket>(server.url, token, "POST", "/v1/uploads", {
      path,
      size: bytes.length,
      chunks: [{ index: 0, size: bytes.length, sha256 }],
    });
    const put = ticket.chunks[0]?.upload;
    if (put) {
      const response = await fetch(put.url, { method: put.method, headers: put.headers, body: bytes });
      if (!response.ok) throw new Error(`PUT → ${response.status}`);
      await response.arrayBuffer();
    }
    await callApi(server.url, token, "POST", `/v1/uploads/${ticket.uploadId}/chunks/0`);
    const notified = new Promise<number>((resolve) => {
      waiter.notify = () => {
        waiter.notify = null;
        resolve(performance.now());
      };
    });
    const sent = performance.now();
    await callApi(server.url, token, "POST", `/v1/uploads/${ticket.uploadId}/complete`);
    const returned = performance.now();
    return { path, sent, returned, notified };
  };
  const pull = async (path: string) => {
    for (;;) {
      const page = await receiver.changes({ cursor, limit: 500 });
      cursor = page.cursor;
      if (page.changes.some((change) => change.path === path)) return;
      if (!page.hasMore) await sleep(1);
    }
  };
  const timeout = (ms: number) => sleep(ms).then(() => null);

  // Warm up until a notice comes through end to end (a Kafka consumer group takes a while to join).
  const deadline = performance.now() + (options.warmupTimeoutMs ?? 60_000);
  let warmupCommits = 0;
  for (;;) {
    warmupCommits++;
    const c = await commit();
    const arrived = await Promise.race([c.notified, timeout(2000)]);
    await pull(c.path);
    if (arrived !== null && warmupCommits >= 5) break;
    if (performance.now() > deadline) throw new Error(`no SSE notice arrived within ${options.warmupTimeoutMs ?? 60_000} ms`);
  }

  const samples: PropagationSamples = {
    notifiedAfterCompleteMs: [],
    notifiedAfterCommitSentMs: [],
    pulledAfterCompleteMs: [],
    completeMs: [],
  };
  let missed = 0;
  for (let i = 0; i < commits; i++) {
    await sleep(10 + Math.random() * 40);
    const c = await commit();
    const notifiedAt = await Promise.race([c.notified, timeout(5000)]);
    if (notifiedAt === null) {
      missed++;
      waiter.notify = null;
      await pull(c.path);
      continue;
    }
    await pull(c.path);
    const pulledAt = performance.now();
    samples.notifiedAfterCompleteMs.push(notifiedAt - c.returned);
    samples.notifiedAfterCommitSentMs.push(notifiedAt - c.sent);
    samples.pulledAfterCompleteMs.push(pulledAt - c.returned);
    samples.completeMs.push(c.returned - c.sent);
    if ((i + 1) % 100 === 0) options.log?.(`${i + 1}/${commits} commits`);
  }
  controller.abort();
  await listening;
  return { ...samples, warmupCommits, missed };
}

/** The figure reported: p99 from complete returning to the notice, clamped at 0 (a notice can beat the reply). */
export function propagationSummary(samples: PropagationSamples & { warmupCommits: number; missed: number }) {
  const clamped = samples.notifiedAfterCompleteMs.map((ms) => Math.max(0, ms));
  return {
    p99: round(summarize(clamped).p99, 2),
    detail: {
      commits: samples.notifiedAfterCompleteMs.length,
      missedNotices: samples.missed,
      warmupCommits: samples.warmupCommits,
      notifiedAfterCompleteMs: summarize(clamped),
      noticeBeforeReply: samples.notifiedAfterCompleteMs.filter((ms) => ms < 0).length,
      notifiedAfterCommitSentMs: summarize(samples.notifiedAfterCommitSentMs),
      notifiedAndPulledAfterCompleteMs: summarize(samples.pulledAfterCompleteMs),
      completeRoundTripMs: summarize(samples.completeMs),
    },
  };
}

/**
 * Baseline: the same commits seen by a client polling getChange back to back from its cursor,
 * the fastest any client can learn of a change without push (and a load no real client should put
 * on a server). Time from complete returning until a poll returns the new version.
 */
export async function measurePolling(server: ServerProcess, commits: number): Promise<number[]> {
  const namespace = freshNamespace("poll");
  const token = await server.token(namespace);
  const receiver = createApi({ baseUrl: server.url, token, clientId: "bench-poller", fetch: globalThis.fetch });
  let cursor = await receiver.latestCursor();
  const seen: number[] = [];
  for (let n = 1; n <= commits; n++) {
    await sleep(10 + Math.random() * 40);
    const bytes = Buffer.from(`${namespace} file ${n} ${Date.now()}`.padEnd(1024, "."));
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    const path = `/poll/file-${n}.txt`;
    const ticket = await callApi<Ticket>(server.url, token, "POST", "/v1/uploads", {
      path,
      size: bytes.length,
      chunks: [{ index: 0, size: bytes.length, sha256 }],
    });
    const put = ticket.chunks[0]?.upload;
    if (put) await (await fetch(put.url, { method: put.method, headers: put.headers, body: bytes })).arrayBuffer();
    await callApi(server.url, token, "POST", `/v1/uploads/${ticket.uploadId}/chunks/0`);
    await callApi(server.url, token, "POST", `/v1/uploads/${ticket.uploadId}/complete`);
    const returned = performance.now();
    for (;;) {
      const page = await receiver.changes({ cursor, limit: 500 });
      cursor = page.cursor;
      if (page.changes.some((change) => change.path === path)) break;
    }
    seen.push(performance.now() - returned);
  }
  return seen;
}
