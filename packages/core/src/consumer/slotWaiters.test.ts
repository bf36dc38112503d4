import { describe, expect, it } from "vitest";
import type { QueueMessage } from "../queue/MessageSource.js";
import { VirtualClock } from "../testing/VirtualClock.js";
import { SlotWaiters } from "./slotWaiters.js";

const message = (id: string): QueueMessage => ({
  id,
  body: "{}",
  attributes: {},
  receiveCount: 1,
  sentAt: 0,
  receiptHandle: `r-${id}`,
});

/** Waiters over one busy slot on a virtual clock, recording what started and what was handed back. */
function oneBusySlot(maxWaitMs: number) {
  const clock = new VirtualClock();
  let busy = 1;
  const started: string[] = [];
  const handedBack: string[] = [];
  const waiters = new SlotWaiters({
    limit: () => 1,
    busy: () => busy,
    now: () => clock.now(),
    maxWaitMs,
    start: (m) => {
      busy += 1;
      started.push(m.id);
    },
    handBack: (m) => handedBack.push(m.id),
    onExpired: () => {},
    after: (ms, fire) => {
      const timer = clock.setTimeout(fire, ms);
      return () => clock.clearTimeout(timer);
    },
  });
  /** The running handler finishes: its slot frees and the oldest waiting message takes it. */
  const finish = () => {
    busy -= 1;
    waiters.startWhileFree();
  };
  return { clock, waiters, started, handedBack, finish };
}

describe("SlotWaiters", () => {
  it("hands back a message that waited past its bound while its slot stayed busy", async () => {
    const w = oneBusySlot(100);
    w.waiters.add(message("m-1"), w.clock.now());

    await w.clock.advance(101);

    expect(w.handedBack).toEqual(["m-1"]);
    expect(w.waiters.size).toBe(0);
  });

  it("lets a slot that frees in the same instant as the bound start the message (a blocked event loop)", async () => {
    const w = oneBusySlot(100);
    w.waiters.add(message("m-1"), w.clock.now());
    // Due with the bound's check but queued after it: how a handler's finish (I/O) waits behind timers when the
    // loop was blocked. Judged at once, the message would go back though its slot was free.
    w.clock.setTimeout(w.finish, 100);

    await w.clock.advance(200);

    expect(w.handedBack).toEqual([]);
    expect(w.started).toEqual(["m-1"]);
  });

  it("judges the next waiting message on its own time once the oldest started", async () => {
    const w = oneBusySlot(100);
    w.waiters.add(message("m-1"), w.clock.now());
    await w.clock.advance(50);
    w.waiters.add(message("m-2"), w.clock.now());
    w.clock.setTimeout(w.finish, 50);

    await w.clock.advance(60); // t = 110: m-1 started at 100, m-2 has waited 60 ms
    expect(w.started).toEqual(["m-1"]);
    expect(w.handedBack).toEqual([]);

    await w.clock.advance(50); // t = 160: m-2 past its bound, its slot still busy
    expect(w.handedBack).toEqual(["m-2"]);
  });
});
