export type Outcome<R> = { readonly ok: true; readonly value: R } | { readonly ok: false; readonly error: unknown };

interface Pending<T, R> {
  readonly item: T;
  readonly resolve: (value: R) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Collects the requests submitted during one turn of the event loop and hands them to `commit`
 * together, so they share one transaction and one fsync. `commit` returns one outcome per item
 * (a failed item rejects alone); if it throws, the whole group failed and every item rejects.
 * Callers are answered only after `commit` returns, i.e. after the transaction is durable.
 */
export interface GroupCommit<T, R> {
  submit(item: T): Promise<R>;
  /** Commits whatever is waiting now, e.g. before the database closes. */
  flush(): void;
}

export function groupCommit<T, R>(commit: (items: readonly T[]) => Outcome<R>[]): GroupCommit<T, R> {
  let pending: Pending<T, R>[] = [];

  const flush = (): void => {
    const group = pending;
    if (group.length === 0) return;
    pending = [];
    let outcomes: Outcome<R>[];
    try {
      outcomes = commit(group.map((entry) => entry.item));
    } catch (error) {
      for (const entry of group) entry.reject(error);
      return;
    }
    group.forEach((entry, i) => {
      const outcome = outcomes[i];
      if (!outcome) entry.reject(new Error("group commit returned no outcome for a request"));
      else if (outcome.ok) entry.resolve(outcome.value);
      else entry.reject(outcome.error);
    });
  };

  return {
    submit: (item) =>
      new Promise<R>((resolve, reject) => {
        // setImmediate, not a microtask: it also gathers requests issued after awaits that settle in this turn.
        if (pending.length === 0) setImmediate(flush);
        pending.push({ item, resolve, reject });
      }),
    flush,
  };
}
