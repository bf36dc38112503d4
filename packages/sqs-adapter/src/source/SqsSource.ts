import { randomUUID } from "node:crypto";
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type MessageSystemAttributeName,
  type QueueAttributeName,
  ReceiveMessageCommand,
  type ReceiveMessageCommandInput,
  type ReceiveMessageCommandOutput,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { BatchOutcome, DeadLetterReason, MessageSource, QueueMessage, ReceiveOptions } from "@resilient-jobs/core";
import { normalizeAwsError, SqsAdapterError } from "../errors.js";
import { batchRetryDelayMs } from "./batchRetryDelay.js";
import { createSqsClientFromEnv } from "./createSqsClientFromEnv.js";
import { createDeadLetterSender, type DeadLetterSender, deadLetterArnOf } from "./deadLetterSender.js";
import { type BatchItemFailure, type BatchRetryContext, sendBatchWithRetry } from "./sendBatchWithRetry.js";
import {
  resolveSqsSourceOptions,
  SQS_LIMITS,
  type SqsSourceConfig,
  type SqsSourceOptions,
} from "./sqsSourceOptions.js";
import { type SqsQueueMessage, toQueueMessage } from "./toQueueMessage.js";
import { createVisibilityBatcher, type VisibilityBatcher, type VisibilityChange } from "./visibilityBatcher.js";

/** What every receive asks SQS for: the consumer needs the receive count, send time, FIFO group and trace header. */
const SYSTEM_ATTRIBUTES: MessageSystemAttributeName[] = [
  "ApproximateReceiveCount",
  "SentTimestamp",
  "MessageGroupId",
  "AWSTraceHeader",
];
/** Entry ids of a batch: the index of the item in the pending array (see sendBatchWithRetry). */
const ENTRY_IDS = Array.from({ length: SQS_LIMITS.maxBatch }, (_, i) => String(i));

/** The function behind {@link SqsSource.deadLetter}. */
export type DeadLetterFunction = (message: QueueMessage, reason: DeadLetterReason) => Promise<void>;

/**
 * A {@link MessageSource} on an SQS queue (standard or FIFO): long-polling
 * receives sized to the free worker slots, batched deletes that retry failed
 * entries, batched visibility changes for heartbeats and retry delays, and
 * dead-lettering with the reason when a dead-letter queue is known.
 *
 * Use {@link createSqsSource} to also read the queue's visibility timeout and RedrivePolicy.
 */
export class SqsSource implements MessageSource {
  /** SQS returns at most 10 messages per receive. */
  readonly maxReceiveBatch = SQS_LIMITS.maxBatch;
  /** The SQS client in use (yours, or one built from the environment). */
  readonly client: SQSClient;
  readonly #config: SqsSourceConfig;
  readonly #ownsClient: boolean;
  readonly #visibility: VisibilityBatcher<SqsQueueMessage>;
  readonly #deleteContext: BatchRetryContext;
  readonly #visibilityContext: BatchRetryContext;
  #visibilityTimeoutMs: number | undefined;
  /** Set once a dead-letter queue is known (option or RedrivePolicy); its presence is what the consumer checks. */
  #deadLetters: DeadLetterSender | undefined;

  constructor(options: SqsSourceOptions) {
    this.#config = resolveSqsSourceOptions(options);
    this.#ownsClient = options.client === undefined;
    this.client = options.client ?? createSqsClientFromEnv(process.env, this.#config.queueUrl);
    this.#visibilityTimeoutMs = this.#config.visibilityTimeoutMs;
    const config = this.#config;
    const retryContext = {
      queueUrl: config.queueUrl,
      attempts: config.batchAttempts,
      delayMs: (attempt: number, throttling: boolean) =>
        batchRetryDelayMs(attempt, throttling, config.batchRetryBaseDelayMs, config.batchRetryMaxDelayMs),
      logger: config.logger,
    };
    this.#deleteContext = Object.freeze({ ...retryContext, operation: "DeleteMessageBatch" });
    this.#visibilityContext = Object.freeze({ ...retryContext, operation: "ChangeMessageVisibilityBatch" });
    this.#visibility = createVisibilityBatcher(SQS_LIMITS.maxBatch, (changes) => this.#changeVisibility(changes));
    if (config.deadLetterQueueUrl !== undefined) this.#useDeadLetterQueue({ url: config.deadLetterQueueUrl });
  }

  /** The queue URL this source consumes. */
  get queueUrl(): string {
    return this.#config.queueUrl;
  }

  /** True for a FIFO queue (URL ends in `.fifo`). */
  get fifo(): boolean {
    return this.#config.fifo;
  }

  /** The queue's visibility timeout, when given or read by {@link SqsSource.readVisibilityTimeout}. */
  get visibilityTimeoutMs(): number | undefined {
    return this.#visibilityTimeoutMs;
  }

  /**
   * Moves a message to the dead-letter queue at once with the reason ({@link DEAD_LETTER_ATTRIBUTES}): send it
   * there, then delete it here. Rejects with {@link DeadLetterFailedError} (nothing lost, see its doc). Undefined
   * when no DLQ is known (`deadLetter: false`, no RedrivePolicy, or `new SqsSource()` without
   * `deadLetterQueueUrl` whose RedrivePolicy was not read): the consumer then leaves failures to the RedrivePolicy.
   */
  get deadLetter(): DeadLetterFunction | undefined {
    return this.#deadLetters?.deadLetter;
  }

  /** Where {@link SqsSource.deadLetter} sends: the DLQ's URL (its ARN until first used); undefined when it does not. */
  get deadLetterQueue(): string | undefined {
    return this.#deadLetters?.target;
  }

  /**
   * Reads the queue's VisibilityTimeout attribute and remembers it; the same GetQueueAttributes call reads the
   * RedrivePolicy, whose DLQ {@link SqsSource.deadLetter} then uses (see {@link SqsSource.readRedrivePolicy}).
   */
  async readVisibilityTimeout(): Promise<number> {
    const attributes = await this.#readAttributes(["VisibilityTimeout", "RedrivePolicy"]);
    const seconds = Number(attributes.VisibilityTimeout);
    this.#learnRedrivePolicy(attributes.RedrivePolicy);
    if (!Number.isFinite(seconds)) {
      throw new SqsAdapterError(`GetQueueAttributes returned no VisibilityTimeout for ${this.#config.queueUrl}`, {
        operation: "GetQueueAttributes",
        target: this.#config.queueUrl,
      });
    }
    this.#visibilityTimeoutMs = seconds * 1000;
    return this.#visibilityTimeoutMs;
  }

  /**
   * Reads the queue's RedrivePolicy (one GetQueueAttributes call): {@link SqsSource.deadLetter} then sends to its
   * DLQ, or is undefined when there is none. Resolves with the DLQ's ARN. No call with `deadLetter: false` or
   * `deadLetterQueueUrl`.
   */
  async readRedrivePolicy(): Promise<string | undefined> {
    if (!this.#config.deadLetter || this.#config.deadLetterQueueUrl !== undefined) return undefined;
    return this.#learnRedrivePolicy((await this.#readAttributes(["RedrivePolicy"])).RedrivePolicy);
  }

  #learnRedrivePolicy(redrivePolicy: string | undefined): string | undefined {
    if (!this.#config.deadLetter || this.#config.deadLetterQueueUrl !== undefined) return undefined;
    const arn = deadLetterArnOf(redrivePolicy, this.#config.queueUrl, this.#config.logger);
    if (arn === undefined) this.#deadLetters = undefined;
    else if (this.#deadLetters?.arn !== arn) this.#useDeadLetterQueue({ arn });
    return arn;
  }

  #useDeadLetterQueue(target: { url: string } | { arn: string }): void {
    this.#deadLetters = createDeadLetterSender(target, {
      client: this.client,
      queueUrl: this.#config.queueUrl,
      fifo: this.#config.fifo,
      deleteFromSource: (message) => this.ack([message]),
    });
  }

  async #readAttributes(names: QueueAttributeName[]): Promise<Record<string, string>> {
    try {
      const out = await this.client.send(
        new GetQueueAttributesCommand({ QueueUrl: this.#config.queueUrl, AttributeNames: names }),
      );
      return out.Attributes ?? {};
    } catch (err) {
      throw this.#callError("GetQueueAttributes", err);
    }
  }

  /**
   * Long-polls for up to `min(max, 10)` messages, waiting up to `waitTimeMs`
   * (rounded up to whole seconds, at most 20 s). Aborting `signal` cancels the
   * HTTP request and resolves with no messages; messages SQS had already picked
   * for that request stay invisible until their visibility timeout, then return.
   */
  async receive(max: number, options: ReceiveOptions): Promise<QueueMessage[]> {
    const { signal } = options;
    if (max <= 0 || signal?.aborted) return [];
    const input: ReceiveMessageCommandInput = {
      QueueUrl: this.#config.queueUrl,
      MaxNumberOfMessages: Math.min(SQS_LIMITS.maxBatch, Math.floor(max)),
      WaitTimeSeconds: Math.min(SQS_LIMITS.maxWaitTimeSeconds, Math.max(0, Math.ceil(options.waitTimeMs / 1000))),
      MessageSystemAttributeNames: SYSTEM_ATTRIBUTES,
      MessageAttributeNames: ["All"],
      // FIFO: when the SDK retries this receive after a lost response, SQS returns the same messages
      // instead of leaving them (and their groups) locked until the visibility timeout.
      ReceiveRequestAttemptId: this.#config.fifo ? randomUUID() : undefined,
    };
    let messages: ReceiveMessageCommandOutput["Messages"];
    try {
      ({ Messages: messages } = await this.client.send(new ReceiveMessageCommand(input), { abortSignal: signal }));
    } catch (err) {
      if (signal?.aborted) return [];
      throw this.#callError("ReceiveMessage", err);
    }
    if (messages === undefined || messages.length === 0) return [];
    const receivedAt = this.#config.now();
    const received: QueueMessage[] = [];
    for (const raw of messages) {
      const message = toQueueMessage(raw, receivedAt);
      if (message !== undefined) received.push(message);
      else this.#config.logger.warn("sqs message without id, handle or body ignored", { messageId: raw.MessageId });
    }
    return received;
  }

  /**
   * Deletes messages in DeleteMessageBatch calls of 10, re-sending entries that
   * failed with a retryable error. Resolves with every message not deleted: an
   * expired receipt handle comes back as ReceiptHandleExpiredError (another
   * receive owns the message now), anything else as SqsAdapterError.
   */
  async ack(messages: readonly QueueMessage[]): Promise<BatchOutcome> {
    // The consumer's ack batcher sends ten at a time: one call, without copying or chunking.
    if (messages.length <= SQS_LIMITS.maxBatch) return { failed: asFailed(await this.#deleteChunk(messages)) };
    const chunks: Promise<BatchItemFailure<QueueMessage>[]>[] = [];
    for (let start = 0; start < messages.length; start += SQS_LIMITS.maxBatch) {
      chunks.push(this.#deleteChunk(messages.slice(start, start + SQS_LIMITS.maxBatch)));
    }
    return { failed: (await Promise.all(chunks)).flatMap(asFailed) };
  }

  /**
   * Makes the message visible again after `delayMs` (rounded up to seconds, capped at
   * SQS's 12 hours from receive). Changes requested together go out as one
   * ChangeMessageVisibilityBatch. An expired handle is not an error here: the message
   * is already visible again. Rejects when SQS refused the change; the message then
   * returns after its current visibility timeout instead.
   */
  async retryLater(message: QueueMessage, delayMs: number): Promise<void> {
    const seconds = Math.max(0, Math.ceil(delayMs / 1000));
    const error = await this.#visibility.change(message as SqsQueueMessage, seconds);
    if (error === undefined) return;
    if (isExpiredHandle(error)) {
      this.#config.logger.debug("sqs retryLater on an expired receipt handle; the message is already back", {
        messageId: message.id,
      });
      return;
    }
    throw error;
  }

  /** Heartbeat: keeps messages invisible for `seconds` from now (capped at 12 hours from receive), in batches. */
  async extend(messages: readonly QueueMessage[], seconds: number): Promise<BatchOutcome> {
    const errors = await Promise.all(messages.map((m) => this.#visibility.change(m as SqsQueueMessage, seconds)));
    const failed: BatchOutcome["failed"] = [];
    errors.forEach((error, i) => {
      const message = messages[i];
      if (error !== undefined && message !== undefined) failed.push({ message, error });
    });
    return { failed };
  }

  /** Sends pending visibility changes and, when the source built its own client, closes it. */
  async close(): Promise<void> {
    await this.#visibility.flush();
    if (this.#ownsClient) this.client.destroy();
  }

  #deleteChunk(chunk: readonly QueueMessage[]): Promise<BatchItemFailure<QueueMessage>[]> {
    return sendBatchWithRetry(chunk, this.#deleteBatch, this.#deleteContext);
  }

  // An arrow property: one function for every batch, not a closure per call.
  readonly #deleteBatch = (pending: readonly QueueMessage[]) =>
    this.client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: this.#config.queueUrl,
        Entries: pending.map((m, i) => ({ Id: ENTRY_IDS[i], ReceiptHandle: m.receiptHandle })),
      }),
    );

  #changeVisibility(changes: readonly VisibilityChange<SqsQueueMessage>[]) {
    // The failures returned name the very change objects passed in: the batcher matches them by identity.
    return sendBatchWithRetry(
      changes,
      (pending) => {
        const now = this.#config.now();
        return this.client.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: this.#config.queueUrl,
            Entries: pending.map((c, i) => ({
              Id: ENTRY_IDS[i],
              ReceiptHandle: c.message.receiptHandle,
              // SQS rejects a visibility that would end more than 12 hours after the receive.
              VisibilityTimeout: Math.min(c.seconds, remainingVisibilitySeconds(c.message, now)),
            })),
          }),
        );
      },
      this.#visibilityContext,
    );
  }

  #callError(operation: string, err: unknown): SqsAdapterError {
    const aws = normalizeAwsError(err);
    // The name alone says "Error" for failures that are not AWS's (a bad endpoint, a TypeError): keep the text.
    const text = err instanceof Error && err.message !== "" && err.message !== aws.name ? `: ${err.message}` : "";
    return new SqsAdapterError(`${operation} on ${this.#config.queueUrl} failed: ${aws.name}${text}`, {
      cause: err,
      operation,
      target: this.#config.queueUrl,
    });
  }
}

/** Seconds a message may still stay invisible under SQS's 12-hour cap, counted from its receive. */
function remainingVisibilitySeconds(message: SqsQueueMessage, now: number): number {
  const receivedAt = typeof message.receivedAt === "number" ? message.receivedAt : now;
  return Math.max(0, Math.floor((SQS_LIMITS.maxVisibilitySeconds * 1000 - (now - receivedAt)) / 1000));
}

function asFailed(failures: readonly BatchItemFailure<QueueMessage>[]): BatchOutcome["failed"] {
  return failures.map(({ item, error }) => ({ message: item, error }));
}

function isExpiredHandle(error: unknown): boolean {
  return (
    error instanceof SqsAdapterError &&
    (error.aws?.name === "ReceiptHandleIsInvalid" || error.aws?.name === "MessageNotInflight")
  );
}
