/**
 * Sending a permanently failing record to a dead-letter queue at once, instead of letting the queue redeliver
 * it `maxReceiveCount` times first. The AWS SDK is loaded only when a record is actually sent to an SQS queue,
 * never when this package is imported.
 */
import {
  type DeadLetterOrigin,
  type DeadLetterReason,
  deadLetterAttributes,
  InvalidOptionError,
  isRetryable,
  type Logger,
  type MessageAttributeValue,
  PermanentError,
} from "@resilient-jobs/core";
import type { SnsEventRecord, SqsMessageAttribute, SqsRecord } from "./events.js";

/**
 * Where a handler sends permanently failing records at once, and which failures those are: the `deadLetter`
 * option. `sqsDeadLetterQueue()` builds one for an SQS queue, `deadLetterTarget({ send, retryable })` one of yours.
 * The classifier and the code that routes a failure live here, not in the handler, because only dead-lettering
 * needs them: a handler without a target bundles none of it.
 */
export interface DeadLetterTarget<R> {
  /** Stores, forwards or alerts on one record. Reject to have the record reported for redelivery instead. */
  send(record: R, reason: DeadLetterReason): Promise<void>;
  /**
   * True when a handler's error is worth a retry (the record is reported), false when it is permanent (the
   * record is sent here). Decode and schema failures are always permanent. `isRetryable` from
   * `@resilient-jobs/core` is what `sqsDeadLetterQueue` uses and what the ECS consumer uses by default.
   */
  retryable(error: unknown): boolean;
  /**
   * Routes one failed record: sends a permanent failure (and logs it), or rethrows `error` to have the record
   * reported. Written by `deadLetterTarget`; the handlers call it.
   */
  readonly route: DeadLetterRoute<R>;
}

/**
 * {@link DeadLetterTarget.route}: `record` failed with `error`; `badInput` when no message was built (the body
 * failed to decode, or its payload to load); `log` is the invocation's logger, `messageId` the record's id for
 * it; `answered()` turns true once the invocation has answered (out of time), after which nothing is logged.
 */
export type DeadLetterRoute<R> = (
  record: R,
  error: unknown,
  badInput: boolean,
  log: Logger,
  messageId: string,
  answered: () => boolean,
) => Promise<void>;

/**
 * A dead-letter target of your own: `send` stores the record, `retryable` says which handler errors are worth a
 * retry (the others are sent). Pass it as `deadLetter`.
 *
 * @example
 * ```ts
 * const keepForSupport = deadLetterTarget<SqsRecord>({
 *   send: async (record, reason) => saveFailedOrder(record.messageId, reason),
 *   retryable: isRetryable,
 * });
 * ```
 * @throws InvalidOptionError when `send` or `retryable` is not a function.
 */
export function deadLetterTarget<R>(target: Pick<DeadLetterTarget<R>, "send" | "retryable">): DeadLetterTarget<R> {
  const { send, retryable } = (target ?? {}) as Partial<DeadLetterTarget<R>>;
  if (typeof send !== "function") throw new InvalidOptionError("send", "a function", send);
  if (typeof retryable !== "function") throw new InvalidOptionError("retryable", "a function", retryable);
  const route: DeadLetterRoute<R> = async (record, error, badInput, log, messageId, answered) => {
    // Bad input (a permanent decode failure) is sent whatever the classifier says; a transient one (a large
    // payload's store throttled) is retried like a handler's error the classifier calls worth a retry.
    if ((!badInput || !(error instanceof PermanentError)) && retryable(error)) throw error;
    const reason = deadLetterReasonOf(error);
    const fields = { messageId, code: reason.code, error };
    try {
      await send(record, reason);
    } catch (sendError) {
      if (!answered()) log.error("dead-letter failed; record reported for redelivery", { ...fields, error: sendError });
      throw error;
    }
    log.warn("record sent to the dead-letter queue", fields);
  };
  return Object.freeze({ send, retryable, route });
}

/** The reason stored with a dead-lettered record: the error's stable code and message (never the body). */
function deadLetterReasonOf(error: unknown): DeadLetterReason {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? `${error.name}: ${error.message}` : `a thrown ${typeof error}`;
  return { code: typeof code === "string" ? code : "PERMANENT", message };
}

/** The part of an AWS SDK v3 `SQSClient` used here: `send`. Pass your `SQSClient`. */
export interface SqsClientLike {
  send(command: object): Promise<unknown>;
}

/** An SQS dead-letter queue and the client to reach it: the argument of {@link sqsDeadLetterQueue}. */
export interface SqsDeadLetterQueue {
  /** The DLQ's URL. A `.fifo` queue gets the record's message group and its message id as deduplication id. */
  queueUrl: string;
  /** Your `SQSClient`, created once per execution environment. */
  client: SqsClientLike;
  /**
   * Which handler errors are worth a retry (reported) rather than permanent (sent to this queue).
   * @defaultValue `isRetryable`: `PermanentError`s, schema errors and HTTP 4xx (but 408/425/429) are permanent
   */
  retryable?: (error: unknown) => boolean;
}

// Names of the attributes that say why a record was dead-lettered: core's, shared with the SQS adapter.
export { DEAD_LETTER_ATTRIBUTES } from "@resilient-jobs/core";

/**
 * A dead-letter target that sends to an SQS queue (standard or FIFO) with your client: pass it as `deadLetter`.
 * The message keeps the record's body, attributes (data types kept) and X-Ray trace header, and gains the same
 * reason attributes the SQS adapter writes ({@link DEAD_LETTER_ATTRIBUTES}: code, reason, source message id,
 * and for SQS records the source queue, from `eventSourceARN`, and the receive count). SQS allows 10
 * attributes: when the record's own and the reason do not fit together, the reason wins and the rest travel as
 * JSON in `deadLetterOriginalAttributes`, which the SQS adapter's redrive unpacks. A separate function, so
 * handlers that do not use it do not bundle it.
 *
 * @example
 * ```ts
 * const sqs = new SQSClient({}); // once per execution environment
 * export const handler = sqsHandler(placeOrder, {
 *   deadLetter: sqsDeadLetterQueue({ queueUrl: process.env.ORDERS_DLQ_URL!, client: sqs }),
 * });
 * ```
 * @throws InvalidOptionError when `queueUrl` is not a URL, `client` has no `send` or `retryable` is not a function.
 */
export function sqsDeadLetterQueue(queue: SqsDeadLetterQueue): DeadLetterTarget<SqsRecord | SnsEventRecord> {
  const { queueUrl, client, retryable = isRetryable } = (queue ?? {}) as Partial<SqsDeadLetterQueue>;
  if (typeof queueUrl !== "string" || !/^https?:\/\//.test(queueUrl)) {
    throw new InvalidOptionError("queueUrl", "an SQS queue URL", queueUrl);
  }
  if (typeof client?.send !== "function") {
    throw new InvalidOptionError("client", "an SQSClient (something with `send`)", client);
  }
  if (typeof retryable !== "function") throw new InvalidOptionError("retryable", "a function", retryable);
  const fifo = queueUrl.endsWith(".fifo");
  const send = async (record: SqsRecord | SnsEventRecord, reason: DeadLetterReason): Promise<void> => {
    // Loaded on first use: the Lambda runtime ships the SDK, and importing it at init would slow every cold start.
    const { SendMessageCommand } = await import("@aws-sdk/client-sqs");
    const message = isSqsRecord(record) ? fromSqsRecord(record, reason) : fromSnsRecord(record, reason);
    await client.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: message.body,
        MessageAttributes: message.attributes,
        ...(message.traceHeader === undefined
          ? {}
          : { MessageSystemAttributes: { AWSTraceHeader: { DataType: "String", StringValue: message.traceHeader } } }),
        ...(fifo ? { MessageGroupId: message.groupId ?? message.id, MessageDeduplicationId: message.id } : {}),
      }),
    );
  };
  return deadLetterTarget({ send, retryable });
}

interface OutgoingMessage {
  id: string;
  body: string;
  groupId: string | undefined;
  traceHeader: string | undefined;
  attributes: Record<string, MessageAttributeValue>;
}

function isSqsRecord(record: SqsRecord | SnsEventRecord): record is SqsRecord {
  return typeof (record as SqsRecord).messageId === "string";
}

function fromSqsRecord(record: SqsRecord, reason: DeadLetterReason): OutgoingMessage {
  const originals: Record<string, MessageAttributeValue> = {};
  for (const [name, attribute] of Object.entries(record.messageAttributes ?? {})) {
    originals[name] = toSdkAttribute(attribute);
  }
  const origin: DeadLetterOrigin = {
    reason,
    sourceMessageId: record.messageId,
    sourceQueue: queueUrlOf(record.eventSourceARN),
    // deadLetterAttributes leaves out a count that is not an integer (a hand-built record without one).
    receiveCount: Number(record.attributes.ApproximateReceiveCount),
  };
  return {
    id: record.messageId,
    body: record.body,
    groupId: record.attributes.MessageGroupId,
    traceHeader: record.attributes.AWSTraceHeader,
    attributes: deadLetterAttributes(originals, origin),
  };
}

function fromSnsRecord(record: SnsEventRecord, reason: DeadLetterReason): OutgoingMessage {
  const originals: Record<string, MessageAttributeValue> = {};
  for (const [name, attribute] of Object.entries(record.Sns.MessageAttributes ?? {})) {
    originals[name] =
      attribute.Type === "Binary"
        ? { DataType: "Binary", BinaryValue: Buffer.from(attribute.Value, "base64") }
        : { DataType: attribute.Type === "String.Array" ? "String" : attribute.Type, StringValue: attribute.Value };
  }
  // An SNS notification comes from a topic, not a queue, and Lambda does not say which retry an invocation is.
  const origin: DeadLetterOrigin = {
    reason,
    sourceMessageId: record.Sns.MessageId,
    sourceQueue: undefined,
    receiveCount: undefined,
  };
  return {
    id: record.Sns.MessageId,
    body: record.Sns.Message,
    groupId: undefined,
    traceHeader: undefined,
    attributes: deadLetterAttributes(originals, origin),
  };
}

function toSdkAttribute(attribute: SqsMessageAttribute): MessageAttributeValue {
  if (attribute.binaryValue !== undefined) {
    return { DataType: attribute.dataType, BinaryValue: Buffer.from(attribute.binaryValue, "base64") };
  }
  return { DataType: attribute.dataType, StringValue: attribute.stringValue ?? "" };
}

/**
 * The queue URL of an SQS ARN (`arn:aws:sqs:eu-west-1:123456789012:orders` to
 * `https://sqs.eu-west-1.amazonaws.com/123456789012/orders`), in the partition's domain; undefined for anything
 * else, so the dead letter then simply carries no source queue.
 */
export function queueUrlOf(arn: string | undefined): string | undefined {
  const match = /^arn:(aws(?:-cn|-us-gov)?):sqs:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,80}(?:\.fifo)?)$/.exec(
    arn ?? "",
  );
  if (match === null) return undefined;
  const [, partition, region, account, name] = match;
  const domain = partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com";
  return `https://sqs.${region}.${domain}/${account}/${name}`;
}
