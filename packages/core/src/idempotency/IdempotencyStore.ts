/**
 * The storage contract behind `makeIdempotent()`: four small primitives, so a new backend
 * (DynamoDB, Redis, SQL) is a short class and `describeIdempotencyStore()` can check it.
 */

/** Where an idempotency key stands: a call holds it and is running, or a call finished and left its result. */
export type IdempotencyStatus = "IN_PROGRESS" | "COMPLETED";

/** What a store keeps per idempotency key. */
export interface IdempotencyRecord {
  /** The full key, prefix included. */
  key: string;
  status: IdempotencyStatus;
  /**
   * Epoch milliseconds after which the whole record is void and the key can be used again.
   * A store may round it up to its own resolution (DynamoDB keeps whole seconds for its TTL).
   */
  expiresAt: number;
  /** Epoch milliseconds after which an IN_PROGRESS record may be taken over (its holder is presumed dead). */
  inProgressExpiresAt?: number;
  /**
   * Epoch milliseconds when the IN_PROGRESS holder claimed the key. Calls that find the key held retry on a
   * schedule measured from it (1 s after the holder began, then growing to its lease's end). Optional: without it the start is
   * taken as the lease's end minus the waiter's own lease length.
   */
  inProgressStartedAt?: number;
  /** sha256 (hex) of the call's payload, when payload validation is on. */
  payloadHash?: string;
  /** The serialized result of a COMPLETED call (absent when the call returned `undefined`). */
  result?: string;
}

/** What `putIfAbsent` found: the key is now ours, or the record that holds it. */
export type PutIfAbsentResult =
  | { claimed: true }
  /** `existing` is undefined when the blocking record vanished before the store could read it. */
  | { claimed: false; existing: IdempotencyRecord | undefined };

/** Persistence for idempotency records. Implementations must make `putIfAbsent` atomic. */
export interface IdempotencyStore {
  /**
   * Writes `record` only if no live record holds its key: none exists, or the existing one is
   * void at `now` (see `isIdempotencyRecordClaimable`). Atomic: of any number of racing calls
   * for one key, exactly one is told `claimed: true`.
   */
  putIfAbsent(record: IdempotencyRecord, now: number): Promise<PutIfAbsentResult>;
  /** The record for `key`, or undefined when there is none or it has expired (`expiresAt` reached). */
  get(key: string): Promise<IdempotencyRecord | undefined>;
  /** Replaces the record for `record.key` (used to mark a call COMPLETED). Fields absent from `record` are removed. */
  update(record: IdempotencyRecord): Promise<void>;
  /** Removes the record for `key`, if any, so a retry can claim it at once. */
  delete(key: string): Promise<void>;
  /**
   * Verifies the store can be used (the table exists, has the expected key, the client may reach it); rejects
   * with an `IdempotencyStoreError` (or the transient `IdempotencyStoreUnavailableError`) saying what is wrong and
   * how to fix it. Optional. `makeIdempotent()` calls it once per store, before the store's first use; a failed
   * check is tried again on the next call.
   */
  check?(): Promise<void>;
}

/**
 * True when `record` no longer holds its key at `now`: the whole record has expired, or it is
 * IN_PROGRESS and its holder's lease has run out. Stores use it (or the same rule in a condition
 * expression) in `putIfAbsent`; expired records may still be stored, as DynamoDB deletes TTL items late.
 */
export function isIdempotencyRecordClaimable(record: IdempotencyRecord, now: number): boolean {
  if (record.expiresAt <= now) return true;
  return (
    record.status === "IN_PROGRESS" && record.inProgressExpiresAt !== undefined && record.inProgressExpiresAt <= now
  );
}
