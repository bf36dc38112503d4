/**
 * What a handler gets for one Lambda record: the same `ConsumerMessage` and context the ECS consumer passes.
 * Attributes, the raw `QueueMessage` and the child logger are built only when the handler reads them, so a
 * handler that never looks at them costs one object each for the message and the context.
 */
import {
  type ConsumerMessage,
  type DecodedBody,
  type Logger,
  type QueueMessage,
  type SnsNotification,
  withFields,
} from "@resilient-jobs/core";
import type { LambdaContext, SnsEventRecord, SqsRecord } from "./events.js";
import type { LambdaHandlerContext } from "./handlerTypes.js";
import type { InvocationDeadline } from "./invocationDeadline.js";

/**
 * An SQS record as a `ConsumerMessage`. Fields set in the constructor are `declare`d (here and in
 * `RecordContext`): the constructor gives them their shape, so no field definitions are emitted.
 */
export class SqsRecordMessage<T> implements ConsumerMessage<T> {
  declare readonly id: string;
  declare readonly body: T;
  declare readonly receiveCount: number;
  declare readonly sentAt: number;
  declare readonly groupId: string | undefined;
  declare readonly sns: SnsNotification | undefined;
  readonly #record: SqsRecord;
  #attributes: Readonly<Record<string, string>> | undefined;
  #raw: QueueMessage | undefined;

  constructor(record: SqsRecord, { body, sns }: DecodedBody<T>) {
    this.id = record.messageId;
    this.body = body;
    this.receiveCount = Number(record.attributes.ApproximateReceiveCount);
    this.sentAt = Number(record.attributes.SentTimestamp);
    this.groupId = record.attributes.MessageGroupId;
    this.sns = sns;
    this.#record = record;
  }

  /** The message attributes as strings (binary ones base64), plus `AWSTraceHeader` when present, as `SqsSource` does. */
  get attributes(): Readonly<Record<string, string>> {
    this.#attributes ??= sqsAttributesOf(this.#record);
    return this.#attributes;
  }

  get raw(): QueueMessage {
    this.#raw ??= {
      id: this.id,
      body: this.#record.body,
      attributes: this.attributes,
      receiveCount: this.receiveCount,
      sentAt: this.sentAt,
      groupId: this.groupId,
      receiptHandle: this.#record.receiptHandle,
    };
    return this.#raw;
  }
}

function sqsAttributesOf(record: SqsRecord): Readonly<Record<string, string>> {
  const attributes: Record<string, string> = {};
  for (const name in record.messageAttributes) {
    const attribute = record.messageAttributes[name];
    const value = attribute?.stringValue ?? attribute?.binaryValue;
    if (value !== undefined) attributes[name] = value;
  }
  const traceHeader = record.attributes.AWSTraceHeader;
  if (traceHeader !== undefined) attributes.AWSTraceHeader = traceHeader;
  return attributes;
}

/** The SNS notification of an SNS event record, in the shape the decoder gives for an unwrapped envelope. */
export function snsNotificationOf(record: SnsEventRecord): SnsNotification {
  const sns = record.Sns;
  const attributes: Record<string, string> = {};
  for (const name in sns.MessageAttributes) {
    const value = sns.MessageAttributes[name]?.Value;
    if (typeof value === "string") attributes[name] = value;
  }
  const notification: SnsNotification = {
    topicArn: sns.TopicArn,
    messageId: sns.MessageId,
    timestamp: sns.Timestamp,
    message: sns.Message,
    attributes,
  };
  if (typeof sns.Subject === "string") notification.subject = sns.Subject;
  return notification;
}

/** An SNS event record as a `ConsumerMessage`: the notification's id, attributes and publish time. */
export function snsRecordMessage<T>(record: SnsEventRecord, body: T, sns: SnsNotification): ConsumerMessage<T> {
  const sentAt = Date.parse(record.Sns.Timestamp);
  return {
    id: sns.messageId,
    body,
    attributes: sns.attributes,
    // Lambda does not tell an asynchronous invocation which retry it is.
    receiveCount: 1,
    sentAt,
    groupId: undefined,
    sns,
    raw: {
      id: sns.messageId,
      body: sns.message,
      attributes: sns.attributes,
      receiveCount: 1,
      sentAt,
      receiptHandle: "",
    },
  };
}

/** The handler context of one record. The signal and the child logger are built on first use. */
export class RecordContext implements LambdaHandlerContext {
  declare readonly attempt: number;
  declare readonly lambdaContext: LambdaContext;
  readonly #deadline: InvocationDeadline;
  readonly #invocationLog: Logger;
  readonly #messageId: string;
  #log: Logger | undefined;

  constructor(
    deadline: InvocationDeadline,
    message: ConsumerMessage<unknown>,
    lambdaContext: LambdaContext,
    log: Logger,
  ) {
    this.#deadline = deadline;
    this.attempt = message.receiveCount;
    this.lambdaContext = lambdaContext;
    this.#invocationLog = log;
    this.#messageId = message.id;
  }

  /** Fires shortly before the invocation would time out (`abortBeforeTimeoutMs`), with a `TimeoutError`. */
  get signal(): AbortSignal {
    return this.#deadline.signal;
  }

  /** The invocation's logger (request id, cold start) with this record's `messageId`. */
  get log(): Logger {
    this.#log ??= withFields(this.#invocationLog, { messageId: this.#messageId });
    return this.#log;
  }
}
