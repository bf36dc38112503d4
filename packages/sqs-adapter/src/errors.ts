/**
 * Errors of `@resilient-jobs/sqs-adapter`, and the one place where AWS SDK
 * errors are recognised. SDK exception classes differ between AWS and
 * emulators (fauxqs prefixes codes with `AWS.SimpleQueueService.`; the JSON
 * protocol names `QueueDoesNotExist` what the query protocol called
 * `AWS.SimpleQueueService.NonExistentQueue`), so code elsewhere must branch on
 * {@link normalizeAwsError}'s result, never on `instanceof` or raw names.
 */
import { ResilientJobsError } from "@resilient-jobs/core";

/** Canonical names {@link normalizeAwsError} maps SDK errors to. Other names pass through unchanged. */
export type SqsErrorName =
  | "QueueDoesNotExist"
  | "ReceiptHandleIsInvalid"
  | "MessageNotInflight"
  | "InvalidParameterValue"
  | "AccessDenied"
  | "CredentialsError"
  | "Throttling"
  | "OverLimit"
  | "BatchEntryIdsNotDistinct"
  | "TooManyEntriesInBatchRequest"
  | "EmptyBatchRequest"
  | "PurgeQueueInProgress"
  | "QueueNameExists"
  | "UnsupportedOperation"
  | "ServiceUnavailable"
  | "InternalError"
  | "NetworkError"
  | "Unknown";

/** An AWS error reduced to what callers branch on. */
export interface NormalizedAwsError {
  /** Canonical name (see {@link SqsErrorName}), or the SDK's name with any `AWS.SimpleQueueService.` prefix removed. */
  readonly name: SqsErrorName | (string & {});
  /** The wire code as AWS or the emulator sent it, prefix removed (`NonExistentQueue`, `ThrottlingException`); equals `name` when none was sent. */
  readonly code: string;
  /** HTTP status of the response; undefined when no response arrived (network error). */
  readonly httpStatus: number | undefined;
  /** True when the same call may succeed if retried after a backoff (throttling, 5xx, network). */
  readonly retryable: boolean;
  /** True when AWS asked us to slow down: back off longer than for a plain 5xx. */
  readonly throttling: boolean;
}

const QUERY_PREFIX = "AWS.SimpleQueueService.";

/** Wire names and codes (prefix removed) that mean the same thing, mapped to one canonical name. */
const ALIASES: Readonly<Record<string, SqsErrorName>> = {
  QueueDoesNotExist: "QueueDoesNotExist",
  NonExistentQueue: "QueueDoesNotExist",
  ReceiptHandleIsInvalid: "ReceiptHandleIsInvalid",
  InvalidReceiptHandle: "ReceiptHandleIsInvalid",
  MessageNotInflight: "MessageNotInflight",
  InvalidParameterValue: "InvalidParameterValue",
  InvalidParameterValueException: "InvalidParameterValue",
  InvalidAttributeValue: "InvalidParameterValue",
  InvalidAttributeName: "InvalidParameterValue",
  InvalidMessageContents: "InvalidParameterValue",
  InvalidBatchEntryId: "InvalidParameterValue",
  MissingParameter: "InvalidParameterValue",
  ValidationError: "InvalidParameterValue",
  ValidationException: "InvalidParameterValue",
  AccessDenied: "AccessDenied",
  AccessDeniedException: "AccessDenied",
  KmsAccessDenied: "AccessDenied",
  InvalidSecurity: "AccessDenied",
  UnrecognizedClientException: "CredentialsError",
  InvalidClientTokenId: "CredentialsError",
  SignatureDoesNotMatch: "CredentialsError",
  ExpiredToken: "CredentialsError",
  ExpiredTokenException: "CredentialsError",
  IncompleteSignature: "CredentialsError",
  MissingAuthenticationToken: "CredentialsError",
  CredentialsProviderError: "CredentialsError",
  Throttling: "Throttling",
  ThrottlingException: "Throttling",
  RequestThrottled: "Throttling",
  RequestThrottledException: "Throttling",
  TooManyRequestsException: "Throttling",
  SlowDown: "Throttling",
  KmsThrottled: "Throttling",
  OverLimit: "OverLimit",
  BatchEntryIdsNotDistinct: "BatchEntryIdsNotDistinct",
  TooManyEntriesInBatchRequest: "TooManyEntriesInBatchRequest",
  EmptyBatchRequest: "EmptyBatchRequest",
  PurgeQueueInProgress: "PurgeQueueInProgress",
  QueueNameExists: "QueueNameExists",
  QueueAlreadyExists: "QueueNameExists",
  UnsupportedOperation: "UnsupportedOperation",
  ServiceUnavailable: "ServiceUnavailable",
  InternalError: "InternalError",
  InternalFailure: "InternalError",
  InternalServerError: "InternalError",
};

const REVERSE_CANONICAL: Readonly<Record<string, true>> = Object.fromEntries(
  Object.values(ALIASES).map((n) => [n, true] as const),
);

const THROTTLING = new Set<string>(["Throttling"]);
const RETRYABLE = new Set<string>(["Throttling", "ServiceUnavailable", "InternalError", "NetworkError"]);
/** Node socket errors: no response arrived, the request may or may not have been applied. */
const NETWORK_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "TimeoutError",
  "RequestTimeout",
  "RequestTimeoutException",
]);

function stripPrefix(value: string): string {
  return value.startsWith(QUERY_PREFIX) ? value.slice(QUERY_PREFIX.length) : value;
}

function stringField(err: object, key: string): string | undefined {
  const value = (err as Record<string, unknown>)[key];
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

/**
 * Reduces any error thrown by an AWS SDK v3 call (or by the network under it),
 * or a failed entry of a batch result (`{ Id, Code, SenderFault }`), to
 * `{ name, code, httpStatus, retryable, throttling }`. Works the same for
 * AWS and fauxqs: the `AWS.SimpleQueueService.` prefix is removed and known
 * aliases map to one canonical name. Never throws.
 */
export function normalizeAwsError(err: unknown): NormalizedAwsError {
  if (typeof err !== "object" || err === null) {
    return { name: "Unknown", code: "Unknown", httpStatus: undefined, retryable: false, throttling: false };
  }
  const meta = (err as { $metadata?: { httpStatusCode?: unknown } }).$metadata;
  const httpStatus = typeof meta?.httpStatusCode === "number" ? meta.httpStatusCode : undefined;
  // The query-compatible JSON protocol puts the legacy code in `Code` (and the x-amzn-query-error header).
  const rawName = stripPrefix(stringField(err, "name") ?? "Error");
  const rawCode = stripPrefix(stringField(err, "Code") ?? stringField(err, "code") ?? rawName);
  let name: string =
    ALIASES[rawCode] ?? ALIASES[rawName] ?? (rawName === "Error" || rawName === "TypeError" ? rawCode : rawName);

  const sdkRetryable = (err as { $retryable?: { throttling?: boolean } }).$retryable;
  if (sdkRetryable?.throttling === true || httpStatus === 429) name = "Throttling";
  if (!(name in REVERSE_CANONICAL)) {
    // The SDK attaches `$metadata` without a status to failures where no response arrived.
    const noResponse = httpStatus === undefined && (isAwsSdkError(err) || NETWORK_CODES.has(rawCode));
    if (noResponse && (NETWORK_CODES.has(rawCode) || NETWORK_CODES.has(rawName) || "$metadata" in err)) {
      name = "NetworkError";
    } else if (httpStatus === 503) name = "ServiceUnavailable";
    else if (httpStatus !== undefined && httpStatus >= 500) name = "InternalError";
  }
  // A failed entry of a batch call (`{ Id, Code, SenderFault }`) says who is at fault the same way `$fault` does.
  const senderFault = (err as { SenderFault?: unknown }).SenderFault;
  const fault =
    typeof senderFault === "boolean" ? (senderFault ? "client" : "server") : (err as { $fault?: unknown }).$fault;
  const throttling = THROTTLING.has(name);
  const retryable =
    RETRYABLE.has(name) ||
    (sdkRetryable !== undefined && sdkRetryable !== null) ||
    (fault === "server" && !(name in REVERSE_CANONICAL && !RETRYABLE.has(name)));
  return { name, code: rawCode, httpStatus, retryable, throttling };
}

/** Where in the adapter an {@link SqsAdapterError} came from, for logs and metrics. */
export interface SqsAdapterErrorOptions {
  /** The SDK error (or other failure) being wrapped. */
  cause?: unknown;
  /** The SQS/SNS operation that failed (`ReceiveMessage`, `DeleteMessageBatch`, ...). */
  operation?: string;
  /** The queue (or topic) the operation addressed. */
  target?: string;
  /** The normalised AWS error, when it does not come from `cause` (a failed entry of a batch result). */
  aws?: NormalizedAwsError;
}

/**
 * Base error of `@resilient-jobs/sqs-adapter`. Its stable `code` is `"QUEUE"`;
 * `aws` holds the normalised AWS error when the cause was one, so callers
 * branch on `err.aws?.name` (`"QueueDoesNotExist"`, `"AccessDenied"`, ...).
 */
export class SqsAdapterError extends ResilientJobsError {
  override name = "SqsAdapterError";
  /** The SQS/SNS operation that failed, when known. */
  readonly operation: string | undefined;
  /** The queue URL or topic ARN addressed, when known. */
  readonly target: string | undefined;
  /** The normalised AWS error, when the cause came from the AWS SDK. */
  readonly aws: NormalizedAwsError | undefined;

  constructor(message: string, options: SqsAdapterErrorOptions = {}) {
    super("QUEUE", message, { cause: options.cause });
    this.operation = options.operation;
    this.target = options.target;
    this.aws = options.aws ?? (isAwsSdkError(options.cause) ? normalizeAwsError(options.cause) : undefined);
  }
}

/** True when `err` looks like an AWS SDK v3 service or client error (has `$metadata` or `$fault`). */
export function isAwsSdkError(err: unknown): boolean {
  return typeof err === "object" && err !== null && ("$metadata" in err || "$fault" in err);
}

/**
 * A receipt handle was rejected on delete or visibility change: the message was
 * received again since (its visibility ran out), so another receive owns it now.
 * Not retried: the owner of the newer receive will finish or retry it.
 */
export class ReceiptHandleExpiredError extends SqsAdapterError {
  override name = "ReceiptHandleExpiredError";
  /** The id of the message whose handle expired. */
  readonly messageId: string;

  constructor(messageId: string, options: SqsAdapterErrorOptions = {}) {
    super(
      `The receipt handle of message ${messageId} is no longer valid: the message became visible and was received again; the newer receive owns it now (consider a longer visibility timeout or heartbeat)`,
      options,
    );
    this.messageId = messageId;
  }
}

/**
 * `SqsSource.deadLetter` could not move a message. `copied` says which step failed: false, the send to the
 * dead-letter queue (the message is still only in its queue and comes back after its visibility timeout, where
 * the RedrivePolicy still catches it); true, the delete after the send (a copy is in the DLQ and the message comes
 * back in its queue too: at-least-once, never lost).
 */
export class DeadLetterFailedError extends SqsAdapterError {
  override name = "DeadLetterFailedError";
  /** The message's id in its source queue. */
  readonly messageId: string;
  /** Whether the copy reached the dead-letter queue. */
  readonly copied: boolean;

  constructor(messageId: string, copied: boolean, message: string, options: SqsAdapterErrorOptions = {}) {
    super(message, options);
    this.messageId = messageId;
    this.copied = copied;
  }
}
