import { ResilientJobsError } from "../errors.js";

/** Why an in-memory queue refused an operation, named after the SQS error it mirrors. */
export type QueueErrorReason =
  /** The receipt handle is not the message's latest one (it was received again, or deleted): SQS ReceiptHandleIsInvalid. */
  | "RECEIPT_HANDLE_INVALID"
  /** The message is no longer invisible (its visibility timeout passed): SQS MessageNotInflight. */
  | "MESSAGE_NOT_IN_FLIGHT"
  /** The change would keep the message invisible past 12 hours after its receive: SQS InvalidParameterValue. */
  | "VISIBILITY_LIMIT_EXCEEDED"
  /** The queue was closed. */
  | "QUEUE_CLOSED";

/** An in-memory queue operation failed for one message or as a whole. `reason` says which SQS rule was hit. */
export class QueueError extends ResilientJobsError {
  override name = "QueueError";
  /** Which rule refused the operation. */
  readonly reason: QueueErrorReason;
  /** The message concerned, when the error is about one. */
  readonly messageId: string | undefined;

  constructor(reason: QueueErrorReason, message: string, messageId?: string) {
    super("QUEUE", message);
    this.reason = reason;
    this.messageId = messageId;
  }
}

/** True when `err` is a {@link QueueError}, optionally with the given reason. */
export function isQueueError(err: unknown, reason?: QueueErrorReason): err is QueueError {
  return err instanceof QueueError && (reason === undefined || err.reason === reason);
}

/** The error of an ack, extend or dead-letter whose receipt handle is not the latest one. */
export function receiptHandleInvalid(queueName: string, messageId: string): QueueError {
  return new QueueError(
    "RECEIPT_HANDLE_INVALID",
    `Receipt handle of message ${messageId} on queue "${queueName}" is no longer valid: the message was deleted or received again; the newer receive owns it`,
    messageId,
  );
}
