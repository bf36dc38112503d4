import { hasErrorCode, PermanentError, ResilientJobsError, TransientError } from "../errors.js";

/** The store primitive that failed. */
export type IdempotencyStoreOperation = "putIfAbsent" | "get" | "update" | "delete" | "check";

/**
 * An idempotency store failed in a way a retry will not fix by itself (missing table, no
 * permission, an invalid item): fix the configuration. Code `IDEMPOTENCY_STORE`; the backend's
 * own error is kept as `cause`.
 */
export class IdempotencyStoreError extends ResilientJobsError {
  override name = "IdempotencyStoreError";
  /** The primitive that failed. */
  readonly operation: IdempotencyStoreOperation;

  constructor(operation: IdempotencyStoreOperation, message: string, options?: { cause?: unknown }) {
    super("IDEMPOTENCY_STORE", message, options);
    this.operation = operation;
  }
}

/**
 * An idempotency store was throttled or unreachable. A `TransientError` with code
 * `IDEMPOTENCY_STORE`, so consumers retry the message later with backoff.
 */
export class IdempotencyStoreUnavailableError extends TransientError {
  override name = "IdempotencyStoreUnavailableError";
  /** The primitive that failed. */
  readonly operation: IdempotencyStoreOperation;

  constructor(operation: IdempotencyStoreOperation, message: string, options?: { cause?: unknown }) {
    super(message, options, "IDEMPOTENCY_STORE");
    this.operation = operation;
  }
}

/**
 * The store refused this message's record itself (DynamoDB's ValidationException: a key over 2,048 bytes, a
 * result over 400 KB), while the store works. Permanent, code `IDEMPOTENCY_RECORD_REJECTED`, and not a failing
 * dependency: pausing the consumer for it would stop every message for one that will fail again anyway.
 */
export class IdempotencyRecordRejectedError extends PermanentError {
  override name = "IdempotencyRecordRejectedError";
  /** The primitive that failed. */
  readonly operation: IdempotencyStoreOperation;

  constructor(operation: IdempotencyStoreOperation, message: string, options?: { cause?: unknown }) {
    super(message, options, "IDEMPOTENCY_RECORD_REJECTED");
    this.operation = operation;
  }
}

/** True for either idempotency store error (they share the code `IDEMPOTENCY_STORE`). */
export function isIdempotencyStoreError(err: unknown): err is IdempotencyStoreError | IdempotencyStoreUnavailableError {
  return hasErrorCode(err, "IDEMPOTENCY_STORE");
}
