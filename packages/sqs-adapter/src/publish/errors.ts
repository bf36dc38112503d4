import { PermanentError } from "@resilient-jobs/core";
import { SqsAdapterError } from "../errors.js";

/** Where in a publish call a bad message sits. */
export interface MessageLocation {
  /** Position of the message in the array passed to `sendBatch` / `publishBatch` (0 for single sends). */
  index: number;
  /** The batch entry id, caller-given or generated. */
  id: string;
}

/**
 * A message breaks an SQS/SNS rule that AWS would reject (some of which local emulators accept):
 * thrown before any call is made, naming the field. A PermanentError (code `PERMANENT`), so a consumer
 * whose handler throws it dead-letters instead of retrying: fix the message.
 */
export class InvalidMessageError extends PermanentError {
  override name = "InvalidMessageError";
  /** The offending field, dotted from the message (`attributes.AWS.trace`, `delaySeconds`, `groupId`). */
  readonly field: string;
  /** Position and id of the message in the call. */
  readonly location: MessageLocation;

  constructor(field: string, problem: string, location: MessageLocation) {
    super(`Invalid message ${describeLocation(location)}: \`${field}\` ${problem}`);
    this.field = field;
    this.location = location;
  }
}

/**
 * A message is larger than the service accepts (body + attribute names, types and values, as AWS counts).
 * Thrown before any call is made; a PermanentError (code `PERMANENT`). Offload the payload to S3 and send a
 * reference (the claim-check pattern).
 */
export class MessageTooLargeError extends PermanentError {
  override name = "MessageTooLargeError";
  /** The message's size as AWS counts it, in bytes. */
  readonly sizeBytes: number;
  /** The configured limit, in bytes. */
  readonly limitBytes: number;
  /** Position and id of the message in the call. */
  readonly location: MessageLocation;

  constructor(sizeBytes: number, limitBytes: number, location: MessageLocation) {
    super(
      `Message ${describeLocation(location)} is ${sizeBytes} bytes (body + attributes), over the ${limitBytes}-byte limit: store the payload in S3 and send its key instead (claim check)`,
    );
    this.sizeBytes = sizeBytes;
    this.limitBytes = limitBytes;
    this.location = location;
  }
}

/** One message a batch could not publish, after retries. */
export interface FailedPublish {
  /** Position of the message in the array passed in. */
  readonly index: number;
  /** The batch entry id. */
  readonly id: string;
  /** The correlation id the message carried. */
  readonly correlationId: string;
  /** The service's error code (`InternalError`, `InvalidParameterValue`, ...). */
  readonly code: string;
  /** The service's error message. */
  readonly message: string;
  /** True when the service blamed the request (not retried: it would fail again). */
  readonly senderFault: boolean;
}

/** One message a batch published. */
export interface PublishedMessage {
  /** Position of the message in the array passed in (0 for single sends). */
  readonly index: number;
  /** The batch entry id. */
  readonly id: string;
  /** The id SQS/SNS assigned. */
  readonly messageId: string;
  /** FIFO sequence number, when the queue or topic is FIFO. */
  readonly sequenceNumber?: string;
  /** The correlation id the message carried (given or generated). */
  readonly correlationId: string;
}

/**
 * Some messages of a batch were not published after the retries: `failed` lists them, `successful`
 * the ones that went out (do not send those again). Thrown so that a caller cannot lose messages by
 * forgetting to inspect a result.
 */
export class PartialPublishError extends SqsAdapterError {
  override name = "PartialPublishError";
  /** Messages that were published, by position. */
  readonly successful: readonly PublishedMessage[];
  /** Messages that were not published, by position, with the service's reason. */
  readonly failed: readonly FailedPublish[];

  constructor(
    successful: readonly PublishedMessage[],
    failed: readonly FailedPublish[],
    target: string,
    cause?: unknown,
  ) {
    const first = failed[0];
    super(
      `${failed.length} of ${successful.length + failed.length} messages were not published to ${target}${
        first ? ` (first: ${first.code}: ${first.message})` : ""
      }; resend only the ones in \`failed\``,
      { target, cause },
    );
    this.successful = successful;
    this.failed = failed;
  }
}

function describeLocation(location: MessageLocation): string {
  return `#${location.index} (id "${location.id}")`;
}
