import { randomUUID } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import type { IdempotencyRecord, IdempotencyStore } from "../idempotency/IdempotencyStore.js";

/** What the suite hands the factory: the clock the store must read (its `now` option). */
export interface IdempotencyStoreTestContext {
  /** Epoch milliseconds, moved by the suite. Wire it into the store's `now` option. */
  now: () => number;
}

/** Builds a fresh store (or one over a shared table: the suite uses a new key prefix per test). */
export type IdempotencyStoreFactory = (
  context: IdempotencyStoreTestContext,
) => IdempotencyStore | Promise<IdempotencyStore>;

/** Options of `describeIdempotencyStore()`. */
export interface DescribeIdempotencyStoreOptions {
  /**
   * How many racing `putIfAbsent` calls the atomicity test makes.
   * @defaultValue 20
   */
  racers?: number;
}

const SECOND = 1000;

/**
 * The conformance suite every `IdempotencyStore` runs (vitest), so the memory store, DynamoDB and your own
 * backend behave the same. Times are whole seconds apart from the in-progress lease, as a store may keep
 * `expiresAt` in seconds (DynamoDB TTL).
 */
export function describeIdempotencyStore(
  name: string,
  factory: IdempotencyStoreFactory,
  options: DescribeIdempotencyStoreOptions = {},
): void {
  const racers = options.racers ?? 20;

  describe(`IdempotencyStore conformance: ${name}`, () => {
    // Start from the real time rounded up to a second, so a real table's TTL never sees a record as long gone.
    let clock = 0;
    let store: IdempotencyStore;
    let prefix: string;
    const key = (name: string) => `${prefix}:${name}`;
    const inProgress = (name: string, overrides: Partial<IdempotencyRecord> = {}): IdempotencyRecord => ({
      key: key(name),
      status: "IN_PROGRESS",
      expiresAt: clock + 3600 * SECOND,
      inProgressExpiresAt: clock + 60 * SECOND,
      ...overrides,
    });
    const completed = (name: string, overrides: Partial<IdempotencyRecord> = {}): IdempotencyRecord => ({
      key: key(name),
      status: "COMPLETED",
      expiresAt: clock + 3600 * SECOND,
      result: JSON.stringify({ orderId: name, charged: 4200 }),
      ...overrides,
    });

    beforeEach(async () => {
      clock = Math.ceil(Date.now() / SECOND) * SECOND;
      prefix = `conformance-${randomUUID()}`;
      store = await factory({ now: () => clock });
    });

    it("claims a key nobody holds and stores the record as given", async () => {
      const record = inProgress("a", { payloadHash: "f".repeat(64) });

      const claim = await store.putIfAbsent(record, clock);

      expect(claim).toEqual({ claimed: true });
      expect(await store.get(record.key)).toEqual(record);
    });

    it("refuses a second claim on a held key and returns the record that holds it", async () => {
      const first = inProgress("a");
      await store.putIfAbsent(first, clock);

      const second = await store.putIfAbsent(inProgress("a", { inProgressExpiresAt: clock + 5 * SECOND }), clock);

      expect(second).toEqual({ claimed: false, existing: first });
      expect(await store.get(first.key)).toEqual(first);
    });

    it("refuses a claim on a COMPLETED record that has not expired and returns its result", async () => {
      const done = completed("a");
      await store.update(done);
      clock += 3599 * SECOND;

      const claim = await store.putIfAbsent(inProgress("a"), clock);

      expect(claim).toEqual({ claimed: false, existing: done });
    });

    it("lets a claim replace a record whose expiry has been reached (expiry checked in code, not left to TTL)", async () => {
      await store.update(completed("a", { expiresAt: clock + 10 * SECOND }));
      clock += 10 * SECOND;
      const fresh = inProgress("a");

      const claim = await store.putIfAbsent(fresh, clock);

      expect(claim).toEqual({ claimed: true });
      expect(await store.get(fresh.key)).toEqual(fresh);
    });

    it("lets a claim take over an IN_PROGRESS record whose lease has run out", async () => {
      await store.putIfAbsent(inProgress("a", { inProgressExpiresAt: clock + 1500 }), clock);
      const takeover = inProgress("a", { inProgressExpiresAt: clock + 61_500 });

      const claim = await store.putIfAbsent(takeover, clock + 1500);

      expect(claim).toEqual({ claimed: true });
      expect(await store.get(takeover.key)).toEqual(takeover);
    });

    it("refuses a takeover one millisecond before the lease runs out", async () => {
      const held = inProgress("a", { inProgressExpiresAt: clock + 1500 });
      await store.putIfAbsent(held, clock);

      const claim = await store.putIfAbsent(inProgress("a"), clock + 1499);

      expect(claim).toEqual({ claimed: false, existing: held });
    });

    it("completing a record drops its lease, so it stays COMPLETED after the lease time has passed", async () => {
      const claimed = inProgress("a", { inProgressExpiresAt: clock + 2 * SECOND });
      await store.putIfAbsent(claimed, clock);
      const done = completed("a");
      await store.update(done);
      clock += 5 * SECOND;

      const claim = await store.putIfAbsent(inProgress("a"), clock);

      expect(claim).toEqual({ claimed: false, existing: done });
      expect(await store.get(done.key)).not.toHaveProperty("inProgressExpiresAt");
    });

    it("update replaces every field, adding and removing optional ones", async () => {
      await store.putIfAbsent(inProgress("a", { payloadHash: "a".repeat(64) }), clock);
      const done = completed("a", { payloadHash: "b".repeat(64), result: '{"text":"gr\\u00fc\\u00dfe ✓ 🚀"}' });

      await store.update(done);
      await store.update({ ...done, result: "" });
      const withoutOptional: IdempotencyRecord = { key: done.key, status: "COMPLETED", expiresAt: done.expiresAt };
      const beforeRemoval = await store.get(done.key);
      await store.update(withoutOptional);

      expect(beforeRemoval).toEqual({ ...done, result: "" });
      expect(await store.get(done.key)).toEqual(withoutOptional);
    });

    it("update writes a record even when none exists (the finished work is recorded)", async () => {
      const done = completed("a");

      await store.update(done);

      expect(await store.get(done.key)).toEqual(done);
    });

    it("delete frees the key so the next claim succeeds", async () => {
      const record = inProgress("a");
      await store.putIfAbsent(record, clock);

      await store.delete(record.key);

      expect(await store.get(record.key)).toBeUndefined();
      expect(await store.putIfAbsent(inProgress("a"), clock)).toEqual({ claimed: true });
    });

    it("delete of a key that has no record does nothing", async () => {
      await expect(store.delete(key("missing"))).resolves.toBeUndefined();
    });

    it("get returns undefined for a key never written", async () => {
      expect(await store.get(key("missing"))).toBeUndefined();
    });

    it("get hides a record once its expiry is reached, even if the backend still holds it", async () => {
      const done = completed("a", { expiresAt: clock + 2 * SECOND });
      await store.update(done);
      clock += SECOND;
      const before = await store.get(done.key);
      clock += SECOND;

      const after = await store.get(done.key);

      expect(before).toEqual(done);
      expect(after).toBeUndefined();
    });

    it("keeps keys apart: holding one key does not block another", async () => {
      await store.putIfAbsent(inProgress("a"), clock);

      const claim = await store.putIfAbsent(inProgress("b"), clock);

      expect(claim).toEqual({ claimed: true });
    });

    it("keeps the holder's start (inProgressStartedAt) with the lease, and drops both on completion", async () => {
      // Waiting calls retry on a schedule measured from the holder's start (makeIdempotent).
      const held = inProgress("started", { inProgressStartedAt: clock + 250 });
      await store.putIfAbsent(held, clock);
      const refused = await store.putIfAbsent(inProgress("started"), clock + 1);
      await store.update(completed("started"));

      expect(refused).toEqual({ claimed: false, existing: held });
      expect(await store.get(held.key)).toEqual(completed("started"));
    });

    it("returns copies: mutating a returned record does not change the stored one", async () => {
      const done = completed("a");
      await store.update(done);
      const read = await store.get(done.key);

      if (read) read.status = "IN_PROGRESS";
      done.result = "changed after the write";

      expect(await store.get(done.key)).toEqual({ ...done, result: JSON.stringify({ orderId: "a", charged: 4200 }) });
    });

    it(`lets exactly one of ${racers} racing claims on one key win`, async () => {
      const claims = await Promise.all(
        Array.from({ length: racers }, (_, i) =>
          store.putIfAbsent(inProgress("race", { payloadHash: `racer-${i}` }), clock),
        ),
      );

      const winners = claims.flatMap((claim, i) => (claim.claimed ? [i] : []));
      expect(winners).toHaveLength(1);
      const stored = await store.get(key("race"));
      expect(stored?.payloadHash).toBe(`racer-${winners[0]}`);
      for (const claim of claims) if (!claim.claimed) expect(claim.existing).toEqual(stored);
    });

    it(`lets exactly one of ${racers} racing takeovers of an expired lease win`, async () => {
      await store.putIfAbsent(inProgress("race", { inProgressExpiresAt: clock + SECOND }), clock);
      clock += 2 * SECOND;

      const claims = await Promise.all(
        Array.from({ length: racers }, (_, i) =>
          store.putIfAbsent(inProgress("race", { payloadHash: `racer-${i}` }), clock),
        ),
      );

      expect(claims.filter((claim) => claim.claimed)).toHaveLength(1);
    });
  });
}
