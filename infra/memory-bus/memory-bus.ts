import { type Observable, Subject } from "rxjs";
import type { Bus, ChangeNotice } from "../ports/bus.ts";

/** `publish` after `close`: the notices would reach nobody, which a caller should hear about. */
export class BusClosedError extends Error {
  override readonly name = "BusClosedError";
  constructor() {
    super("the bus is closed");
  }
}

/**
 * The embedded Bus for a single process. Delivery is synchronous and in publish order, to every
 * subscriber present at the time; nothing is kept for late subscribers, which matches the port
 * ("notices published from now on") and is safe because notices are only hints to pull.
 */
export function createMemoryBus(): Bus {
  const subject = new Subject<ChangeNotice>();
  let closed = false;
  return {
    async publish(notices) {
      if (closed) throw new BusClosedError();
      for (const notice of notices) subject.next(notice);
    },
    notices(): Observable<ChangeNotice> {
      // asObservable: subscribers can listen, never push into or complete the shared subject.
      return subject.asObservable();
    },
    async close() {
      if (closed) return;
      closed = true;
      subject.complete();
    },
  };
}
