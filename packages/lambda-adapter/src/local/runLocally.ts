/**
 * A local stand-in for Lambda's SQS event source mapping: polls a MessageSource, invokes a Lambda handler with
 * real-shaped SQS events and a counting-down context, and deletes only the records the function did not
 * report in `batchItemFailures`. Failed records stay in the queue: they return after the visibility timeout
 * and reach the dead-letter queue through the queue's redrive policy, as on AWS.
 */
import type { QueueMessage } from "@resilient-jobs/core";
import type { SqsEvent } from "../events.js";
import { type InvocationResult, invokeWithTimeout, readBatchResponse } from "./invokeLocally.js";
import { createLocalContext, type LocalFunctionIdentity, localLogStreamName } from "./localContext.js";
import {
  RUN_LOCALLY_DEFAULTS,
  type RunLocallyConfig,
  type RunLocallyOptions,
  resolveRunLocallyOptions,
} from "./runLocallyOptions.js";
import { type LocalQueueIdentity, toSqsRecord } from "./toSqsRecord.js";

/** Counters of a local run, since it started. */
export interface LocalRunStats {
  /** Invocations started. */
  invocations: number;
  /** Records handed to the function (a redelivered record counts again). */
  records: number;
  /** Records deleted after the function succeeded with them. */
  deleted: number;
  /** Records the function reported in `batchItemFailures`: left for redelivery. */
  reported: number;
  /** Invocations that threw or returned an invalid response: all their records left for redelivery. */
  failedInvocations: number;
  /** Invocations that ran past `functionTimeoutMs`: all their records left for redelivery. */
  timedOut: number;
  /** Records whose delete the source refused (they will be delivered again). */
  deleteFailures: number;
  /** Receives that failed (retried with backoff). */
  receiveErrors: number;
  /** Invocations running now. */
  inFlight: number;
}

/** Where a local run stands. */
export type LocalRunState = "running" | "stopping" | "stopped";

/** A running local event source mapping. */
export interface LocalEventSourceMapping {
  readonly state: LocalRunState;
  /** A snapshot of the counters. */
  stats(): LocalRunStats;
  /** Stops polling; running invocations finish (and their records are deleted or left) before it resolves. */
  stop(): Promise<void>;
}

/** First-receive times are remembered for this many messages at most (the oldest are forgotten first). */
const MAX_REMEMBERED = 100_000;
const RECEIVE_RETRY_MAX_MS = 5_000;

/**
 * Runs a Lambda SQS handler against any `MessageSource`, the way the event source mapping would: up to
 * `maxConcurrency` invocations at once, batches of up to `batchSize` gathered for up to `batchWindowMs`,
 * a context whose `getRemainingTimeInMillis()` counts down from `functionTimeoutMs`.
 *
 * @example
 * ```ts
 * const queue = new InMemoryQueue();
 * const mapping = runLocally({ source: queue, handler, batchSize: 10, functionTimeoutMs: 30_000 });
 * // ... later
 * await mapping.stop();
 * ```
 * @throws InvalidOptionError when an option is invalid.
 */
export function runLocally(options: RunLocallyOptions): LocalEventSourceMapping {
  const config = resolveRunLocallyOptions(options);
  const run = new LocalRun(config);
  run.start();
  return run;
}

class LocalRun implements LocalEventSourceMapping {
  readonly #config: RunLocallyConfig;
  readonly #queue: LocalQueueIdentity;
  readonly #stopping = new AbortController();
  readonly #firstReceivedAt = new Map<string, number>();
  readonly #stats: LocalRunStats = {
    invocations: 0,
    records: 0,
    deleted: 0,
    reported: 0,
    failedInvocations: 0,
    timedOut: 0,
    deleteFailures: 0,
    receiveErrors: 0,
    inFlight: 0,
  };
  #state: LocalRunState = "running";
  #pollers: Promise<void>[] = [];
  #sequence = 0n;
  #stopped: Promise<void> | undefined;

  constructor(config: RunLocallyConfig) {
    this.#config = config;
    this.#queue = Object.freeze({
      eventSourceArn: config.eventSourceArn,
      awsRegion: config.region,
      senderId: RUN_LOCALLY_DEFAULTS.senderId,
    });
  }

  get state(): LocalRunState {
    return this.#state;
  }

  start(): void {
    const { functionName, region, accountId, memoryLimitInMB, now } = this.#config;
    for (let i = 0; i < this.#config.maxConcurrency; i++) {
      // Each poller is one execution environment, with its own log stream.
      const environment: LocalFunctionIdentity = {
        functionName,
        region,
        accountId,
        memoryLimitInMB,
        logStreamName: localLogStreamName(now()),
      };
      this.#pollers.push(this.#poll(environment));
    }
  }

  stats(): LocalRunStats {
    return { ...this.#stats };
  }

  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      this.#state = "stopping";
      this.#stopping.abort();
      await Promise.all(this.#pollers);
      this.#state = "stopped";
    })();
    return this.#stopped;
  }

  async #poll(environment: LocalFunctionIdentity): Promise<void> {
    let receiveFailures = 0;
    while (this.#state === "running") {
      let batch: QueueMessage[];
      try {
        batch = await this.#gather();
        receiveFailures = 0;
      } catch (error) {
        this.#stats.receiveErrors++;
        receiveFailures++;
        const delayMs = Math.min(RECEIVE_RETRY_MAX_MS, 100 * 2 ** receiveFailures);
        this.#config.logger.warn("receive failed; retrying", { error, delayMs });
        await sleep(delayMs, this.#stopping.signal);
        continue;
      }
      // Records gathered before a stop are still invoked: they are already invisible to everyone else.
      if (batch.length > 0) await this.#invoke(batch, environment);
    }
  }

  /** One receive, then more until the batch is full or the batching window closes. */
  async #gather(): Promise<QueueMessage[]> {
    const { source, batchSize, batchWindowMs, receiveWaitTimeMs, now } = this.#config;
    const signal = this.#stopping.signal;
    const batch = await source.receive(Math.min(batchSize, source.maxReceiveBatch), {
      waitTimeMs: receiveWaitTimeMs,
      signal,
    });
    if (batch.length === 0 || batchWindowMs === 0) return batch;
    const closesAt = now() + batchWindowMs;
    while (batch.length < batchSize && !signal.aborted) {
      const waitTimeMs = closesAt - now();
      if (waitTimeMs <= 0) break;
      const more = await source.receive(Math.min(batchSize - batch.length, source.maxReceiveBatch), {
        waitTimeMs,
        signal,
      });
      for (const message of more) batch.push(message);
    }
    return batch;
  }

  async #invoke(batch: QueueMessage[], environment: LocalFunctionIdentity): Promise<void> {
    const { handler, functionTimeoutMs, source, logger, now } = this.#config;
    const event: SqsEvent = { Records: batch.map((message) => this.#toRecord(message)) };
    const context = createLocalContext(environment, functionTimeoutMs, now);
    const stats = this.#stats;
    stats.invocations++;
    stats.records += batch.length;
    stats.inFlight++;
    let result: InvocationResult;
    try {
      result = await invokeWithTimeout(handler, event, context, functionTimeoutMs);
    } finally {
      stats.inFlight--;
    }

    const failedIds = this.#failedIdsOf(result, event, context.awsRequestId, batch);
    if (failedIds === "all") return;
    const toDelete = failedIds.size === 0 ? batch : batch.filter((message) => !failedIds.has(message.id));
    stats.reported += batch.length - toDelete.length;
    if (toDelete.length === 0) return;
    let failedDeletes: readonly { message: QueueMessage; error: unknown }[];
    try {
      failedDeletes = (await source.ack(toDelete)).failed;
    } catch (error) {
      failedDeletes = toDelete.map((message) => ({ message, error }));
    }
    stats.deleted += toDelete.length - failedDeletes.length;
    stats.deleteFailures += failedDeletes.length;
    for (const message of toDelete) this.#firstReceivedAt.delete(message.id);
    if (failedDeletes.length > 0) {
      logger.warn("delete failed; the records will be delivered again", {
        awsRequestId: context.awsRequestId,
        messageIds: failedDeletes.map((f) => f.message.id),
        error: failedDeletes[0]?.error,
      });
    }
  }

  /** The ids to keep in the queue, or "all" when the invocation as a whole failed. */
  #failedIdsOf(
    result: InvocationResult,
    event: SqsEvent,
    awsRequestId: string,
    batch: readonly QueueMessage[],
  ): ReadonlySet<string> | "all" {
    const { logger, functionTimeoutMs } = this.#config;
    const messageIds = batch.map((m) => m.id);
    if (result.kind === "timedOut") {
      this.#stats.timedOut++;
      logger.warn("invocation timed out; its records return after the visibility timeout", {
        awsRequestId,
        functionTimeoutMs,
        messageIds,
      });
      return "all";
    }
    if (result.kind === "threw") {
      this.#stats.failedInvocations++;
      logger.warn("invocation failed; its records return after the visibility timeout", {
        awsRequestId,
        messageIds,
        error: result.error,
      });
      return "all";
    }
    const verdict = readBatchResponse(result.value, event);
    if (verdict.kind === "invalid") {
      this.#stats.failedInvocations++;
      logger.warn("invalid batch response, so the whole batch failed (as on Lambda)", {
        awsRequestId,
        reason: verdict.reason,
        messageIds,
      });
      return "all";
    }
    return verdict.failedIds;
  }

  #toRecord(message: QueueMessage) {
    const now = this.#config.now();
    let firstReceivedAt = this.#firstReceivedAt.get(message.id);
    if (firstReceivedAt === undefined) {
      firstReceivedAt = now;
      if (this.#firstReceivedAt.size >= MAX_REMEMBERED) {
        const oldest = this.#firstReceivedAt.keys().next().value;
        if (oldest !== undefined) this.#firstReceivedAt.delete(oldest);
      }
      this.#firstReceivedAt.set(message.id, now);
    }
    let sequenceNumber: string | undefined;
    if (message.groupId !== undefined) {
      const fromSource = (message as { sequenceNumber?: unknown }).sequenceNumber;
      sequenceNumber = typeof fromSource === "string" ? fromSource : String(++this.#sequence).padStart(20, "0");
    }
    return toSqsRecord(message, this.#queue, { firstReceivedAt, sequenceNumber });
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
