import { hasErrorCode, ResilientJobsError, TransientError } from "../errors.js";

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

/** True for either idempotency store error (they share the code `IDEMPOTENCY_STORE`). */
export function isIdempotencyStoreError(err: unknown): err is IdempotencyStoreError | IdempotencyStoreUnavailableError {
  return hasErrorCode(err, "IDEMPOTENCY_STORE");
}
