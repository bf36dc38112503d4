/**
 * One invocation's work, shared by `sqsHandler` and `snsHandler`: decode each record, run the handler with a
 * signal tied to the remaining time, dead-letter permanent failures when asked, and report the rest.
 */
import {
  type ConsumerMessage,
  checkOption,
  isBatchItemIdentifier,
  type PartialBatchResponse,
  RecordNotStartedError,
  runBatch,
} from "@resilient-jobs/core";
import { invocationLog } from "./coldStart.js";
import type { LambdaContext } from "./events.js";
import type { LambdaMessageHandler } from "./handlerTypes.js";
import { startDeadline } from "./invocationDeadline.js";
import type { LambdaHandlerConfig } from "./options.js";
import { RecordContext } from "./recordMessage.js";

/** How one kind of record (SQS, SNS) becomes a message. */
export interface RecordKind<T, R> {
  /** The `eventSource` (SQS) or `EventSource` (SNS) the records of this kind name. */
  readonly source: "aws:sqs" | "aws:sns";
  /** The id reported for the record and logged as `messageId`. */
  id(record: R): string;
  /** The FIFO message group of the record. */
  groupId?(record: R): string | undefined;
  /** Decodes the body and builds the handler's message. Throws (or rejects) with a permanent error for bad input. */
  toMessage(record: R): ConsumerMessage<T> | Promise<ConsumerMessage<T>>;
}

/** Everything one invocation needs. */
export interface LambdaBatch<T, R> {
  readonly config: LambdaHandlerConfig<T, R>;
  readonly handler: LambdaMessageHandler<T>;
  readonly kind: RecordKind<T, R>;
  /** Most records handled at once. */
  readonly concurrency: number;
  /** FIFO scope: stop the batch, or the failed record's message group, at the first failure. */
  readonly fifo: "batch" | "group" | false;
  readonly context: LambdaContext;
  /**
   * Called for each reported record, with why it failed; when time runs out, again for every unfinished record
   * (also one that had failed already), with the deadline's `TimeoutError`.
   */
  readonly onReported?: (record: R, error: unknown) => void;
}

/**
 * Runs the records and resolves with the ones to report. Resolves early, with every unfinished record
 * reported, when the invocation reaches `abortBeforeTimeoutMs` before its timeout. Logs one summary line
 * per invocation with failures (ids and errors, never bodies), so a bad batch costs one line, not ten.
 */
export async function runLambdaBatch<T, R>(
  records: readonly R[] | undefined,
  batch: LambdaBatch<T, R>,
): Promise<PartialBatchResponse> {
  const { config, handler, kind, context, onReported } = batch;
  // Named before anything reads the context: else `TypeError: Cannot read properties of undefined`.
  checkOption(typeof context?.getRemainingTimeInMillis === "function", "context", "the Lambda context", context);
  const log = invocationLog(config, context);
  checkOption(Array.isArray(records), "event.Records", "an array", records);
  // Every record of an event comes from one trigger. Hand-built events (tests) may name no source: let them be.
  const first = records[0] as { eventSource?: string; EventSource?: string } | undefined;
  const source = first?.eventSource ?? first?.EventSource;
  // Before any record runs: a response to the wrong trigger would be ignored, and the event dropped.
  checkOption(
    source === undefined || source === kind.source,
    "event.Records[0].eventSource",
    `"${kind.source}" for ${kind.source.slice(4)}Handler`,
    source,
  );
  const deadline = startDeadline(config, context, log);
  // Which records are done (handled, or dead-lettered): the others are reported.
  const done = new Uint8Array(records.length);
  let answered = false;
  let failed: Array<{ messageId: string; error: unknown }> | undefined;
  let notStarted: Record<string, string[]> | undefined;

  const run = async (record: R, index: number): Promise<void> => {
    let message: ConsumerMessage<T> | undefined;
    try {
      const built = kind.toMessage(record);
      message = built instanceof Promise ? await built : built;
      await handler(message, new RecordContext(deadline, message, context, log));
    } catch (error) {
      // Without a dead-letter target every failure is reported. With one, the target decides (its `route`): a
      // permanent failure is sent there and counts as done, any other is rethrown and reported.
      if (config.deadLetter === undefined) throw error;
      await config.deadLetter.route(record, error, message === undefined, log, kind.id(record), () => answered);
    }
    done[index] = 1;
  };

  const onFailure = (record: R, error: unknown): void => {
    if (answered) return; // already reported as unfinished when time ran out
    onReported?.(record, error);
    const messageId = kind.id(record);
    if (error instanceof RecordNotStartedError) {
      notStarted ??= {};
      notStarted[error.reason] ??= [];
      notStarted[error.reason]!.push(messageId);
    } else {
      failed ??= [];
      failed.push({ messageId, error });
    }
  };

  const processed = runBatch(records, run, {
    concurrency: batch.concurrency,
    fifo: batch.fifo,
    getGroupId: kind.groupId,
    canStart: deadline.canStart,
    onFailure,
  });
  let timedOut: boolean;
  try {
    timedOut = (await Promise.race([processed, deadline.expired])) === undefined;
  } finally {
    answered = true;
    deadline.dispose();
  }
  // What is not done failed, was not started, or (out of time) is still running: all are reported, in order.
  const batchItemFailures: Array<{ itemIdentifier: string }> = [];
  records.forEach((record, index) => {
    if (done[index] === 1) return;
    const itemIdentifier = kind.id(record);
    // Core's rule (processPartialBatch's too): an SQS trigger would fail the whole batch on a response without
    // an id, an asynchronous one (SNS) would drop the record. Failing the invocation loses nothing.
    checkOption(
      isBatchItemIdentifier(itemIdentifier),
      `event.Records[${index}]`,
      "a record with an id",
      itemIdentifier,
    );
    batchItemFailures.push({ itemIdentifier });
    if (timedOut) onReported?.(record, deadline.reason);
  });
  if (timedOut) {
    // Returned before Lambda kills the invocation, which would retry the successes too.
    log.warn("out of time: unfinished records reported", {
      messageIds: batchItemFailures.map((failure) => failure.itemIdentifier),
      remainingTimeMs: context.getRemainingTimeInMillis(),
    });
  }
  if (failed !== undefined || notStarted !== undefined) {
    log.warn("records reported for redelivery", {
      records: records.length,
      reported: batchItemFailures.length,
      failed,
      notStarted,
    });
  }
  return { batchItemFailures };
}
