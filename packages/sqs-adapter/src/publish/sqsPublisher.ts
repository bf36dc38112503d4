import type { SQSClient } from "@aws-sdk/client-sqs";
import { SendMessageBatchCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { InvalidOptionError } from "@resilient-jobs/core";
import { SqsAdapterError } from "../errors.js";
import type { EncodedMessage, OutgoingMessage } from "./encodeMessage.js";
import { encodeAll } from "./encodeMessage.js";
import type { PublishedMessage } from "./errors.js";
import { InvalidMessageError, PartialPublishError } from "./errors.js";
import { MAX_DELAY_SECONDS, SQS_MAX_MESSAGE_BYTES } from "./limits.js";
import { encodeRulesFor, offloadAll } from "./offload.js";
import type { PublisherOptions } from "./publisherConfig.js";
import { resolvePublisherConfig } from "./publisherConfig.js";
import type { ChunkResult, SendChunk } from "./sendInChunks.js";
import { sendInChunks } from "./sendInChunks.js";

/** A message for an SQS queue. */
export interface SqsMessage extends OutgoingMessage {
  /**
   * FIFO MessageGroupId (required on FIFO queues; on standard queues it enables fair queuing).
   * @defaultValue none
   */
  groupId?: string;
  /**
   * FIFO MessageDeduplicationId: a resend with the same id within 5 minutes is dropped. Derive it from the
   * logical identity (the order id) so that a retried publish does not enqueue twice.
   * @defaultValue none (the queue's content-based deduplication, if enabled)
   */
  deduplicationId?: string;
  /**
   * Seconds before the message becomes visible, 0-900. Standard queues only: FIFO queues accept a delay
   * only as a queue attribute.
   * @defaultValue the queue's `DelaySeconds`
   */
  delaySeconds?: number;
}

/** Options of {@link createSqsPublisher}. */
export interface SqsPublisherOptions extends PublisherOptions {
  /** The SQS client (region, credentials, endpoint are its business). */
  client: SQSClient;
  /** The queue's URL; a URL ending in `.fifo` is treated as a FIFO queue. */
  queueUrl: string;
}

/** Per-call options of the publishers. */
export interface PublishCallOptions {
  /** Aborts waiting between retries and the request in flight; what was not sent is reported as failed. */
  signal?: AbortSignal;
}

/** Sends messages to one SQS queue. */
export interface SqsPublisher {
  /** The queue messages go to. */
  readonly queueUrl: string;
  /** Sends one message (SendMessage). Throws InvalidMessageError / MessageTooLargeError before any call. */
  send(message: SqsMessage, options?: PublishCallOptions): Promise<PublishedMessage>;
  /**
   * Sends many messages with SendMessageBatch, split into requests of at most 10 entries and
   * `maxBatchBytes`, retrying only entries that failed with a server fault. Resolves with every message in
   * input order; throws PartialPublishError (what went out, what did not) if some could not be sent.
   */
  sendBatch(messages: readonly SqsMessage[], options?: PublishCallOptions): Promise<PublishedMessage[]>;
}

/**
 * Creates a publisher for an SQS queue. Every message carries a correlation id and, when known, the W3C
 * trace context as message attributes, and is checked against AWS's rules before anything is sent
 * (fauxqs accepts some messages AWS rejects: 11 attributes, `AWS.` names, DelaySeconds 901...).
 * @throws InvalidOptionError when an option is invalid.
 */
export function createSqsPublisher(options: SqsPublisherOptions): SqsPublisher {
  const { client, queueUrl } = options;
  if (!client || typeof (client as { send?: unknown }).send !== "function") {
    throw new InvalidOptionError("client", "an SQSClient", client);
  }
  if (typeof queueUrl !== "string" || !URL.canParse(queueUrl)) {
    throw new InvalidOptionError(
      "queueUrl",
      "a queue URL (https://sqs.<region>.amazonaws.com/<account>/<name>)",
      queueUrl,
    );
  }
  const config = resolvePublisherConfig(options, SQS_MAX_MESSAGE_BYTES);
  const fifo = queueUrl.endsWith(".fifo");
  const rules = encodeRulesFor(config, fifo);
  const chunkConfig = { ...config, target: queueUrl, fifo };

  const encode = (messages: readonly SqsMessage[]) =>
    encodeAll(messages, rules, config.traceContext(), (message, location) => {
      const delay = message.delaySeconds;
      if (delay === undefined) return;
      if (!Number.isInteger(delay) || delay < 0 || delay > MAX_DELAY_SECONDS) {
        throw new InvalidMessageError(
          "delaySeconds",
          `must be an integer from 0 to ${MAX_DELAY_SECONDS}, got ${delay}`,
          location,
        );
      }
      if (fifo && delay !== 0) {
        throw new InvalidMessageError(
          "delaySeconds",
          "is not allowed per message on a FIFO queue: set the queue's DelaySeconds",
          location,
        );
      }
    });

  const sendBatchChunk: (delays: readonly (number | undefined)[]) => SendChunk = (delays) => (entries, signal) =>
    client.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: entries.map((entry) => ({ Id: entry.id, ...toSqsFields(entry, delays[entry.index], fifo) })),
      }),
      { abortSignal: signal },
    );

  return {
    queueUrl,
    async send(message, callOptions = {}) {
      const [entry] = (await offloadAll(encode([message]), config, callOptions.signal)) as [EncodedMessage];
      const sendOne: SendChunk = async (_entries, signal): Promise<ChunkResult> => {
        const out = await client.send(
          new SendMessageCommand({ QueueUrl: queueUrl, ...toSqsFields(entry, message.delaySeconds, fifo) }),
          { abortSignal: signal },
        );
        return { Successful: [{ Id: entry.id, MessageId: out.MessageId, SequenceNumber: out.SequenceNumber }] };
      };
      try {
        const [published] = await sendInChunks([entry], sendOne, chunkConfig, callOptions.signal);
        return published as PublishedMessage;
      } catch (err) {
        throw singleSendError(err, queueUrl, "SendMessage");
      }
    },
    async sendBatch(messages, callOptions = {}) {
      if (messages.length === 0) return [];
      const entries = await offloadAll(encode(messages), config, callOptions.signal);
      const delays = messages.map((message) => message.delaySeconds);
      return sendInChunks(entries, sendBatchChunk(delays), chunkConfig, callOptions.signal);
    },
  };
}

function toSqsFields(entry: EncodedMessage, delaySeconds: number | undefined, fifo: boolean) {
  return {
    MessageBody: entry.body,
    MessageAttributes: entry.attributes,
    ...(entry.groupId === undefined ? {} : { MessageGroupId: entry.groupId }),
    ...(entry.deduplicationId === undefined ? {} : { MessageDeduplicationId: entry.deduplicationId }),
    // FIFO queues reject the parameter even as 0.
    ...(delaySeconds === undefined || fifo ? {} : { DelaySeconds: delaySeconds }),
  };
}

/** Turns the batch machinery's error for a one-message send into a plain adapter error with the AWS cause. */
export function singleSendError(err: unknown, target: string, operation: string): unknown {
  if (!(err instanceof PartialPublishError)) return err;
  const failure = err.failed[0];
  return new SqsAdapterError(
    `${operation} to ${target} failed${failure ? `: ${failure.code}: ${failure.message}` : ""}`,
    { cause: err.cause ?? err, operation, target },
  );
}
