import { Observable, type OperatorFunction } from "rxjs";

/**
 * Runs one task at a time and coalesces requests that arrive meanwhile: however many "pull"
 * hints come in while a pull runs, exactly one more pull follows it. A hint is a reason to look,
 * not a unit of work, so dropping duplicates loses nothing and a burst of notices costs one pull.
 * Kinds earlier in `priority` run first (a pull before a push, so uploads see the newest base).
 * Each emitted value is the kind that finished; `onCoalesced` counts requests that were folded in.
 */
export function coalescingLane<K>(
  priority: readonly K[],
  run: (kind: K) => Promise<void>,
  onCoalesced: (kind: K) => void = () => {},
): OperatorFunction<K, K> {
  return (requests) =>
    new Observable<K>((subscriber) => {
      const pending = new Set<K>();
      let busy = false;
      let sourceDone = false;

      const drain = (): void => {
        if (busy) return;
        const kind = priority.find((candidate) => pending.has(candidate));
        if (kind === undefined) {
          if (sourceDone) subscriber.complete();
          return;
        }
        pending.delete(kind);
        busy = true;
        run(kind).then(
          () => {
            busy = false;
            subscriber.next(kind);
            drain();
          },
          (error: unknown) => subscriber.error(error),
        );
      };

      const subscription = requests.subscribe({
        next: (kind) => {
          if (pending.has(kind)) onCoalesced(kind);
          pending.add(kind);
          drain();
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          sourceDone = true;
          drain();
        },
      });
      return () => subscription.unsubscribe();
    });
}
