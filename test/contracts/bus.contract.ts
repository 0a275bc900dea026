import { randomUUID } from "node:crypto";
import type { Subscription } from "rxjs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type LogPosition, logPosition } from "../../domain/position.ts";
import type { Bus, ChangeNotice } from "../../infra/ports/bus.ts";

/**
 * The Bus contract, run against every adapter (in-memory, Kafka). Delivery may be asynchronous
 * and at-least-once, so cases wait for what they expect (with a deadline) and compare distinct
 * positions. A shared broker keeps other runs' notices, so every case uses fresh namespaces and
 * looks only at its own.
 */
export interface BusFixture {
  readonly bus: Bus;
  readonly cleanup: () => Promise<void>;
}

const DEADLINE_MS = 30_000;
const POLL_MS = 20;
/** How long "nothing arrives" is watched for, after a parallel subscriber proved delivery happened. */
const QUIET_MS = 500;

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const freshNamespace = (label: string): string => `contract-${label}-${randomUUID()}`;
const notice = (namespace: string, n: number): ChangeNotice => ({ namespace, position: logPosition(BigInt(n)) });

/** One subscriber's view of the bus: everything it has received so far. */
interface Listener {
  readonly received: ChangeNotice[];
  readonly subscription: Subscription;
  /** Distinct positions received for `namespace`, in first-arrival order. */
  positions(namespace: string): LogPosition[];
}

function listen(bus: Bus): Listener {
  const received: ChangeNotice[] = [];
  const subscription = bus.notices().subscribe((n) => received.push(n));
  return {
    received,
    subscription,
    positions: (namespace) => [...new Set(received.filter((n) => n.namespace === namespace).map((n) => n.position))],
  };
}

async function until(what: string, condition: () => boolean, deadlineMs = DEADLINE_MS): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}`);
    await wait(POLL_MS);
  }
}

/**
 * "Published from now on" starts when the subscription is live, which for a broker is some time
 * after subscribe() returns. Probing until every listener hears a probe pins that moment down.
 */
async function warmUp(bus: Bus, listeners: readonly Listener[]): Promise<void> {
  const namespace = freshNamespace("probe");
  let n = 0;
  const heard = (): boolean => listeners.every((l) => l.positions(namespace).length > 0);
  const deadline = Date.now() + DEADLINE_MS;
  while (!heard()) {
    if (Date.now() > deadline) throw new Error(`no probe notice reached every subscriber within ${DEADLINE_MS} ms`);
    await bus.publish([notice(namespace, ++n)]);
    await until("a probe", heard, 250).catch(() => undefined);
  }
}

export function busContract(adapterName: string, open: () => Promise<BusFixture>): void {
  describe(`Bus contract: ${adapterName}`, { timeout: 90_000 }, () => {
    let fixture: BusFixture;
    const listeners: Listener[] = [];
    beforeAll(async () => {
      fixture = await open();
    });
    afterAll(async () => {
      for (const l of listeners) l.subscription.unsubscribe();
      await fixture?.cleanup();
    });
    const subscribe = (): Listener => {
      const l = listen(fixture.bus);
      listeners.push(l);
      return l;
    };

    test("a subscriber receives published notices", async () => {
      const l = subscribe();
      await warmUp(fixture.bus, [l]);
      const namespace = freshNamespace("one");
      await fixture.bus.publish([notice(namespace, 1), notice(namespace, 2)]);
      await until("both notices", () => l.positions(namespace).length === 2);
      expect(l.received.filter((n) => n.namespace === namespace)).toEqual(
        expect.arrayContaining([notice(namespace, 1), notice(namespace, 2)]),
      );
      l.subscription.unsubscribe();
    });

    test("every subscriber receives every notice", async () => {
      const a = subscribe();
      const b = subscribe();
      await warmUp(fixture.bus, [a, b]);
      const namespace = freshNamespace("two");
      const published = [1, 2, 3].map((n) => notice(namespace, n));
      await fixture.bus.publish(published);
      const expected = published.map((n) => n.position);
      await until(
        "all notices at both subscribers",
        () => a.positions(namespace).length === 3 && b.positions(namespace).length === 3,
      );
      expect(a.positions(namespace)).toEqual(expected);
      expect(b.positions(namespace)).toEqual(expected);
      a.subscription.unsubscribe();
      b.subscription.unsubscribe();
    });

    test("notices of one namespace arrive in publish order", async () => {
      const l = subscribe();
      await warmUp(fixture.bus, [l]);
      const namespace = freshNamespace("order");
      const elsewhere = freshNamespace("interleaved");
      // One batch, then single publishes interleaved with another namespace's notices.
      const batch = Array.from({ length: 20 }, (_, i) => notice(namespace, i + 1));
      await fixture.bus.publish(batch);
      const singles: ChangeNotice[] = [];
      for (let i = 21; i <= 30; i++) {
        singles.push(notice(namespace, i));
        await fixture.bus.publish([notice(namespace, i), notice(elsewhere, i)]);
      }
      const expected = [...batch, ...singles].map((n) => n.position);
      await until("all 30 notices", () => l.positions(namespace).length === expected.length);
      expect(l.positions(namespace)).toEqual(expected);
      l.subscription.unsubscribe();
    });

    test("after unsubscribing, nothing more arrives", async () => {
      const leaving = subscribe();
      const staying = subscribe();
      await warmUp(fixture.bus, [leaving, staying]);
      leaving.subscription.unsubscribe();
      const namespace = freshNamespace("after");
      await fixture.bus.publish([notice(namespace, 1)]);
      // The staying subscriber proves the notice was delivered; then give stragglers a moment.
      await until("the notice at the staying subscriber", () => staying.positions(namespace).length === 1);
      await wait(QUIET_MS);
      expect(leaving.positions(namespace)).toEqual([]);
      staying.subscription.unsubscribe();
    });
  });
}
