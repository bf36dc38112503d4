/**
 * Batches acks: a message whose handler succeeded is deleted together with up to `batchSize - 1` others
 * (one DeleteMessageBatch call for ten messages on SQS), or after `flushMs` when traffic is light.
 */
import type { Clock, TimerHandle } from "../clock/Clock.js";
import type { Logger } from "../logger.js";
import type { MessageSource, QueueMessage } from "../queue/MessageSource.js";
import type { ConsumerEmitter } from "./events.js";
import type { StatsRecorder } from "./stats.js";

/** What the ack batcher needs from the consumer. */
export interface AckBatcherDeps {
  readonly source: MessageSource;
  readonly batchSize: number;
  readonly flushMs: number;
  readonly clock: Clock;
  readonly stats: StatsRecorder;
  readonly events: ConsumerEmitter;
  readonly log: Logger;
}

/** Collects acks and sends them in batches; `drain()` sends what is pending and waits for every call. */
export class AckBatcher {
  readonly #deps: AckBatcherDeps;
  #pending: QueueMessage[] = [];
  #timer: TimerHandle | undefined;
  readonly #calls = new Set<Promise<void>>();

  constructor(deps: AckBatcherDeps) {
    this.#deps = deps;
  }

  /** Messages waiting for the next batch. */
  get pending(): number {
    return this.#pending.length;
  }

  /** Queues one message for deletion. */
  add(message: QueueMessage): void {
    this.#pending.push(message);
    if (this.#pending.length >= this.#deps.batchSize) this.flush();
    else this.#timer ??= this.#deps.clock.setTimeout(() => this.flush(), this.#deps.flushMs);
  }

  /** Sends the pending messages now (in batches of at most `batchSize`). */
  flush(): void {
    if (this.#timer !== undefined) {
      this.#deps.clock.clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    while (this.#pending.length > 0) {
      const batch =
        this.#pending.length <= this.#deps.batchSize ? this.#pending : this.#pending.slice(0, this.#deps.batchSize);
      this.#pending = batch === this.#pending ? [] : this.#pending.slice(batch.length);
      const call = this.#send(batch);
      this.#calls.add(call);
      // then(remove, remove), not finally(): a logger that throws must not become an unhandled rejection.
      const remove = () => void this.#calls.delete(call);
      call.then(remove, remove);
    }
  }

  /** Flushes and resolves once every ack call has settled. */
  async drain(): Promise<void> {
    this.flush();
    while (this.#calls.size > 0) await Promise.allSettled(this.#calls);
  }

  async #send(batch: QueueMessage[]): Promise<void> {
    const { source, stats } = this.#deps;
    let failed: Array<{ message: QueueMessage; error: unknown }>;
    try {
      failed = (await source.ack(batch)).failed;
    } catch (error) {
      failed = batch.map((message) => ({ message, error }));
    }
    stats.acked += batch.length - failed.length;
    if (failed.length > 0) this.#reportFailures(failed);
    if (this.#deps.events.has("acked")) this.#reportAcked(batch, failed);
  }

  #reportAcked(batch: QueueMessage[], failed: Array<{ message: QueueMessage }>): void {
    const { events } = this.#deps;
    // By receipt handle: a source may report failures with message objects of its own.
    const notDeleted = failed.length === 0 ? undefined : new Set(failed.map((f) => f.message.receiptHandle));
    for (const message of batch) if (!notDeleted?.has(message.receiptHandle)) events.emit("acked", { message });
  }

  // Never dropped silently: the message will be redelivered and processed again, which idempotent handlers
  // absorb, but an operator must be able to see that it happened.
  #reportFailures(failed: Array<{ message: QueueMessage; error: unknown }>): void {
    const { stats, events, log } = this.#deps;
    stats.ackFailed += failed.length;
    log.warn("ack failed; the messages will be redelivered", {
      messageIds: failed.map((f) => f.message.id),
      error: failed[0]?.error,
    });
    if (!events.has("ackFailed")) return;
    for (const { message, error } of failed) events.emit("ackFailed", { message, error });
  }
}
