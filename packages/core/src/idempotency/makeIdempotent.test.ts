import { describe, expect, it, vi } from "vitest";
import {
  IdempotencyInProgressError,
  IdempotencyPayloadMismatchError,
  InvalidOptionError,
  PermanentError,
  TransientError,
} from "../errors.js";
import type { IdempotencyStore } from "./IdempotencyStore.js";
import { MemoryIdempotencyStore } from "./MemoryIdempotencyStore.js";
import { type MakeIdempotentOptions, makeIdempotent } from "./makeIdempotent.js";
import { hashPayload } from "./payloadHash.js";
import { IdempotencyStoreUnavailableError } from "./storeErrors.js";

interface Order {
  orderId: string;
  amount: number;
}

const START = 1_767_225_600_000;

function setup(options: Partial<MakeIdempotentOptions<[Order], { chargeId: string }>> = {}) {
  const clock = { now: START };
  const now = () => clock.now;
  const store = new MemoryIdempotencyStore({ now });
  let charges = 0;
  const charge = vi.fn(async (order: Order) => {
    charges += 1;
    return { chargeId: `ch-${order.orderId}-${charges}` };
  });
  const idempotentCharge = makeIdempotent(charge, { store, key: (order) => order.orderId, now, ...options });
  return { clock, store, charge, idempotentCharge };
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const order = { orderId: "o-1", amount: 4200 };

describe("makeIdempotent", () => {
  it("runs fn on the first call and records COMPLETED with its serialized result", async () => {
    const { store, charge, idempotentCharge } = setup();

    const result = await idempotentCharge(order);

    expect(result).toEqual({ chargeId: "ch-o-1-1" });
    expect(charge).toHaveBeenCalledTimes(1);
    expect(await store.get("o-1")).toEqual({
      key: "o-1",
      status: "COMPLETED",
      expiresAt: START + 3600_000,
      result: JSON.stringify({ chargeId: "ch-o-1-1" }),
    });
  });

  it("returns the stored result to a later call with the same key without running fn", async () => {
    const { charge, idempotentCharge } = setup();
    const first = await idempotentCharge(order);

    const second = await idempotentCharge(order);

    expect(second).toEqual(first);
    expect(charge).toHaveBeenCalledTimes(1);
  });

  it("runs fn once per distinct key", async () => {
    const { charge, idempotentCharge } = setup();

    await idempotentCharge(order);
    await idempotentCharge({ orderId: "o-2", amount: 1 });

    expect(charge).toHaveBeenCalledTimes(2);
  });

  it("holds the key IN_PROGRESS with a lease while fn runs", async () => {
    const gate = deferred<{ chargeId: string }>();
    const store = new MemoryIdempotencyStore({ now: () => START });
    const slow = makeIdempotentAround(store, () => gate.promise);

    const running = slow(order);
    await vi.waitFor(async () => expect(await store.get("o-1")).toBeDefined());

    expect(await store.get("o-1")).toEqual({
      key: "o-1",
      status: "IN_PROGRESS",
      expiresAt: START + 3600_000,
      inProgressExpiresAt: START + 60_000,
      inProgressStartedAt: START,
    });
    gate.resolve({ chargeId: "x" });
    await running;
  });

  it("rejects a call made while another holds the key with IdempotencyInProgressError, a TransientError", async () => {
    const gate = deferred<{ chargeId: string }>();
    const store = new MemoryIdempotencyStore({ now: () => START });
    const slow = makeIdempotentAround(store, () => gate.promise);
    const running = slow(order);

    const concurrent = slow(order).catch((err: unknown) => err);

    const err = await concurrent;
    expect(err).toBeInstanceOf(IdempotencyInProgressError);
    expect(err).toBeInstanceOf(TransientError);
    expect(err).toMatchObject({ code: "IDEMPOTENCY_IN_PROGRESS", key: "o-1" });
    gate.resolve({ chargeId: "x" });
    await expect(running).resolves.toEqual({ chargeId: "x" });
  });

  it("runs fn once when 25 calls with one key race; the others are told to retry, then get the result", async () => {
    const gate = deferred<void>();
    const { store } = setup();
    const fn = vi.fn(async (_o: Order) => {
      await gate.promise;
      return { chargeId: "ch-1" };
    });
    const idempotent = makeIdempotent(fn, { store, key: (o: Order) => o.orderId, now: () => START });

    const settled = Promise.allSettled(Array.from({ length: 25 }, () => idempotent(order)));
    await vi.waitFor(() => expect(fn).toHaveBeenCalled());
    gate.resolve();
    const outcomes = await settled;
    const retried = await idempotent(order);

    expect(fn).toHaveBeenCalledTimes(1);
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    const rejected = outcomes.flatMap((o) => (o.status === "rejected" ? [o.reason] : []));
    expect(rejected).toHaveLength(24);
    for (const reason of rejected) expect(reason).toBeInstanceOf(IdempotencyInProgressError);
    expect(retried).toEqual({ chargeId: "ch-1" });
  });

  it("lets a call take over a key whose IN_PROGRESS lease has run out", async () => {
    const stuck = deferred<{ chargeId: string }>();
    const clock = { now: START };
    const store = new MemoryIdempotencyStore({ now: () => clock.now });
    const fn = vi
      .fn<(o: Order) => Promise<{ chargeId: string }>>()
      .mockImplementationOnce(() => stuck.promise)
      .mockResolvedValueOnce({ chargeId: "takeover" });
    const idempotent = makeIdempotent(fn, {
      store,
      key: (o) => o.orderId,
      now: () => clock.now,
      inProgressTtlSeconds: 30,
    });
    void idempotent(order);
    await vi.waitFor(() => expect(fn).toHaveBeenCalledTimes(1));

    clock.now = START + 29_999;
    const early = await idempotent(order).catch((err: unknown) => err);
    clock.now = START + 30_000;
    const takeover = await idempotent(order);

    expect(early).toBeInstanceOf(IdempotencyInProgressError);
    // Never past the holder's lease: the key can be taken over then.
    expect(early).toMatchObject({ retryAfterMs: 1 });
    expect(takeover).toEqual({ chargeId: "takeover" });
    expect(fn).toHaveBeenCalledTimes(2);
  });

  it("asks an inProgressTtlSeconds function for the lease on each call, with the call's arguments", async () => {
    const gate = deferred<{ chargeId: string }>();
    const store = new MemoryIdempotencyStore({ now: () => START });
    const lease = vi.fn((o: Order) => o.amount / 1000);
    const idempotent = makeIdempotent((_o: Order) => gate.promise, {
      store,
      key: (o: Order) => o.orderId,
      now: () => START,
      inProgressTtlSeconds: lease,
    });

    const running = idempotent(order);
    await vi.waitFor(async () => expect(await store.get("o-1")).toBeDefined());

    expect(lease).toHaveBeenCalledWith(order);
    expect((await store.get("o-1"))?.inProgressExpiresAt).toBe(START + 4200);
    gate.resolve({ chargeId: "x" });
    await running;
  });

  it("keeps an IN_PROGRESS record at least as long as its lease when the lease outlasts ttlSeconds", async () => {
    const gate = deferred<{ chargeId: string }>();
    const store = new MemoryIdempotencyStore({ now: () => START });
    const idempotent = makeIdempotent((_o: Order) => gate.promise, {
      store,
      key: (o: Order) => o.orderId,
      now: () => START,
      ttlSeconds: 10,
      inProgressTtlSeconds: 900,
    });

    const running = idempotent(order);
    await vi.waitFor(async () => expect(await store.get("o-1")).toBeDefined());

    expect(await store.get("o-1")).toMatchObject({ expiresAt: START + 900_000, inProgressExpiresAt: START + 900_000 });
    gate.resolve({ chargeId: "x" });
    await running;
  });

  it("deletes the record when fn throws, rethrows fn's error, and lets a retry run fn again", async () => {
    const { store } = setup();
    const failure = new Error("payment provider said 503");
    const fn = vi.fn<(o: Order) => Promise<string>>().mockRejectedValueOnce(failure).mockResolvedValueOnce("charged");
    const idempotent = makeIdempotent(fn, { store, key: (o) => o.orderId, now: () => START });

    const first = await idempotent(order).catch((err: unknown) => err);
    const afterFailure = await store.get("o-1");
    const retry = await idempotent(order);

    expect(first).toBe(failure);
    expect(afterFailure).toBeUndefined();
    expect(retry).toBe("charged");
    expect(fn).toHaveBeenCalledTimes(2);
  });

  it("rethrows fn's error even when freeing the key fails too (the lease then runs out on its own)", async () => {
    const memory = new MemoryIdempotencyStore({ now: () => START });
    const store: IdempotencyStore = {
      putIfAbsent: (r, now) => memory.putIfAbsent(r, now),
      get: (k) => memory.get(k),
      update: (r) => memory.update(r),
      delete: async () => {
        throw new IdempotencyStoreUnavailableError("delete", "throttled");
      },
    };
    const failure = new Error("boom");
    const idempotent = makeIdempotent(
      async (_o: Order) => {
        throw failure;
      },
      { store, key: (o: Order) => o.orderId, now: () => START },
    );

    const err = await idempotent(order).catch((e: unknown) => e);

    expect(err).toBe(failure);
    expect(await memory.get("o-1")).toMatchObject({ status: "IN_PROGRESS", inProgressExpiresAt: START + 60_000 });
  });

  it("rejects the same key with a different payload with IdempotencyPayloadMismatchError, a PermanentError", async () => {
    const { charge, idempotentCharge } = setup({ validatePayload: true });
    await idempotentCharge(order);

    const err = await idempotentCharge({ ...order, amount: 1 }).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(IdempotencyPayloadMismatchError);
    expect(err).toBeInstanceOf(PermanentError);
    expect(err).toMatchObject({ code: "IDEMPOTENCY_PAYLOAD_MISMATCH", key: "o-1" });
    expect(charge).toHaveBeenCalledTimes(1);
  });

  it("reports a payload mismatch even while the first call is still running", async () => {
    const gate = deferred<string>();
    const store = new MemoryIdempotencyStore({ now: () => START });
    const idempotent = makeIdempotent((_o: Order) => gate.promise, {
      store,
      key: (o) => o.orderId,
      now: () => START,
      validatePayload: true,
    });
    const running = idempotent(order);

    const err = await idempotent({ ...order, amount: 1 }).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(IdempotencyPayloadMismatchError);
    gate.resolve("done");
    await running;
  });

  it("replays the result for the same payload in another key order, and stores the payload hash", async () => {
    const { store, charge, idempotentCharge } = setup({ validatePayload: true });
    await idempotentCharge(order);

    const replayed = await idempotentCharge({ amount: 4200, orderId: "o-1" });

    expect(replayed).toEqual({ chargeId: "ch-o-1-1" });
    expect(charge).toHaveBeenCalledTimes(1);
    expect((await store.get("o-1"))?.payloadHash).toBe(hashPayload(order));
  });

  it("hashes only what a validatePayload function selects", async () => {
    type Delivery = { order: Order; receiveCount: number };
    const store = new MemoryIdempotencyStore({ now: () => START });
    const fn = vi.fn(async (d: Delivery) => d.order.amount);
    const idempotent = makeIdempotent(fn, {
      store,
      key: (d) => d.order.orderId,
      now: () => START,
      validatePayload: (d) => d.order,
    });
    await idempotent({ order, receiveCount: 1 });

    const redelivered = await idempotent({ order, receiveCount: 2 });
    const changed = await idempotent({ order: { ...order, amount: 1 }, receiveCount: 3 }).catch((e: unknown) => e);

    expect(redelivered).toBe(4200);
    expect(changed).toBeInstanceOf(IdempotencyPayloadMismatchError);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it("does not compare payloads unless validatePayload is on", async () => {
    const { charge, idempotentCharge } = setup();
    await idempotentCharge(order);

    const replayed = await idempotentCharge({ ...order, amount: 1 });

    expect(replayed).toEqual({ chargeId: "ch-o-1-1" });
    expect(charge).toHaveBeenCalledTimes(1);
  });

  it("runs fn again once a completed record is older than ttlSeconds", async () => {
    const { clock, charge, idempotentCharge } = setup({ ttlSeconds: 120 });
    await idempotentCharge(order);

    clock.now = START + 119_999;
    const replayed = await idempotentCharge(order);
    clock.now = START + 120_000;
    const rerun = await idempotentCharge(order);

    expect(replayed).toEqual({ chargeId: "ch-o-1-1" });
    expect(rerun).toEqual({ chargeId: "ch-o-1-2" });
    expect(charge).toHaveBeenCalledTimes(2);
  });

  it("counts ttlSeconds from when fn finished, not from when it started", async () => {
    const clock = { now: START };
    const store = new MemoryIdempotencyStore({ now: () => clock.now });
    const idempotent = makeIdempotent(
      async (_o: Order) => {
        clock.now += 5_000;
        return "ok";
      },
      { store, key: (o: Order) => o.orderId, now: () => clock.now, ttlSeconds: 60 },
    );

    await idempotent(order);

    expect((await store.get("o-1"))?.expiresAt).toBe(START + 65_000);
  });

  it("prefixes keys with keyPrefix so functions can share a store", async () => {
    const { store, idempotentCharge } = setup({ keyPrefix: "charge#" });

    await idempotentCharge(order);

    expect(await store.get("charge#o-1")).toMatchObject({ status: "COMPLETED" });
    expect(await store.get("o-1")).toBeUndefined();
  });

  it("uses serialize and deserialize for stored results (a Date survives the replay)", async () => {
    const store = new MemoryIdempotencyStore({ now: () => START });
    const fn = vi.fn(async (_o: Order) => ({ chargedAt: new Date(START) }));
    const idempotent = makeIdempotent(fn, {
      store,
      key: (o: Order) => o.orderId,
      now: () => START,
      serialize: (r) => String(r.chargedAt.getTime()),
      deserialize: (text) => ({ chargedAt: new Date(Number(text)) }),
    });
    await idempotent(order);

    const replayed = await idempotent(order);

    expect((await store.get("o-1"))?.result).toBe(String(START));
    expect(replayed.chargedAt).toBeInstanceOf(Date);
    expect(replayed.chargedAt.getTime()).toBe(START);
  });

  it("replays an undefined result as undefined", async () => {
    const store = new MemoryIdempotencyStore({ now: () => START });
    const fn = vi.fn(async (_o: Order): Promise<void> => undefined);
    const idempotent = makeIdempotent(fn, { store, key: (o) => o.orderId, now: () => START });
    await idempotent(order);

    const replayed = await idempotent(order);

    expect(replayed).toBeUndefined();
    expect(fn).toHaveBeenCalledTimes(1);
    expect(await store.get("o-1")).not.toHaveProperty("result");
  });

  it("throws a PermanentError without touching the store when the key function returns an empty key", async () => {
    const store = new MemoryIdempotencyStore();
    const putIfAbsent = vi.spyOn(store, "putIfAbsent");
    const idempotent = makeIdempotent(async (_o: Partial<Order>) => 1, {
      store,
      key: (o) => o.orderId as string,
    });

    const err = await idempotent({ amount: 1 }).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(PermanentError);
    expect((err as Error).message).toBe(
      "Expected the idempotency `key` function to return a non-empty string, got undefined; derive the key from a field every payload has (an order id)",
    );
    expect(putIfAbsent).not.toHaveBeenCalled();
  });

  it("propagates a store failure from the completion write after fn ran, once the lease leaves no time to write again (the record stays IN_PROGRESS)", async () => {
    const memory = new MemoryIdempotencyStore({ now: () => START });
    const failure = new IdempotencyStoreUnavailableError("update", "throttled");
    const store: IdempotencyStore = {
      putIfAbsent: (r, now) => memory.putIfAbsent(r, now),
      get: (k) => memory.get(k),
      update: async () => {
        throw failure;
      },
      delete: (k) => memory.delete(k),
    };
    const fn = vi.fn(async (_o: Order) => "charged");
    // A 100 ms lease: its last 10 ms are the margin, so the first wait (100-200 ms) would already end past it.
    const idempotent = makeIdempotent(fn, {
      store,
      key: (o: Order) => o.orderId,
      now: () => START,
      inProgressTtlSeconds: 0.1,
    });

    const err = await idempotent(order).catch((e: unknown) => e);

    expect(err).toBe(failure);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(await memory.get("o-1")).toMatchObject({ status: "IN_PROGRESS" });
  });

  it("claims again when the record that blocked its claim has vanished by the time it is read", async () => {
    const memory = new MemoryIdempotencyStore({ now: () => START });
    const putIfAbsent = vi
      .fn<IdempotencyStore["putIfAbsent"]>()
      .mockResolvedValueOnce({ claimed: false, existing: undefined })
      .mockImplementation((r, now) => memory.putIfAbsent(r, now));
    const store: IdempotencyStore = {
      putIfAbsent,
      get: (k) => memory.get(k),
      update: (r) => memory.update(r),
      delete: (k) => memory.delete(k),
    };
    const idempotent = makeIdempotent(async (_o: Order) => "ran", {
      store,
      key: (o: Order) => o.orderId,
      now: () => START,
    });

    const result = await idempotent(order);

    expect(result).toBe("ran");
    expect(putIfAbsent).toHaveBeenCalledTimes(2);
  });

  it("gives up with IdempotencyInProgressError after three claims that each lost to a vanished record", async () => {
    const putIfAbsent = vi
      .fn<IdempotencyStore["putIfAbsent"]>()
      .mockResolvedValue({ claimed: false, existing: undefined });
    const store: IdempotencyStore = {
      putIfAbsent,
      get: async () => undefined,
      update: async () => undefined,
      delete: async () => undefined,
    };
    const fn = vi.fn(async (_o: Order) => "ran");
    const idempotent = makeIdempotent(fn, { store, key: (o: Order) => o.orderId, now: () => START });

    const err = await idempotent(order).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(IdempotencyInProgressError);
    expect(putIfAbsent).toHaveBeenCalledTimes(3);
    expect(fn).not.toHaveBeenCalled();
  });

  describe("a call that finds its key held (issue 12, item 2)", () => {
    it("tells a duplicate of a holder that just began to come back in about a second, not when its 60 s lease ends", async () => {
      const gate = deferred<{ chargeId: string }>();
      const clock = { now: START };
      const store = new MemoryIdempotencyStore({ now: () => clock.now });
      const idempotent = makeIdempotent((_o: Order) => gate.promise, {
        store,
        key: (o) => o.orderId,
        now: () => clock.now,
      });
      const running = idempotent(order);

      clock.now = START + 2;
      const err = await idempotent(order).catch((e: unknown) => e);

      expect(err).toBeInstanceOf(IdempotencyInProgressError);
      const { retryAfterMs } = err as IdempotencyInProgressError;
      expect(retryAfterMs).toBeGreaterThanOrEqual(998);
      expect(retryAfterMs).toBeLessThanOrEqual(1_248);
      gate.resolve({ chargeId: "x" });
      await running;
    });

    it("asks later waiters back at the next point of the schedule from the holder's start, never past its lease", async () => {
      const gate = deferred<{ chargeId: string }>();
      const clock = { now: START };
      const store = new MemoryIdempotencyStore({ now: () => clock.now });
      const idempotent = makeIdempotent((_o: Order) => gate.promise, {
        store,
        key: (o) => o.orderId,
        now: () => clock.now,
        inProgressTtlSeconds: 30,
      });
      const running = idempotent(order);
      const waitAt = async (elapsedMs: number) => {
        clock.now = START + elapsedMs;
        return ((await idempotent(order).catch((e: unknown) => e)) as IdempotencyInProgressError).retryAfterMs;
      };

      // Under a 30 s lease the points are 1 s, 3.1 s, 9.7 s and 30 s after the holder began (+ up to 25%).
      const at1500 = await waitAt(1_500);
      const at5000 = await waitAt(5_000);
      const at29000 = await waitAt(29_000);

      expect(at1500).toBeGreaterThanOrEqual(3_107 - 1_500);
      expect(at1500).toBeLessThanOrEqual(3_884 - 1_500);
      expect(at5000).toBeGreaterThanOrEqual(9_655 - 5_000);
      expect(at5000).toBeLessThanOrEqual(12_069 - 5_000);
      expect(at29000).toBe(1_000);
      gate.resolve({ chargeId: "x" });
      await running;
    });

    it("takes the holder's start as its lease's end minus our lease when the record has none (an older writer)", async () => {
      const held = { key: "o-1", status: "IN_PROGRESS" as const, expiresAt: START + 3600_000 };
      const store: IdempotencyStore = {
        putIfAbsent: async () => ({ claimed: false, existing: { ...held, inProgressExpiresAt: START + 59_000 } }),
        get: async () => undefined,
        update: async () => undefined,
        delete: async () => undefined,
      };
      const idempotent = makeIdempotent(async (_o: Order) => "ran", {
        store,
        key: (o) => o.orderId,
        now: () => START,
      });

      const err = (await idempotent(order).catch((e: unknown) => e)) as IdempotencyInProgressError;

      // Began 1 s ago (60 s lease, 59 s left): the next point is 3.9 s after it began.
      expect(err.retryAfterMs).toBeGreaterThanOrEqual(2_915);
      expect(err.retryAfterMs).toBeLessThanOrEqual(3_894);
    });
  });

  describe("the store's check (issue 12, item 3)", () => {
    function checkedStore(check: () => Promise<void>) {
      const store = new MemoryIdempotencyStore({ now: () => START });
      const checkSpy = vi.fn(check);
      return Object.assign(store, { check: checkSpy });
    }

    it("runs the store's check once before its first use, for many concurrent first calls across wrappers", async () => {
      const gate = deferred<void>();
      const store = checkedStore(() => gate.promise);
      const putIfAbsent = vi.spyOn(store, "putIfAbsent");
      const wrappers = [1, 2].map((n) =>
        makeIdempotent(async (o: Order) => `${n}:${o.orderId}`, { store, key: (o) => o.orderId, now: () => START }),
      );

      const calls = Array.from({ length: 20 }, (_, i) => wrappers[i % 2]!({ orderId: `o-${i}`, amount: 1 }));
      await Promise.resolve();
      const claimsBeforeCheck = putIfAbsent.mock.calls.length;
      gate.resolve();
      await Promise.all(calls);
      await wrappers[0]!(order);

      expect(claimsBeforeCheck).toBe(0);
      expect(store.check).toHaveBeenCalledTimes(1);
    });

    it("fails the call with the check's error before touching the store, and checks again on the next call", async () => {
      const misconfigured = new IdempotencyStoreUnavailableError("check", 'Idempotency table "t" not found');
      const store = checkedStore(async () => undefined);
      store.check.mockRejectedValueOnce(misconfigured);
      const putIfAbsent = vi.spyOn(store, "putIfAbsent");
      const fn = vi.fn(async (_o: Order) => "ran");
      const idempotent = makeIdempotent(fn, { store, key: (o) => o.orderId, now: () => START });

      const first = await idempotent(order).catch((e: unknown) => e);
      const second = await idempotent(order);

      expect(first).toBe(misconfigured);
      expect(second).toBe("ran");
      expect(store.check).toHaveBeenCalledTimes(2);
      expect(putIfAbsent).toHaveBeenCalledTimes(1);
      expect(fn).toHaveBeenCalledTimes(1);
    });
  });

  describe("option validation (at construction, naming the option)", () => {
    const store = new MemoryIdempotencyStore();
    const key = (o: Order) => o.orderId;
    const fn = async (_o: Order) => 1;

    it.each([
      ["ttlSeconds", { ttlSeconds: 0 }, "Expected `ttlSeconds` to be a positive number, got 0"],
      ["ttlSeconds", { ttlSeconds: Number.NaN }, "Expected `ttlSeconds` to be a positive number, got NaN"],
      [
        "inProgressTtlSeconds",
        { inProgressTtlSeconds: -1 },
        "Expected `inProgressTtlSeconds` to be a positive number or a function, got -1",
      ],
      [
        "validatePayload",
        { validatePayload: "yes" },
        'Expected `validatePayload` to be a boolean or a function, got "yes"',
      ],
      ["keyPrefix", { keyPrefix: 7 }, "Expected `keyPrefix` to be a string, got 7"],
      ["serialize", { serialize: "json" }, 'Expected `serialize` to be a function, got "json"'],
      ["now", { now: 0 }, "Expected `now` to be a function, got 0"],
      ["key", { key: "orderId" }, 'Expected `key` to be a function returning a string, got "orderId"'],
      [
        "store",
        { store: { get: () => undefined } },
        "Expected `store` to be an IdempotencyStore (putIfAbsent, get, update, delete; optional check), got an object",
      ],
      [
        "store",
        {
          store: {
            ...new MemoryIdempotencyStore(),
            putIfAbsent: vi.fn(),
            get: vi.fn(),
            update: vi.fn(),
            delete: vi.fn(),
            check: true,
          },
        },
        "Expected `store` to be an IdempotencyStore (putIfAbsent, get, update, delete; optional check), got an object",
      ],
    ])("rejects a bad %s", (option, overrides, message) => {
      const build = () =>
        makeIdempotent(fn, { store, key, ...(overrides as object) } as MakeIdempotentOptions<[Order], number>);

      expect(build).toThrow(InvalidOptionError);
      expect(build).toThrow(message);
      expect(() => build()).toThrow(expect.objectContaining({ option }));
    });

    it("rejects an inProgressTtlSeconds function that returns no positive number, at call time", async () => {
      const idempotent = makeIdempotent(fn, { store, key, inProgressTtlSeconds: () => 0 });

      const err = await idempotent(order).catch((e: unknown) => e);

      expect(err).toBeInstanceOf(InvalidOptionError);
      expect(err).toMatchObject({ option: "inProgressTtlSeconds" });
    });
  });
});

/** A slow charge of `order` whose completion the test controls. */
function makeIdempotentAround<R>(store: IdempotencyStore, fn: () => Promise<R>) {
  return makeIdempotent((_o: Order) => fn(), { store, key: (o) => o.orderId, now: () => START });
}
