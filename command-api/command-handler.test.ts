import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { DomainFailure, type EventMetadata, fail, ok } from "../domain/index.ts";
import type { EventStore } from "../infra/ports/index.ts";
import { openSqliteEventStore } from "../infra/sqlite/event-store.ts";
import { sqliteTempDir } from "../test/support/sqlite-temp.ts";
import { type Aggregate, foldEach } from "./aggregate.ts";
import { CommandHandler } from "./command-handler.ts";

/** A set of items that can be closed: the shape of an upload's chunk confirmations, small enough to read. */
type State = { readonly closed: boolean; readonly items: readonly number[] };
type Event = { type: "Added"; data: { item: number } } | { type: "Closed"; data: null };
type Command = { type: "Add"; item: number; stored: boolean } | { type: "Close" };

const bag: Aggregate<State, Command, Event> = {
  name: "bag",
  initialState: { closed: false, items: [] },
  fold: foldEach((state, event) =>
    event.type === "Added" ? { ...state, items: [...state.items, event.data.item] } : { ...state, closed: true },
  ),
  decide: (state, command) => {
    if (command.type === "Close") return ok<Event[]>(state.closed ? [] : [{ type: "Closed", data: null }]);
    if (state.closed) return fail("upload_not_open", "closed");
    if (state.items.includes(command.item)) return ok<Event[]>([]);
    if (!command.stored) return fail("chunk_not_found", "not stored");
    return ok<Event[]>([{ type: "Added", data: { item: command.item } }]);
  },
  read: "all",
};

const metadata = {
  actor: "u",
  namespace: "ns",
  clientId: "c",
  correlationId: "x",
  at: "2026-11-24T00:00:00.000Z",
} as EventMetadata;

/** Counts the stream reads a handler makes. */
function counting(store: EventStore): EventStore & { reads: number } {
  const counted = Object.create(store) as EventStore & { reads: number };
  counted.reads = 0;
  counted.readStream = (...args) => {
    counted.reads++;
    return store.readStream(...args);
  };
  return counted;
}

describe("command handler", () => {
  let temp: Awaited<ReturnType<typeof sqliteTempDir>>;
  let store: EventStore;
  // Two handlers on one store stand for two command-API processes sharing the log.
  let here: CommandHandler;
  let elsewhere: CommandHandler;
  let counted: ReturnType<typeof counting>;
  beforeEach(async () => {
    temp = await sqliteTempDir();
    store = openSqliteEventStore(temp.file("events.db"));
    counted = counting(store);
    here = new CommandHandler(counted);
    elsewhere = new CommandHandler(store);
  });
  afterEach(async () => {
    await store.close();
    await temp.remove();
  });

  const add = (handler: CommandHandler, item: number, stored = true) =>
    handler.execute(bag, "bag-1", () => ({ type: "Add" as const, item, stored }), metadata);
  const items = async () => (await store.readStream("bag-1")).map((event) => (event.data as { item?: number }).item);

  test("commands that append on a stream this process knows read nothing from the store", async () => {
    await add(here, 0);
    const reads = counted.reads;
    for (let item = 1; item <= 5; item++) await add(here, item);
    expect(counted.reads).toBe(reads);
    expect(await items()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  test("an append from a state another process has moved on is refused by the store and decided again", async () => {
    await add(here, 0);
    await add(elsewhere, 1);
    const outcome = await add(here, 2);
    expect(outcome.state.items).toEqual([0, 1, 2]);
    expect(here.stats.conflicts).toBe(1);
    expect(await items()).toEqual([0, 1, 2]);
  });

  test("a refusal is never made from a stale state: it is decided again on the stream as it is", async () => {
    await add(here, 0);
    await add(elsewhere, 1);
    // Here, item 1 looks missing and not stored; elsewhere it was already added.
    const outcome = await add(here, 1, false);
    expect(outcome.appended).toEqual([]);
    expect(outcome.state.items).toEqual([0, 1]);
  });

  test("an answer that appends nothing is never made from a stale state either", async () => {
    await add(here, 0);
    await elsewhere.execute(bag, "bag-1", () => ({ type: "Close" as const }), metadata);
    // Here, item 0 looks already added (nothing to do); the bag was closed elsewhere since.
    const error = await add(here, 0).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainFailure);
    expect((error as DomainFailure).error.code).toBe("upload_not_open");
  });

  test("a refusal thrown while preparing is also checked against the stream as it is", async () => {
    await add(here, 0);
    await add(elsewhere, 1);
    const seen: number[][] = [];
    const outcome = await here.execute(
      bag,
      "bag-1",
      ({ state }) => {
        seen.push([...state.items]);
        if (!state.items.includes(1)) throw new DomainFailure({ code: "upload_not_found", message: "not yet" });
        return { type: "Add" as const, item: 2, stored: true };
      },
      metadata,
    );
    expect(seen).toEqual([[0], [0, 1]]);
    expect(outcome.state.items).toEqual([0, 1, 2]);
  });
});
