import {
  BehaviorSubject,
  debounceTime,
  defer,
  filter,
  firstValueFrom,
  interval,
  merge,
  type Observable,
  repeat,
  retry,
  Subject,
  type Subscription,
  take,
  tap,
  timer,
} from "rxjs";
import { cryptoRandom, type Random } from "../platform/index.ts";
import { applyPage, recheckGone } from "./apply-page.ts";
import { backoffDelay } from "./backoff.ts";
import { coalescingLane } from "./lane.ts";
import { LocalState } from "./local-state.ts";
import type { ChangeFeed, FileCommands, LocalFiles, SyncStore, Transfers } from "./ports.ts";
import { pushLocal } from "./push-local.ts";
import { type AppliedChange, type SyncCounters, type SyncProgress, type SyncStatus, zeroCounters } from "./status.ts";
import type { RemoteChange } from "./types.ts";

export interface SyncEngineOptions {
  readonly feed: ChangeFeed;
  readonly commands: FileCommands;
  readonly transfers: Transfers;
  readonly store: SyncStore;
  readonly files: LocalFiles;
  /** Appears in conflicted-copy names; the API client sends the same id to the server. */
  readonly clientId: string;
  /** Upload local edits (default true); false makes a download-only mirror. */
  readonly push?: boolean;
  /** Rescan local files this often as a safety net for missed watcher events (0 = never). */
  readonly rescanIntervalMs?: number;
  /** Wait this long after a watcher event before scanning, so editors finish writing. */
  readonly settleMs?: number;
  readonly random?: Random;
  /** Wall-clock ISO time, for conflicted-copy names. */
  readonly now?: () => string;
}

type Kind = "pull" | "push";

/**
 * The sync engine. Pulls run from the stored cursor until the feed says `hasMore: false`; the
 * server's change stream then only says "look again", and those hints are coalesced while a pull
 * runs. Pulls and pushes share one lane, so local files are never written by a download and read
 * by an upload at the same time, and a push always runs against the newest pulled base.
 */
export class SyncEngine {
  readonly changes$: Observable<AppliedChange>;
  readonly status$: Observable<SyncStatus>;
  readonly progress$: Observable<SyncProgress>;

  private readonly counterValues: SyncCounters = zeroCounters();
  private readonly changes = new Subject<AppliedChange>();
  private readonly status = new BehaviorSubject<SyncStatus>({
    state: "idle",
    cursor: null,
    pushing: false,
    error: null,
    retryInMs: null,
  });
  private readonly progress = new Subject<SyncProgress>();
  private readonly requests = new Subject<Kind>();
  private readonly finished = new Subject<{ kind: Kind; covers: number }>();
  private readonly requested: Record<Kind, number> = { pull: 0, push: 0 };
  private readonly done: Record<Kind, number> = { pull: 0, push: 0 };
  private readonly failures: Record<Kind, number> = { pull: 0, push: 0 };
  private readonly lastErrors: Record<Kind, unknown> = { pull: null, push: null };
  private readonly local: LocalState;
  private readonly random: Random;
  private subscriptions: Subscription[] = [];
  private abort = new AbortController();
  private started = false;
  private connected = false;
  private pulling = false;

  constructor(private readonly options: SyncEngineOptions) {
    this.local = new LocalState(options.files, options.transfers);
    this.random = options.random ?? cryptoRandom;
    this.changes$ = this.changes.asObservable();
    this.status$ = this.status.asObservable();
    this.progress$ = this.progress.asObservable();
    // The lane lives as long as the engine, so one-shot pulls and pushes work without start().
    this.requests
      .pipe(
        tap(() => this.counterValues.hints++),
        coalescingLane<Kind>(
          ["pull", "push"],
          (kind) => this.run(kind),
          () => this.counterValues.coalescedHints++,
        ),
      )
      .subscribe();
  }

  /** A snapshot of the counters. */
  counters(): SyncCounters {
    return { ...this.counterValues };
  }

  get currentStatus(): SyncStatus {
    return this.status.value;
  }

  /** The error of the latest pull or push if it failed (the same run's later success clears it), else null. */
  get failure(): unknown {
    return this.lastErrors.pull ?? this.lastErrors.push;
  }

  /** Catch up, then follow the change stream (and watch local files when pushing). */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.setStatus({ cursor: await this.options.store.readCursor() });
    // Follow the stream only once the first catch-up pull has finished.
    this.subscriptions.push(
      this.finished
        .pipe(
          filter((event) => event.kind === "pull"),
          take(1),
        )
        .subscribe(() => {
          if (this.started) this.subscriptions.push(this.follow().subscribe());
        }),
    );
    if (this.pushes) this.subscriptions.push(this.watchLocal().subscribe(() => this.request("push")));
    this.request("pull");
    if (this.pushes) this.request("push");
  }

  /**
   * Stop following and watching and abort the running task (it is retried from the cursor next
   * time). `pullNow`/`pushNow` still work afterwards, for one-shot syncs.
   */
  stop(): void {
    this.started = false;
    this.abort.abort(new SyncStoppedError());
    this.abort = new AbortController();
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    this.subscriptions = [];
    this.connected = false;
    this.setStatus({ state: "idle", retryInMs: null });
  }

  /** Resolves once a pull that started after this call has finished (tests, `sync --once`). */
  pullNow(): Promise<void> {
    return this.requestAndWait("pull");
  }

  /** Resolves once a scan-and-upload pass that started after this call has finished. */
  pushNow(): Promise<void> {
    return this.requestAndWait("push");
  }

  /** Pull, push, and pull again until neither side has anything left to tell the other. */
  async settle(maxRounds = 5): Promise<void> {
    for (let round = 0; round < maxRounds; round++) {
      const before = this.counters();
      await this.pullNow();
      if (this.pushes) await this.pushNow();
      await this.pullNow();
      const after = this.counters();
      const quiet =
        after.uploads === before.uploads &&
        after.remoteDeletes === before.remoteDeletes &&
        after.remoteMoves === before.remoteMoves &&
        after.downloads === before.downloads &&
        after.errors === before.errors;
      if (quiet) return;
    }
  }

  private get pushes(): boolean {
    return this.options.push !== false;
  }

  private request(kind: Kind): void {
    this.requested[kind]++;
    this.requests.next(kind);
  }

  private async requestAndWait(kind: Kind): Promise<void> {
    this.request(kind);
    const wanted = this.requested[kind];
    if (this.done[kind] >= wanted) return;
    await firstValueFrom(this.finished.pipe(filter((event) => event.kind === kind && event.covers >= wanted)));
  }

  private async run(kind: Kind): Promise<void> {
    const covers = this.requested[kind];
    const signal = this.abort.signal;
    try {
      if (kind === "pull") await this.pull();
      else await this.push();
      this.failures[kind] = 0;
      this.lastErrors[kind] = null;
    } catch (error) {
      if (signal.aborted) return; // stopped: not a failure, and not retried
      this.counterValues.errors++;
      this.lastErrors[kind] = error;
      const retryInMs = backoffDelay(++this.failures[kind], this.random);
      const message = error instanceof Error ? error.message : String(error);
      // Retries are scheduled only while started; a one-shot pull or push just reports.
      this.setStatus({ state: "error", error: message, retryInMs: this.started ? retryInMs : null });
      if (this.started) this.subscriptions.push(timer(retryInMs).subscribe(() => this.request(kind)));
    } finally {
      this.done[kind] = Math.max(this.done[kind], covers);
      this.finished.next({ kind, covers });
    }
  }

  private async pull(): Promise<void> {
    this.pulling = true;
    this.setStatus({ state: "pulling", error: null, retryInMs: null });
    this.counterValues.pulls++;
    const gone: RemoteChange[] = [];
    try {
      for (;;) {
        this.abort.signal.throwIfAborted();
        const cursor = await this.options.store.readCursor();
        const page = await this.options.feed.changes(cursor, this.abort.signal);
        const result = await applyPage(this.deps(), page);
        gone.push(...result.gone);
        this.counterValues.pages++;
        this.counterValues.changesApplied += result.applied.length;
        this.setStatus({ cursor: page.cursor });
        for (const { change, actions } of result.applied) {
          this.changes.next({ change, actions: actions.map((action) => action.type), cursor: page.cursor });
        }
        if (!page.hasMore) break;
      }
      if (gone.length > 0) await recheckGone(this.deps(), gone);
    } finally {
      this.pulling = false;
    }
    this.setStatus({ state: this.restingState() });
  }

  private async push(): Promise<void> {
    this.counterValues.pushes++;
    this.setStatus({ pushing: true });
    try {
      const result = await pushLocal({ ...this.deps(), commands: this.options.commands });
      if (result.needsPull) this.request("pull");
      if (this.status.value.state === "error") this.setStatus({ state: this.restingState(), error: null, retryInMs: null });
    } finally {
      this.setStatus({ pushing: false });
    }
  }

  private deps() {
    return {
      store: this.options.store,
      files: this.options.files,
      transfers: this.options.transfers,
      local: this.local,
      counters: this.counterValues,
      context: () => ({ now: (this.options.now ?? (() => new Date().toISOString()))(), clientId: this.options.clientId }),
      progress: (event: SyncProgress) => this.progress.next(event),
      signal: this.abort.signal,
    };
  }

  /** The change stream, reconnected with backoff; every (re)connect and notice asks for a pull. */
  private follow(): Observable<unknown> {
    let attempts = 0;
    const reconnectDelay = () => {
      this.connected = false;
      this.counterValues.reconnects++;
      const retryInMs = backoffDelay(++attempts, this.random);
      this.setStatus({ state: this.pulling ? "pulling" : "reconnecting", retryInMs });
      return timer(retryInMs);
    };
    return defer(() => this.options.feed.notices(this.status.value.cursor)).pipe(
      tap((notice) => {
        if (notice === "open") {
          attempts = 0;
          this.connected = true;
          if (!this.pulling && this.status.value.state !== "error") this.setStatus({ state: "live", retryInMs: null });
          // Notices sent while we were away are lost: one pull covers them.
          this.request("pull");
        } else if (notice.cursor !== this.status.value.cursor) {
          this.request("pull");
        } else {
          this.counterValues.hints++;
          this.counterValues.coalescedHints++;
        }
      }),
      repeat({ delay: reconnectDelay }),
      retry({ delay: reconnectDelay }),
    );
  }

  private watchLocal(): Observable<unknown> {
    const sources: Observable<unknown>[] = [];
    const watched = this.options.files.changes?.();
    if (watched) sources.push(watched);
    const every = this.options.rescanIntervalMs ?? 0;
    if (every > 0) sources.push(interval(every));
    // Coalesce a burst of watcher events into one scan after the writes settle.
    return merge(...sources).pipe(debounceTime(this.options.settleMs ?? 300));
  }

  /** The state to show when nothing failed: live when the stream is up. */
  private restingState(): SyncStatus["state"] {
    return this.connected ? "live" : this.started ? "reconnecting" : "idle";
  }

  private setStatus(patch: Partial<SyncStatus>): void {
    this.status.next({ ...this.status.value, ...patch });
  }
}

export class SyncStoppedError extends Error {
  override readonly name = "SyncStoppedError";
  constructor() {
    super("the sync engine was stopped");
  }
}

export const createSyncEngine = (options: SyncEngineOptions): SyncEngine => new SyncEngine(options);
