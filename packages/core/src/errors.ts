/**
 * Errors of `@resilient-jobs/core`. Every error has a stable `code` that callers
 * can branch on across package versions, and keeps the error it wraps as `cause`.
 */

/** Stable codes of the core package's errors. */
export type ResilientJobsErrorCode =
  | "PERMANENT"
  | "TRANSIENT"
  | "TIMEOUT"
  | "CIRCUIT_OPEN"
  | "RETRIES_EXHAUSTED"
  | "ABORTED"
  | "INVALID_OPTION"
  | "DECODE_FAILED"
  | "VALIDATION_FAILED"
  | "IDEMPOTENCY_IN_PROGRESS"
  | "IDEMPOTENCY_PAYLOAD_MISMATCH"
  | "IDEMPOTENCY_STORE"
  | "DEPENDENCY_UNAVAILABLE"
  | "IDEMPOTENCY_RECORD_REJECTED"
  | "QUEUE"
  | "PAYLOAD_NOT_FOUND"
  | "PAYLOAD_STORE"
  | "SIMULATION_FAILED";

/**
 * Base class of every error thrown by resilient-jobs. Each subclass sets `name` as a string literal rather
 * than from its class name: minifiers rename classes, and logs and dead-letter reasons show the name.
 */
export class ResilientJobsError extends Error {
  /** A stable, machine-readable code. */
  readonly code: ResilientJobsErrorCode;

  constructor(code: ResilientJobsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A failure that will fail again on retry (bad input, a 4xx, a business rule): never retried. */
export class PermanentError extends ResilientJobsError {
  override name = "PermanentError";
  constructor(message: string, options?: { cause?: unknown }, code: ResilientJobsErrorCode = "PERMANENT") {
    super(code, message, options);
  }
}

/** A failure that may succeed later (a dependency hiccup): retried with backoff. */
export class TransientError extends ResilientJobsError {
  override name = "TransientError";
  constructor(message: string, options?: { cause?: unknown }, code: ResilientJobsErrorCode = "TRANSIENT") {
    super(code, message, options);
  }
}

/** An operation did not finish within its time budget. Transient. */
export class TimeoutError extends ResilientJobsError {
  override name = "TimeoutError";
  /** The budget that was exceeded, in milliseconds. */
  readonly timeoutMs: number;

  constructor(timeoutMs: number, message = `Operation timed out after ${timeoutMs} ms`) {
    super("TIMEOUT", message);
    this.timeoutMs = timeoutMs;
  }
}

/** A circuit breaker is open and rejected the call without running it. */
export class CircuitOpenError extends ResilientJobsError {
  override name = "CircuitOpenError";
  /** Epoch milliseconds at which the breaker will let a probe through (half-open). */
  readonly halfOpenAt: number;
  /** The breaker's name, when it has one. */
  readonly breakerName: string | undefined;

  constructor(halfOpenAt: number, breakerName?: string) {
    super(
      "CIRCUIT_OPEN",
      `Circuit${breakerName ? ` "${breakerName}"` : ""} is open until ${new Date(halfOpenAt).toISOString()}; the call was not attempted`,
    );
    this.halfOpenAt = halfOpenAt;
    this.breakerName = breakerName;
  }
}

/**
 * Something the handler depends on is down or misconfigured (a database, a downstream API, a missing table):
 * not the message's fault. Throw it from a handler and the consumer pauses consumption and hands the message
 * back, as it does for an idempotency store that fails, instead of retrying it toward the dead-letter queue.
 */
export class DependencyUnavailableError extends ResilientJobsError {
  override name = "DependencyUnavailableError";
  /** What failed, for logs and `health().reason` (`"payments-db"`). */
  readonly dependency: string;

  constructor(dependency: string, message: string, options?: { cause?: unknown }) {
    super("DEPENDENCY_UNAVAILABLE", `${dependency} unavailable: ${message}`, options);
    this.dependency = dependency;
  }
}

/** An option passed to a factory or constructor is invalid. Thrown at construction, never later. */
export class InvalidOptionError extends ResilientJobsError {
  override name = "InvalidOptionError";
  /** The option's name, dotted for nested options (`heartbeat.intervalMs`). */
  readonly option: string;

  constructor(option: string, expected: string, got: unknown) {
    super("INVALID_OPTION", `Expected \`${option}\` to be ${expected}, got ${describeValue(got)}`);
    this.option = option;
  }
}

/**
 * Throws an {@link InvalidOptionError} naming `option` unless `valid`: the one-line check every factory's
 * option validation is made of (`checkOption(n >= 1, "concurrency", "an integer >= 1", n)`).
 */
export function checkOption(valid: boolean, option: string, expected: string, got: unknown): asserts valid {
  if (!valid) throw new InvalidOptionError(option, expected, got);
}

/** Renders a value for an error message without dumping large objects. */
export function describeValue(value: unknown): string {
  return typeof value === "string"
    ? JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value)
    : Array.isArray(value)
      ? `an array of ${value.length}`
      : typeof value === "function"
        ? "a function"
        : typeof value === "object" && value !== null
          ? "an object"
          : String(value);
}

/** True when `err` is a resilient-jobs error with the given code. */
export function hasErrorCode(err: unknown, code: ResilientJobsErrorCode): boolean {
  return err instanceof ResilientJobsError && err.code === code;
}

/** Options accepted by every permanent-failure error. */
interface PermanentErrorOptions {
  cause?: unknown;
}

/** A message body could not be decoded (not JSON, a broken SNS envelope). Permanent: retrying cannot fix it. */
export class DecodeError extends PermanentError {
  override name = "DecodeError";
  constructor(message: string, options?: PermanentErrorOptions) {
    super(message, options, "DECODE_FAILED");
  }
}

/** One problem found by a schema validator, with the path of the offending field. */
export interface ValidationIssue {
  message: string;
  path: readonly (string | number)[];
}

/** A decoded body failed schema validation. Permanent. `issues` names every bad field. */
export class ValidationError extends PermanentError {
  override name = "ValidationError";
  readonly issues: readonly ValidationIssue[];

  constructor(issues: readonly ValidationIssue[], options?: PermanentErrorOptions) {
    super(
      `Message failed validation: ${issues
        .map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message))
        .join("; ")}`,
      options,
      "VALIDATION_FAILED",
    );
    this.issues = issues;
  }
}

/**
 * Another call holds the idempotency key and has not finished. Transient: retry later, and not before
 * `retryAfterMs`: 1 s after the holder began, then growing (at most three looks) to the holder's lease end,
 * when a crashed holder's key can be taken over.
 */
export class IdempotencyInProgressError extends TransientError {
  override name = "IdempotencyInProgressError";
  readonly key: string;
  /** When to look again, in milliseconds: the next point of the in-progress schedule, never past the lease end. */
  readonly retryAfterMs: number | undefined;

  constructor(key: string, retryAfterMs?: number) {
    super(
      `Idempotency key "${key}" is already being processed by another call; retry later`,
      undefined,
      "IDEMPOTENCY_IN_PROGRESS",
    );
    this.key = key;
    this.retryAfterMs = retryAfterMs;
  }
}

/** The idempotency key was used before with a different payload. Permanent: a caller bug. */
export class IdempotencyPayloadMismatchError extends PermanentError {
  override name = "IdempotencyPayloadMismatchError";
  readonly key: string;

  constructor(key: string) {
    super(
      `Idempotency key "${key}" was already used with a different payload; use a new key for a new request`,
      undefined,
      "IDEMPOTENCY_PAYLOAD_MISMATCH",
    );
    this.key = key;
  }
}
