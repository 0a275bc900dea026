import { Subject } from "rxjs";
import type { Bus, ChangeNotice } from "../../infra/ports/index.ts";

/** A Bus on an RxJS Subject that also keeps every notice, and can be told to fail publishes. */
export function subjectBus(options: { failPublishes?: number } = {}): Bus & { readonly published: ChangeNotice[] } {
  const subject = new Subject<ChangeNotice>();
  const published: ChangeNotice[] = [];
  let failures = options.failPublishes ?? 0;
  return {
    published,
    async publish(notices) {
      if (failures > 0) {
        failures--;
        throw new Error("bus unavailable (injected)");
      }
      for (const notice of notices) {
        published.push(notice);
        subject.next(notice);
      }
    },
    notices: () => subject.asObservable(),
    async close() {
      subject.complete();
    },
  };
}
