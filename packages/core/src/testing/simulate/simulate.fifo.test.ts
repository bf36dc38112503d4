import { describe, expect, it } from "vitest";
import type { ConsumerMessage, HandlerContext } from "../../consumer/types.js";
import { InvalidOptionError } from "../../errors.js";
import { MemoryIdempotencyStore } from "../../idempotency/MemoryIdempotencyStore.js";
import { makeIdempotent } from "../../idempotency/makeIdempotent.js";
import { GroupWatch, groupOrderViolations } from "./groupOrder.js";
import type { SimulationRun } from "./report.js";
import { simulate } from "./simulate.js";
import { simulateMany } from "./simulateMany.js";
import type { SimMessage, SimulateOptions, SimulationKit } from "./simulateOptions.js";
import { EventTrace } from "./trace.js";

/** A ledger entry: the nth entry of an account, which must be applied in order. */
interface Entry {
  readonly account: string;
  readonly seq: number;
}

/** `per` entries for each of `accounts` accounts, interleaved; the account is the message group. */
const entries = (accounts: number, per: number): SimMessage[] =>
  Array.from({ length: accounts * per }, (_, i) => {
    const account = `acct-${(i % accounts) + 1}`;
    return { body: { account, seq: Math.floor(i / accounts) + 1 }, groupId: account };
  });

const keyOf = (entry: Entry) => `entry:${entry.account}:${entry.seq}`;

/** A correct handler: applies each entry once (idempotent on the entry), 1 to 3 s of work. */
const applyInOrder = (kit: SimulationKit) => {
  const store = kit.external("idempotency", () => new MemoryIdempotencyStore({ clock: kit.clock }));
  const apply = makeIdempotent(
    async (message: ConsumerMessage<Entry>, signal: AbortSignal) => {
      await kit.clock.sleep(1_000 + Math.floor(kit.random() * 2_000), signal);
      kit.effect(keyOf(message.body), message);
    },
    { store, key: (message) => keyOf(message.body), clock: kit.clock, random: kit.random },
  );
  return (message: ConsumerMessage<Entry>, context: HandlerContext) => apply(message, context.signal);
};

/**
 * The planted bug, a real one: when the database is down the handler does not throw but retries the write in
 * the background and returns, so the consumer acks it and starts the next entry of the account, which can be
 * applied before the retried one.
 */
const retryInBackground = (kit: SimulationKit) => async (message: ConsumerMessage<Entry>, context: HandlerContext) => {
  const applied = kit.external("ledger", () => new Set<string>());
  const key = keyOf(message.body);
  const write = () => {
    kit.dependency();
    if (applied.has(key)) return;
    applied.add(key);
    kit.effect(key, message);
  };
  await kit.clock.sleep(500, context.signal);
  try {
    write();
  } catch {
    void (async () => {
      for (;;) {
        await kit.clock.sleep(2_000);
        try {
          return write();
        } catch {}
      }
    })();
  }
};

const redeliveries = {
  visibilityExpiry: 0.1,
  ackFailure: 0.1,
  receiveError: 0.05,
  crash: { probability: 0.05 },
} as const;

const ledgerRun = {
  queue: { fifo: true },
  messages: entries(3, 6),
  consumer: { concurrency: 4 },
  faults: redeliveries,
} satisfies Omit<SimulateOptions<Entry>, "seed" | "handler">;

describe("simulate on a FIFO queue", () => {
  it("keeps each group's order under crashes, visibility expiries and failed deletes, across 200 seeds", async () => {
    const { runs, failure } = await simulateMany<Entry>({ ...ledgerRun, runs: 200, handler: applyInOrder });

    expect(failure?.report()).toBeUndefined();
    expect(runs).toBe(200);
  });

  it("checks groupOrder on every FIFO run, over runs that do redeliver", async () => {
    const result = await simulate<Entry>({ ...ledgerRun, seed: 1, handler: applyInOrder });

    result.assertOk();
    expect(result.fifo).toBe(true);
    expect(result.messages.map((m) => m.groupId)).toEqual(ledgerRun.messages.map((m) => m.groupId));
    expect(result.processes).toBeGreaterThan(1); // crashes happened
    expect(result.messages.some((m) => m.deliveries > 1)).toBe(true);
    expect(result.effects.filter((e) => e.counted)).toHaveLength(ledgerRun.messages.length);
  });

  it("finds a handler that lets an account's next entry be applied before a failed one it retries in the background", async () => {
    const { failure } = await simulateMany<Entry>({
      ...ledgerRun,
      runs: 200,
      faults: { ...redeliveries, outage: { durationMs: 3_000, withinMs: 8_000 } },
      handler: retryInBackground,
    });

    expect(failure?.violations.map((v) => v.invariant)).toEqual(["groupOrder"]);
    const report = failure?.report() ?? "";
    expect(report).toContain(`seed ${failure?.seed}`);
    expect(report).toMatch(
      /groupOrder: group "acct-\d": expected the first effect of (m-\d+) next \(sent before (m-\d+)\), got \2's/,
    );
    expect(report).toMatch(/started/);
    expect(report).toMatch(/outageStarted/);
  });

  it("acks may leave send order on a correct consumer (why groupOrder judges effects)", async () => {
    // m-0001's delete fails after it succeeded; the consumer has moved on to m-0002, whose ack lands first.
    const firstAcks = (run: SimulationRun) => run.events.filter((e) => e.type === "acked").map((e) => e.message);
    const ackedInSendOrder = (run: SimulationRun) => {
      const acks = [...new Set(firstAcks(run))];
      return acks.join() === [...acks].sort().join() ? undefined : `first acks: ${acks.join(", ")}`;
    };

    const { failure } = await simulateMany<Entry>({
      queue: { fifo: true },
      messages: entries(1, 4),
      faults: { ackFailure: 0.3 },
      invariants: [ackedInSendOrder],
      runs: 50,
      handler: applyInOrder,
    });

    expect(failure?.violations.map((v) => v.invariant)).toEqual(["ackedInSendOrder"]);
  });

  it("replays a FIFO seed exactly: two runs of one seed give the same event log, byte for byte", async () => {
    const first = await simulate<Entry>({ ...ledgerRun, seed: 77, handler: applyInOrder });
    const second = await simulate<Entry>({ ...ledgerRun, seed: 77, handler: applyInOrder });
    const other = await simulate<Entry>({ ...ledgerRun, seed: 78, handler: applyInOrder });

    expect(first.events.filter((e) => e.type === "started").length).toBeGreaterThanOrEqual(18);
    expect(second.log()).toBe(first.log());
    expect(other.log()).not.toBe(first.log());
  });

  it("logs handler starts on FIFO queues only, so standard runs keep their logs", async () => {
    const { groupId: _, ...standard } = ledgerRun.messages[0] as SimMessage;
    const result = await simulate<Entry>({ seed: 1, messages: [standard], handler: applyInOrder });

    expect(result.events.map((e) => e.type)).not.toContain("started");
    expect(result.fifo).toBeUndefined();
  });
});

describe("simulate's FIFO options", () => {
  const base = { seed: 1, handler: applyInOrder };
  /** The option the error names, with its message; undefined when the run starts. */
  const optionOf = async (options: SimulateOptions<Entry>): Promise<string | undefined> => {
    try {
      await simulate<Entry>(options);
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidOptionError);
      return `${(error as InvalidOptionError).option}: ${(error as Error).message}`;
    }
    return undefined;
  };

  it("needs a groupId on every message of a FIFO queue, and refuses one on a standard queue", async () => {
    const messages = [{ body: 1, groupId: "a" }, { body: 2 }];

    expect(await optionOf({ ...base, queue: { fifo: true }, messages })).toMatch(
      /^messages\[1\]\.groupId: .*message group id/,
    );
    expect(await optionOf({ ...base, messages })).toMatch(/^messages\[0\]\.groupId: .*queue: \{ fifo: true \}/);
    expect(await optionOf({ ...base, queue: { fifo: true }, messages: [{ body: 1, groupId: "" }] })).toMatch(
      /^messages\[0\]\.groupId/,
    );
  });

  it("refuses the duplicate fault, a delay and a non-boolean fifo", async () => {
    const messages = [{ body: 1, groupId: "a" }];

    expect(await optionOf({ ...base, queue: { fifo: true }, messages, faults: { duplicate: 0.1 } })).toMatch(
      /^faults\.duplicate: .*SQS FIFO does not deliver a message twice/,
    );
    expect(await optionOf({ ...base, queue: { fifo: true }, messages, faults: { duplicate: 0 } })).toBeUndefined();
    expect(
      await optionOf({ ...base, queue: { fifo: true }, messages: [{ body: 1, groupId: "a", delayMs: 5 }] }),
    ).toMatch(/^messages\[0\]\.delayMs/);
    expect(await optionOf({ ...base, queue: { fifo: "yes" as unknown as boolean }, messages })).toMatch(/^queue\.fifo/);
  });

  it("refuses groupOrder on a standard queue, where it would check nothing", async () => {
    expect(await optionOf({ ...base, messages: [{ body: 1 }], invariants: ["ackedHasEffect", "groupOrder"] })).toMatch(
      /^invariants\[1\]: .*needs `queue\.fifo`/,
    );
  });
});

describe("groupOrder's watch on handlers", () => {
  const message = (name: string, groupId: string) =>
    ({ id: name, groupId, attributes: { "x-simulation-message": name } }) as unknown as ConsumerMessage<unknown>;
  const started = () => {
    let finish: () => void = () => {};
    const done = new Promise<void>((resolve) => (finish = resolve));
    return { done, finish };
  };

  it("notes a handler of a group starting while another of that group runs in the same process", async () => {
    const watch = new GroupWatch(
      new EventTrace(() => 0),
      { elapsedMs: 5 },
      { nameOf: (m) => m.attributes["x-simulation-message"] },
    );
    const first = started();
    const handler = watch.wrap(
      1,
      () => true,
      () => first.done,
    );
    const second = watch.wrap(
      2,
      () => true,
      async () => {},
    );
    const signal = () => ({ signal: new AbortController().signal }) as never;

    const running = handler(message("m-0001", "a"), signal());
    await second(message("m-0002", "a"), signal()); // another process: fine
    await watch.wrap(
      1,
      () => true,
      async () => {},
    )(message("m-0003", "b"), signal()); // another group: fine
    await watch.wrap(
      1,
      () => true,
      async () => {},
    )(message("m-0004", "a"), signal());
    first.finish();
    await running;
    await watch.wrap(
      1,
      () => true,
      async () => {},
    )(message("m-0005", "a"), signal()); // after it ended: fine

    expect(watch.overlaps).toEqual([{ at: 5, process: 1, group: "a", running: "m-0001", started: "m-0004" }]);
    const run = { messages: [], effects: [], groupOverlaps: watch.overlaps } as unknown as SimulationRun;
    expect(groupOrderViolations(run).map((v) => v.description)).toEqual([
      `group "a": m-0004's handler started in process 1 while m-0001's still ran`,
    ]);
  });

  it("counts a handler whose signal fired as ended (the consumer moved on; its effects are judged)", async () => {
    const watch = new GroupWatch(
      new EventTrace(() => 0),
      { elapsedMs: 0 },
      { nameOf: (m) => m.attributes["x-simulation-message"] },
    );
    const controller = new AbortController();
    const ignoresSignal = started();
    const running = watch.wrap(
      1,
      () => true,
      () => ignoresSignal.done,
    )(message("m-0001", "a"), {
      signal: controller.signal,
    } as never);

    controller.abort();
    await watch.wrap(
      1,
      () => true,
      async () => {},
    )(message("m-0002", "a"), { signal: new AbortController().signal } as never);
    ignoresSignal.finish();
    await running;

    expect(watch.overlaps).toEqual([]);
  });
});
