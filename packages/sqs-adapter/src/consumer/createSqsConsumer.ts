import type { SQSClient } from "@aws-sdk/client-sqs";
import {
  type Consumer,
  type ConsumerOptions,
  createConsumer,
  createJsonLogger,
  type HandleSignalsOptions,
  handleSignals,
  InvalidOptionError,
} from "@resilient-jobs/core";
import { createSqsSource } from "../source/createSqsSource.js";
import type { SqsSource } from "../source/SqsSource.js";
import type { SqsSourceOptions } from "../source/sqsSourceOptions.js";

/** Options of {@link createSqsConsumer}: the core consumer's options, with an SQS queue instead of a `source`. */
export interface SqsConsumerOptions<T = unknown> extends Omit<ConsumerOptions<T>, "source"> {
  /** URL of the queue to consume; on a `.fifo` URL the consumer keeps each message group's order. */
  queueUrl: string;
  /**
   * The SQS client.
   * @defaultValue a client built from the standard AWS environment (honours `AWS_ENDPOINT_URL_SQS`)
   */
  client?: SQSClient;
  /**
   * The queue's visibility timeout in milliseconds. Given together with `sourceOptions.deadLetterQueueUrl` (or
   * `deadLetter: false`), it saves the GetQueueAttributes call at start.
   * @defaultValue read from the queue's `VisibilityTimeout` attribute
   */
  visibilityTimeoutMs?: number;
  /**
   * A partial DeleteMessageBatch is sent after this long (full batches of 10 go at once).
   * @defaultValue 20 (5 on FIFO queues, where a group's next message waits for this delete)
   */
  ackFlushMs?: number;
  /**
   * Receive ahead of the free slots by one round trip plus this many milliseconds of completions (at most one
   * batch), so messages arrive as slots free and, at low concurrency, receives stay fuller. A message waits for
   * its slot about this long at most; `false` receives only for free slots. See the core option.
   * @defaultValue 50 (core: 0)
   */
  receiveAheadMs?: number | false;
  /**
   * More options of the {@link SqsSource}: where permanent failures go (`deadLetterQueueUrl`, or `deadLetter:
   * false` to leave them to the RedrivePolicy), batch retry attempts and delays.
   * @defaultValue `{}` (dead letters go to the DLQ named by the queue's RedrivePolicy, at once, with the reason)
   */
  sourceOptions?: Omit<SqsSourceOptions, "queueUrl" | "client" | "visibilityTimeoutMs">;
  /**
   * Drain and exit on SIGTERM/SIGINT (what ECS sends before its `stopTimeout`); `false` leaves signals to you.
   * The drain deadline defaults to the consumer's `drainTimeoutMs` (25 s, below ECS's default 30 s stopTimeout).
   * @defaultValue `true`
   */
  handleSignals?: boolean | HandleSignalsOptions;
  /**
   * Start receiving before resolving; `false` returns an idle consumer (call `start()`).
   * @defaultValue `true`
   */
  autoStart?: boolean;
}

/** A consumer on an SQS queue, as returned by {@link createSqsConsumer}. */
export interface SqsConsumer extends Consumer {
  /** The source the consumer reads (its queue URL, client and visibility timeout). */
  readonly source: SqsSource;
}

/**
 * Defaults that differ from the core consumer's. `ackFlushMs`: a partial delete batch waits up to 20 ms
 * (core: 5 ms) for more acks, so at a few hundred messages/s and up deletes still go out ten at a time
 * (one DeleteMessageBatch per 10 messages instead of ~1.07); a message stays undeleted 20 ms longer, far
 * inside its visibility timeout. FIFO queues keep the core's 5 ms: the next message of a group is held
 * back until the previous one is deleted. `receiveAheadMs`: receives are billed, so a message may wait up to
 * 50 ms (core: 0) for its slot; at low concurrency that fills receive batches (docs/consumer.md has the curve),
 * and at high concurrency the one-batch cap keeps the wait to a few ms.
 */
const SQS_CONSUMER_DEFAULTS = Object.freeze({
  handleSignals: true,
  autoStart: true,
  ackFlushMs: 20,
  fifoAckFlushMs: 5,
  receiveAheadMs: 50,
});

/**
 * Starts an SQS worker in one call: builds an {@link SqsSource} (reading the queue's visibility
 * timeout unless given, and its RedrivePolicy: a message that fails permanently goes to that DLQ at once,
 * with the reason), the core consumer on it, and (by default) starts it and drains it on
 * SIGTERM/SIGINT before exiting, as an ECS task should. Fails fast when the queue does not exist
 * or is not readable, or when one of `checks` fails (e.g. `checks: [store]` for a DynamoDB idempotency store
 * whose table is missing: the error names the table and region).
 *
 * @example
 * ```ts
 * await createSqsConsumer({
 *   queueUrl: process.env.QUEUE_URL!,
 *   concurrency: 50,
 *   handler: async (message, { signal }) => processOrder(message.body, signal),
 * });
 * ```
 */
export async function createSqsConsumer<T = unknown>(options: SqsConsumerOptions<T>): Promise<SqsConsumer> {
  if (typeof options !== "object" || options === null) throw new InvalidOptionError("options", "an object", options);
  const {
    queueUrl,
    client,
    sourceOptions,
    handleSignals: signalOption = SQS_CONSUMER_DEFAULTS.handleSignals,
    autoStart = SQS_CONSUMER_DEFAULTS.autoStart,
    ...consumerOptions
  } = options;
  if (typeof signalOption !== "boolean" && (typeof signalOption !== "object" || signalOption === null)) {
    throw new InvalidOptionError("handleSignals", "a boolean or HandleSignalsOptions", signalOption);
  }
  if (typeof autoStart !== "boolean") throw new InvalidOptionError("autoStart", "a boolean", autoStart);
  const logger = consumerOptions.logger ?? createJsonLogger({ level: "info" });
  const source = await createSqsSource({
    logger,
    ...sourceOptions,
    queueUrl,
    client,
    visibilityTimeoutMs: consumerOptions.visibilityTimeoutMs,
  });
  const ackFlushMs =
    consumerOptions.ackFlushMs ??
    (source.fifo ? SQS_CONSUMER_DEFAULTS.fifoAckFlushMs : SQS_CONSUMER_DEFAULTS.ackFlushMs);
  // A FIFO source keeps each group's order in core's consumer (source.fifo), as for every other source.
  const receiveAheadMs = consumerOptions.receiveAheadMs ?? SQS_CONSUMER_DEFAULTS.receiveAheadMs;
  const consumer = createConsumer<T>({ ...consumerOptions, ackFlushMs, receiveAheadMs, logger, source });
  // `payloads.deleteAfterAck` is the core consumer's (on its `acked` event), as for any source.
  // Fail fast on a dependency that cannot work (a missing idempotency table), as on a missing queue: a worker
  // that started anyway would only sit paused. `checks` was validated by createConsumer.
  try {
    await Promise.all((consumerOptions.checks ?? []).map((dependency) => dependency.check()));
  } catch (error) {
    await source.close();
    throw error;
  }

  let removeSignalListeners: (() => void) | undefined;
  const sqsConsumer: SqsConsumer = {
    source,
    get state() {
      return consumer.state;
    },
    start: () => consumer.start(),
    stop: async (stopOptions) => {
      await consumer.stop(stopOptions);
      // Sends pending visibility changes and closes the client if the source built it (start() works after).
      await source.close();
      // Only now: while draining, a second SIGTERM must still reach handleSignals (exit now), not kill the process.
      removeSignalListeners?.();
      removeSignalListeners = undefined;
    },
    health: () => consumer.health(),
    stats: () => consumer.stats(),
    on: (event, listener) => consumer.on(event, listener),
    off: (event, listener) => consumer.off(event, listener),
  };
  if (signalOption !== false) {
    removeSignalListeners = handleSignals(sqsConsumer, { logger, ...(signalOption === true ? {} : signalOption) });
  }
  if (autoStart) consumer.start();
  return sqsConsumer;
}
