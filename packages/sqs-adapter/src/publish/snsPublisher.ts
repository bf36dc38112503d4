import type { SNSClient } from "@aws-sdk/client-sns";
import { InvalidOptionError } from "@resilient-jobs/core";
import type { EncodedMessage, OutgoingMessage } from "./encodeMessage.js";
import { encodeAll } from "./encodeMessage.js";
import type { PublishedMessage } from "./errors.js";
import { InvalidMessageError } from "./errors.js";
import { SNS_MAX_MESSAGE_BYTES } from "./limits.js";
import { findInvalidCharacter } from "./messageAttributes.js";
import { encodeRulesFor, offloadAll } from "./offload.js";
import type { PublisherOptions } from "./publisherConfig.js";
import { resolvePublisherConfig } from "./publisherConfig.js";
import type { ChunkResult, SendChunk } from "./sendInChunks.js";
import { sendInChunks } from "./sendInChunks.js";
import type { PublishCallOptions } from "./sqsPublisher.js";
import { singleSendError } from "./sqsPublisher.js";

/** A message for an SNS topic. Its attributes are what subscription filter policies match on. */
export interface SnsMessage extends OutgoingMessage {
  /**
   * FIFO MessageGroupId (required on FIFO topics).
   * @defaultValue none
   */
  groupId?: string;
  /**
   * FIFO MessageDeduplicationId.
   * @defaultValue none (the topic's content-based deduplication, if enabled)
   */
  deduplicationId?: string;
  /**
   * Subject for email subscriptions; SQS subscribers see it in the envelope. Under 100 printable ASCII characters.
   * @defaultValue none
   */
  subject?: string;
}

/** Options of {@link createSnsPublisher}. */
export interface SnsPublisherOptions extends PublisherOptions {
  /** The SNS client. `@aws-sdk/client-sns` is an optional peer: it is loaded on the first publish. */
  client: SNSClient;
  /** The topic's ARN; an ARN ending in `.fifo` is treated as a FIFO topic. */
  topicArn: string;
}

/** Publishes messages to one SNS topic. */
export interface SnsPublisher {
  /** The topic messages go to. */
  readonly topicArn: string;
  /** Publishes one message (Publish). Throws InvalidMessageError / MessageTooLargeError before any call. */
  publish(message: SnsMessage, options?: PublishCallOptions): Promise<PublishedMessage>;
  /**
   * Publishes many messages with PublishBatch (at most 10 entries and `maxBatchBytes` per request), retrying only
   * entries that failed with a server fault. Throws PartialPublishError if some could not be published.
   */
  publishBatch(messages: readonly SnsMessage[], options?: PublishCallOptions): Promise<PublishedMessage[]>;
}

// SNS ARN: arn:<partition>:sns:<region>:<account>:<topic name>
const TOPIC_ARN = /^arn:[a-z-]+:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(?:\.fifo)?$/;
const SUBJECT = /^[\x20-\x7E]{1,99}$/;

type SnsCommands = Pick<typeof import("@aws-sdk/client-sns"), "PublishCommand" | "PublishBatchCommand">;
let snsCommands: Promise<SnsCommands> | undefined;

// Loaded on first use so that importing the package root never loads the SNS client (an optional peer).
function loadSnsCommands(): Promise<SnsCommands> {
  snsCommands ??= import("@aws-sdk/client-sns");
  return snsCommands;
}

/**
 * Creates a publisher for an SNS topic. Like the SQS publisher, every message carries a correlation id and
 * the W3C trace context as message attributes, and is validated (256 KiB, 10 attributes, names, types)
 * before any call. SQS queues subscribed to the topic receive the message in the SNS envelope unless the
 * subscription has RawMessageDelivery; core's decoder unwraps both to the same body.
 * @throws InvalidOptionError when an option is invalid.
 */
export function createSnsPublisher(options: SnsPublisherOptions): SnsPublisher {
  const { client, topicArn } = options;
  if (!client || typeof (client as { send?: unknown }).send !== "function") {
    throw new InvalidOptionError("client", "an SNSClient", client);
  }
  if (typeof topicArn !== "string" || !TOPIC_ARN.test(topicArn)) {
    throw new InvalidOptionError("topicArn", "a topic ARN (arn:aws:sns:<region>:<account>:<name>)", topicArn);
  }
  const config = resolvePublisherConfig(options, SNS_MAX_MESSAGE_BYTES);
  const fifo = topicArn.endsWith(".fifo");
  const rules = encodeRulesFor(config, fifo);
  const chunkConfig = { ...config, target: topicArn, fifo };

  const encode = (messages: readonly SnsMessage[]) =>
    encodeAll(messages, rules, config.traceContext(), (message, location) => {
      const subject = message.subject;
      if (
        subject !== undefined &&
        (typeof subject !== "string" || !SUBJECT.test(subject) || findInvalidCharacter(subject))
      ) {
        throw new InvalidMessageError(
          "subject",
          "must be 1-99 printable ASCII characters without line breaks",
          location,
        );
      }
    });

  return {
    topicArn,
    async publish(message, callOptions = {}) {
      const [entry] = (await offloadAll(encode([message]), config, callOptions.signal)) as [EncodedMessage];
      const sendOne: SendChunk = async (_entries, signal): Promise<ChunkResult> => {
        const { PublishCommand } = await loadSnsCommands();
        const out = await client.send(
          new PublishCommand({ TopicArn: topicArn, ...toSnsFields(entry, message.subject) }),
          {
            abortSignal: signal,
          },
        );
        return { Successful: [{ Id: entry.id, MessageId: out.MessageId, SequenceNumber: out.SequenceNumber }] };
      };
      try {
        const [published] = await sendInChunks([entry], sendOne, chunkConfig, callOptions.signal);
        return published as PublishedMessage;
      } catch (err) {
        throw singleSendError(err, topicArn, "Publish");
      }
    },
    async publishBatch(messages, callOptions = {}) {
      if (messages.length === 0) return [];
      const entries = await offloadAll(encode(messages), config, callOptions.signal);
      const sendChunk: SendChunk = async (chunk, signal) => {
        const { PublishBatchCommand } = await loadSnsCommands();
        return client.send(
          new PublishBatchCommand({
            TopicArn: topicArn,
            PublishBatchRequestEntries: chunk.map((entry) => ({
              Id: entry.id,
              ...toSnsFields(entry, messages[entry.index]?.subject),
            })),
          }),
          { abortSignal: signal },
        );
      };
      return sendInChunks(entries, sendChunk, chunkConfig, callOptions.signal);
    },
  };
}

function toSnsFields(entry: EncodedMessage, subject: string | undefined) {
  return {
    Message: entry.body,
    MessageAttributes: entry.attributes,
    ...(subject === undefined ? {} : { Subject: subject }),
    ...(entry.groupId === undefined ? {} : { MessageGroupId: entry.groupId }),
    ...(entry.deduplicationId === undefined ? {} : { MessageDeduplicationId: entry.deduplicationId }),
  };
}
