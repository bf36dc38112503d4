import { describe, expect, it } from "vitest";
import { VirtualClock } from "../testing/VirtualClock.js";
import type { IdempotencyRecord } from "./IdempotencyStore.js";
import { MemoryIdempotencyStore } from "./MemoryIdempotencyStore.js";
import { makeIdempotent } from "./makeIdempotent.js";
import { IdempotencyRecordRejectedError, IdempotencyStoreUnavailableError } from "./storeErrors.js";

/** A memory store whose writes of COMPLETED records fail while `down` says so, with `makeError`'s error. */
function storeWithFailingCompletions(
  clock: VirtualClock,
  down: (now: number) => boolean,
  makeError = () => new IdempotencyStoreUnavailableError("update", "idempotency table unreachable (test)"),
) {
  const store = new MemoryIdempotencyStore({ clock });
  const update = store.update.bind(store);
  const failedWrites: number[] = [];
  store.update = async (record: IdempotencyRecord) => {
    if (down(clock.now())) {
      failedWrites.push(clock.now());
      throw makeError();
    }
    return update(record);
  };
  return { store, failedWrites };
}

/** `charge` under makeIdempotent with a 60 s lease, counting the charges it really makes. */
function idempotentCharge(clock: VirtualClock, store: MemoryIdempotencyStore) {
  let charges = 0;
  const charge = makeIdempotent(
    async (order: { id: string }) => {
      charges += 1;
      return { charged: order.id };
    },
    { store, key: (order) => order.id, inProgressTtlSeconds: 60, clock, random: () => 0.5 },
  );
  return { charge, charges: () => charges };
}

describe("writing the result after the effect ran", () => {
  it("writes it again while the table is briefly down, so a redelivery replays instead of charging again", async () => {
    const clock = new VirtualClock();
    const outageEndsAt = clock.now() + 20_000;
    const { store, failedWrites } = storeWithFailingCompletions(clock, (now) => now < outageEndsAt);
    const { charge, charges } = idempotentCharge(clock, store);

    const first = charge({ id: "o-1" });
    await clock.runUntilIdle();

    await expect(first).resolves.toEqual({ charged: "o-1" });
    expect(failedWrites.length).toBeGreaterThan(3);
    // The waits grow: the writes do not hammer a table that is down.
    expect(failedWrites.at(-1)! - failedWrites.at(-2)!).toBeGreaterThan(failedWrites[1]! - failedWrites[0]!);
    // A redelivery after the lease would have run the charge again; now it replays the stored result.
    await clock.advance(61_000);
    await expect(charge({ id: "o-1" })).resolves.toEqual({ charged: "o-1" });
    expect(charges()).toBe(1);
  });

  it("gives up before the lease ends when the outage outlasts it, with the store's error", async () => {
    const clock = new VirtualClock();
    const startedAt = clock.now();
    const { store, failedWrites } = storeWithFailingCompletions(clock, () => true);
    const { charge, charges } = idempotentCharge(clock, store);

    const first = charge({ id: "o-1" });
    const settled = first.catch((error: unknown) => error);
    await clock.runUntilIdle();

    expect(await settled).toBeInstanceOf(IdempotencyStoreUnavailableError);
    expect(charges()).toBe(1);
    // Every write started at least the margin (2 s) before the 60 s lease ends: none can land after another
    // call took the key over.
    expect(Math.max(...failedWrites) - startedAt).toBeLessThanOrEqual(58_000);
    expect(Math.max(...failedWrites) - startedAt).toBeGreaterThan(50_000);
  });

  it("writes no more once a wait ended past the lease (a frozen Lambda environment thawed later)", async () => {
    const clock = new VirtualClock();
    const { store, failedWrites } = storeWithFailingCompletions(clock, () => true);
    const { charge } = idempotentCharge(clock, store);

    const settled = charge({ id: "o-1" }).catch((error: unknown) => error);
    await clock.settle();
    expect(failedWrites).toHaveLength(1);
    clock.jump(120_000); // frozen through the rest of the lease: the pending wait fires late

    await clock.runUntilIdle();

    expect(await settled).toBeInstanceOf(IdempotencyStoreUnavailableError);
    expect(failedWrites).toHaveLength(1);
  });

  it("does not write again a record the store rejects (permanent)", async () => {
    const clock = new VirtualClock();
    const { store, failedWrites } = storeWithFailingCompletions(
      clock,
      () => true,
      () => new IdempotencyRecordRejectedError("update", "result over 400 KB (test)"),
    );
    const { charge } = idempotentCharge(clock, store);

    await expect(charge({ id: "o-1" })).rejects.toBeInstanceOf(IdempotencyRecordRejectedError);
    expect(failedWrites).toHaveLength(1);
  });
});
