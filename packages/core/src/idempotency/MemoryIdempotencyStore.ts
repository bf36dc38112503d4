import type { Clock } from "../clock/Clock.js";
import { resolveClock } from "../clock/resolveClock.js";
import {
  type IdempotencyRecord,
  type IdempotencyStore,
  isIdempotencyRecordClaimable,
  type PutIfAbsentResult,
} from "./IdempotencyStore.js";

/** Options of `MemoryIdempotencyStore`. */
export interface MemoryIdempotencyStoreOptions {
  /**
   * The clock `get` and the sweep of expired records read (a `VirtualClock` in a simulation).
   * @defaultValue `systemClock`
   */
  clock?: Clock;
  /**
   * The time only, in epoch milliseconds. Ignored when `clock` is given.
   * @deprecated Pass `clock`.
   * @defaultValue `Date.now`
   */
  now?: () => number;
}

/** Expired records are swept after at least this many writes (and at least as many writes as records held). */
const MIN_WRITES_BETWEEN_SWEEPS = 1_000;

/**
 * An idempotency store in process memory: for tests, local runs and single-process workers.
 * It does not deduplicate across processes or survive a restart; use `DynamoDBIdempotencyStore`
 * (`@resilient-jobs/core/dynamodb`) when several workers share a queue.
 */
export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly #records = new Map<string, IdempotencyRecord>();
  readonly #now: () => number;
  #writesSinceSweep = 0;

  constructor(options: MemoryIdempotencyStoreOptions = {}) {
    const clock = resolveClock(options.clock, options.now);
    this.#now = () => clock.now();
  }

  /** How many records are held, expired ones not yet swept included. */
  get size(): number {
    return this.#records.size;
  }

  async putIfAbsent(record: IdempotencyRecord, now: number): Promise<PutIfAbsentResult> {
    // Check and write with no await in between: that is what makes the claim atomic in one process.
    const existing = this.#records.get(record.key);
    if (existing && !isIdempotencyRecordClaimable(existing, now)) return { claimed: false, existing: { ...existing } };
    this.#write(record);
    return { claimed: true };
  }

  async get(key: string): Promise<IdempotencyRecord | undefined> {
    const record = this.#records.get(key);
    if (!record) return undefined;
    if (record.expiresAt <= this.#now()) {
      this.#records.delete(key);
      return undefined;
    }
    return { ...record };
  }

  async update(record: IdempotencyRecord): Promise<void> {
    this.#write(record);
  }

  async delete(key: string): Promise<void> {
    this.#records.delete(key);
  }

  #write(record: IdempotencyRecord): void {
    // Copy so the caller cannot change a stored record by mutating its object later.
    this.#records.set(record.key, { ...record });
    this.#writesSinceSweep += 1;
    if (this.#writesSinceSweep >= Math.max(MIN_WRITES_BETWEEN_SWEEPS, this.#records.size)) this.#sweep();
  }

  /** Drops expired records so keys that are never used again do not pile up. Amortised O(1) per write. */
  #sweep(): void {
    this.#writesSinceSweep = 0;
    const now = this.#now();
    for (const [key, record] of this.#records) if (record.expiresAt <= now) this.#records.delete(key);
  }
}
