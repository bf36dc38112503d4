import {
  IdempotencyRecordRejectedError,
  IdempotencyStoreError,
  type IdempotencyStoreOperation,
  IdempotencyStoreUnavailableError,
} from "../idempotency/storeErrors.js";

/** What the SDK puts on the errors it throws (service errors and network failures alike). */
interface SdkErrorShape {
  name?: string;
  message?: string;
  $fault?: "client" | "server";
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/** Service errors that mean "too much, too fast, or a hiccup": the same call may succeed later. */
const UNAVAILABLE_ERROR_NAMES = new Set([
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "RequestLimitExceeded",
  "InternalServerError",
  "ServiceUnavailable",
  "ServiceUnavailableException",
  "TransactionConflictException",
  "ReplicatedWriteConflictException",
  "RequestTimeout",
  "RequestTimeoutException",
  "TimeoutError",
]);

/** What to do about the errors a retry will not fix; `command` is the DynamoDB call that failed. */
const HINTS: Record<string, (command: string) => string> = {
  ResourceNotFoundException: () =>
    "create the table (createIdempotencyTable() or docs/idempotency.md) or fix `tableName` and the client's region",
  AccessDeniedException: (command) =>
    `grant dynamodb:${command} on the table (the store needs PutItem, GetItem, UpdateItem, DeleteItem and, for its start-up check, DescribeTable)`,
  UnrecognizedClientException: () =>
    "check the AWS credentials the client uses (an access key unknown in this region's partition is refused too)",
  ValidationException: () => "check the key (at most 2,048 bytes) and the result size (an item is at most 400 KB)",
};

/** True when a failed DynamoDB call is worth retrying: throttled, a 5xx, or the service was not reached. */
export function isUnavailableError(err: unknown): boolean {
  if (err === null || typeof err !== "object") return false;
  const sdk = err as SdkErrorShape;
  if (sdk.name !== undefined && UNAVAILABLE_ERROR_NAMES.has(sdk.name)) return true;
  if (sdk.$retryable || sdk.$fault === "server") return true;
  const status = sdk.$metadata?.httpStatusCode;
  if (status !== undefined) return status >= 500 || status === 429;
  // The SDK attaches $metadata without a status to network failures (ECONNREFUSED, a socket timeout).
  return sdk.$metadata !== undefined;
}

/**
 * Maps a failed DynamoDB call to a store error: `IdempotencyStoreUnavailableError` (transient) when a retry
 * may succeed, `IdempotencyRecordRejectedError` (permanent, this message's) when DynamoDB refused the record
 * itself, `IdempotencyStoreError` with a hint otherwise. `location` names the table and the region
 * (`table "idempotency" in us-east-1`, see `describeTableLocation`). The SDK error stays as `cause`.
 */
export function storeErrorFromDynamo(
  operation: IdempotencyStoreOperation,
  command: string,
  location: string,
  err: unknown,
): IdempotencyStoreError | IdempotencyStoreUnavailableError | IdempotencyRecordRejectedError {
  const sdk = (err ?? {}) as SdkErrorShape;
  const what = `Idempotency store ${operation} (DynamoDB ${command} on ${location}) failed with ${sdk.name ?? "an error"}: ${sdk.message ?? String(err)}`;
  if (isUnavailableError(err)) {
    // No HTTP status: the service was not reached at all, which a wrong endpoint also looks like.
    const unreached = sdk.$metadata?.httpStatusCode === undefined && sdk.$fault === undefined;
    const hint = unreached ? "retry later; if it persists, check the network and the client's endpoint" : "retry later";
    return new IdempotencyStoreUnavailableError(operation, `${what}; ${hint}`, { cause: err });
  }
  const hint = HINTS[sdk.name ?? ""]?.(command);
  const text = hint ? `${what}; ${hint}` : what;
  if (sdk.name === "ValidationException") return new IdempotencyRecordRejectedError(operation, text, { cause: err });
  return new IdempotencyStoreError(operation, text, { cause: err });
}
