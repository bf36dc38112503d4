/**
 * The default error classifier: which failures are worth another attempt.
 *
 * Decisions (see docs/resilience.md, "Which errors are retried"):
 * - Unknown errors (a plain `Error`, a thrown string) are retryable. A handler error with no better
 *   information is treated as "retry later", as Powertools batch and sqs-consumer do with SQS: the attempt
 *   count (and the queue's maxReceiveCount into the DLQ) bounds the cost of being wrong, while treating it as
 *   permanent would dead-letter every message during a dependency's odd failure mode.
 * - `CircuitOpenError` is transient: the call was not made, it can succeed once the circuit half-opens.
 * - Aborts are "aborted", and retryable-later: the work was interrupted (shutdown, caller gave up), not refused.
 *   `retry()` still stops at once when its own signal aborts.
 * - `RetriesExhaustedError` is classified by its last error, so an exhausted in-process retry of a transient
 *   failure still goes back to the queue instead of to the DLQ.
 */
import { InvalidOptionError, PermanentError, ResilientJobsError, TransientError } from "../errors.js";

/** What an error says about trying again. */
export type ErrorKind = "transient" | "permanent" | "aborted" | "unknown";

/** A set of the space-separated words of `list`: the tables below read as lists, not as code. */
function words(list: string): ReadonlySet<string> {
  return new Set(list.split(" "));
}

/** Node and undici error codes of connection-level failures (the AWS SDK retries the first nine too). */
const NETWORK_ERROR_CODES: ReadonlySet<string> = words(
  "ECONNRESET ECONNREFUSED ECONNABORTED EPIPE ETIMEDOUT EAI_AGAIN EHOSTUNREACH ENETUNREACH " +
    "ENOTFOUND ENETDOWN EHOSTDOWN ESOCKETTIMEDOUT UND_ERR_CONNECT_TIMEOUT UND_ERR_HEADERS_TIMEOUT " +
    "UND_ERR_BODY_TIMEOUT UND_ERR_SOCKET UND_ERR_CLOSED",
);

/**
 * Error names and codes of transient service errors, as the AWS SDK v3 classifies them. Throttling ones
 * (`ThrottlingException`, `RequestThrottled`, `EC2ThrottledException`, ...) match {@link THROTTLING} instead.
 */
const TRANSIENT_NAMES: ReadonlySet<string> = words(
  "BandwidthLimitExceeded LimitExceededException PriorRequestNotComplete " +
    "ProvisionedThroughputExceededException RequestLimitExceeded SlowDown TooManyRequestsException " +
    "TransactionInProgressException TimeoutError RequestTimeout RequestTimeoutException " +
    "ServiceUnavailable ServiceUnavailableException InternalFailure InternalServerError",
);

const THROTTLING = /throttl/i;

/** Names of schema-validation errors (zod, valibot, AWS): the input is wrong and stays wrong. */
const VALIDATION_NAMES: ReadonlySet<string> = words("ZodError ValiError ValidationError ValidationException");

/** How deep `cause` chains are followed; guards against cycles. */
const MAX_CAUSE_DEPTH = 5;

/** Codes of errors that say a dependency failed, not the message. */
const DEPENDENCY_CODES: ReadonlySet<string> = new Set(["IDEMPOTENCY_STORE", "DEPENDENCY_UNAVAILABLE"]);

/**
 * The error (or one of its causes) that says a dependency of the handler failed, not the message: an
 * idempotency store error (`IDEMPOTENCY_STORE`) or a `DependencyUnavailableError`. The consumer pauses
 * consumption on these and hands the message back.
 */
export function findDependencyFailure(error: unknown): ResilientJobsError | undefined {
  let current = error;
  for (let depth = 0; depth <= MAX_CAUSE_DEPTH && typeof current === "object" && current !== null; depth++) {
    if (current instanceof ResilientJobsError && DEPENDENCY_CODES.has(current.code)) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Tells whether `error` is worth retrying: everything except permanent failures. Permanent: `PermanentError`
 * and subclasses (`DecodeError`, `ValidationError`, ...), `InvalidOptionError`, schema-validation errors,
 * HTTP 4xx other than 408/425/429, HTTP 501/505. Retryable: transient, aborted and unknown errors.
 */
export function isRetryable(error: unknown): boolean {
  return classifyError(error) !== "permanent";
}

/**
 * Classifies an error for retry decisions:
 * - `transient`: network errors (ECONNRESET, ETIMEDOUT, ECONNREFUSED, EPIPE, EAI_AGAIN, ...), `TransientError`
 *   and subclasses, `TimeoutError`, `CircuitOpenError`, throttling, HTTP 408/425/429 and 5xx (but 501/505),
 *   AWS SDK v3 errors with `$retryable`, a throttling name or a 5xx `$metadata.httpStatusCode`.
 * - `permanent`: see {@link isRetryable}.
 * - `aborted`: `AbortedError` and `AbortError`s.
 * - `unknown`: none of the above, after following `cause` (fetch's `TypeError: fetch failed` carries the
 *   socket error there).
 */
export function classifyError(error: unknown): ErrorKind {
  // Follow `cause` while an error says nothing itself; the depth bound guards against cycles.
  for (let depth = 0; typeof error === "object" && error !== null; depth++) {
    const own = classifyOwn(error);
    const cause = (error as { cause?: unknown }).cause;
    if (own !== "unknown" || depth >= MAX_CAUSE_DEPTH || cause === error) return own;
    error = cause;
  }
  return "unknown";
}

function classifyOwn(error: object): ErrorKind {
  if (error instanceof ResilientJobsError) {
    if (error instanceof PermanentError || error instanceof InvalidOptionError) return "permanent";
    if (error instanceof TransientError) return "transient";
    // TimeoutError, CircuitOpenError and AbortedError by the code each always has: a bundle that only
    // classifies errors (a Lambda handler's) then carries none of those classes.
    if (error.code === "TIMEOUT" || error.code === "CIRCUIT_OPEN") return "transient";
    // A failing dependency (even a misconfigured one: a missing table) is not the message's fault: never
    // dead-letter a message for it. The consumer pauses on these (isDependencyFailure).
    if (DEPENDENCY_CODES.has(error.code)) return "transient";
    if (error.code === "ABORTED") return "aborted";
    // RetriesExhaustedError and other wrappers fall through to their `cause`.
  }
  const { name, code, $retryable } = error as { name?: unknown; code?: unknown; $retryable?: unknown };
  if (name === "AbortError") return "aborted";
  if ($retryable || isTransientName(name) || NETWORK_ERROR_CODES.has(code as string) || isTransientName(code)) {
    return "transient";
  }
  const status = httpStatusOf(error);
  if (status === undefined) return VALIDATION_NAMES.has(name as string) ? "permanent" : "unknown";
  if (status === 408 || status === 425 || status === 429) return "transient";
  if (status >= 500) return status === 501 || status === 505 ? "permanent" : "transient";
  return status >= 400 ? "permanent" : "unknown";
}

function isTransientName(name: unknown): boolean {
  return typeof name === "string" && (TRANSIENT_NAMES.has(name) || THROTTLING.test(name));
}

/** The HTTP status of an AWS SDK v3 error (`$metadata`), a Node/fetch-style error, or an axios-style error. */
function httpStatusOf(error: object): number | undefined {
  const e = error as {
    $metadata?: { httpStatusCode?: unknown };
    statusCode?: unknown;
    status?: unknown;
    response?: { status?: unknown; statusCode?: unknown };
  };
  for (const candidate of [
    e.$metadata?.httpStatusCode,
    e.statusCode,
    e.status,
    e.response?.status,
    e.response?.statusCode,
  ]) {
    if (Number.isInteger(candidate) && (candidate as number) >= 100 && (candidate as number) <= 599) {
      return candidate as number;
    }
  }
  return undefined;
}
