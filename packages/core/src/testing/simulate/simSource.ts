/**
 * The `MessageSource` one simulated process sees: the real `InMemoryQueue` underneath, with the fault plan's
 * receive errors, duplicate copies, visibility expiries and failed deletes injected, every call written to the
 * trace, and a `kill()` that makes the process fall silent (a dead process sends nothing: its calls never return).
 */
import type { Clock } from "../../clock/Clock.js";
import { TransientError } from "../../errors.js";
import type { InMemoryQueue } from "../../queue/InMemoryQueue.js";
import type {
  BatchOutcome,
  DeadLetterReason,
  MessageSource,
  QueueMessage,
  ReceiveOptions,
  RetryLaterOptions,
} from "../../queue/MessageSource.js";
import type { FaultPlan } from "./faults.js";
import type { MessageBook } from "./messageBook.js";
import type { SeededRandom } from "./random.js";
import type { EventTrace } from "./trace.js";

/** Where a process may crash (see `CrashFaults.probability`). */
export type CrashPoint = "received" | "effect" | "succeeded" | "acked";

/** What a process's source shares with the simulation. */
export interface SimSourceDeps {
  readonly queue: InMemoryQueue;
  readonly process: number;
  readonly plan: FaultPlan;
  /** The fault stream of the seed. */
  readonly random: SeededRandom;
  /** The queue's clock (visibility expiries are the queue's doing, not the process's). */
  readonly queueClock: Clock;
  readonly trace: EventTrace;
  readonly book: MessageBook;
  readonly crashPoint: (point: CrashPoint) => void;
}

const never = <T>(): Promise<T> => new Promise<T>(() => undefined);

/** See the module comment. */
export class SimSource implements MessageSource {
  readonly maxReceiveBatch: number;
  readonly visibilityTimeoutMs: number;
  readonly fifo: boolean;
  readonly #deps: SimSourceDeps;
  readonly #controller = new AbortController();
  /** The queue's own message behind each message handed to the consumer (whose id is the first copy's). */
  readonly #raw = new WeakMap<QueueMessage, QueueMessage>();
  #alive = true;

  constructor(deps: SimSourceDeps) {
    this.#deps = deps;
    this.maxReceiveBatch = deps.queue.maxReceiveBatch;
    this.visibilityTimeoutMs = deps.queue.visibilityTimeoutMs;
    this.fifo = deps.queue.fifo;
  }

  /** The process died: pending long polls end, later calls never return. */
  kill(): void {
    this.#alive = false;
    this.#controller.abort(new Error("the process crashed"));
  }

  async receive(max: number, options: ReceiveOptions): Promise<QueueMessage[]> {
    const { queue, random, plan, trace, process } = this.#deps;
    if (!this.#alive) return never();
    if (random.chance(plan.receiveError)) {
      trace.add("receiveFailed", { process, detail: "injected ReceiveMessage failure" });
      throw new TransientError("Injected fault: ReceiveMessage failed (HTTP 500)");
    }
    const signal = options.signal
      ? AbortSignal.any([options.signal, this.#controller.signal])
      : this.#controller.signal;
    const messages = await queue.receive(max, { waitTimeMs: options.waitTimeMs, signal });
    this.#noteRedrives();
    // Received after the crash: nobody takes them; the queue returns them when their visibility expires.
    if (!this.#alive) return never();
    return messages.map((raw) => this.#deliver(raw));
  }

  async ack(messages: readonly QueueMessage[]): Promise<BatchOutcome> {
    const { queue, random, plan, trace, process, book } = this.#deps;
    if (!this.#alive) return never();
    const failed: BatchOutcome["failed"] = [];
    const sending: QueueMessage[] = [];
    for (const message of messages) {
      if (random.chance(plan.ackFailure)) {
        trace.add("ackFailed", { process, message: book.nameOf(message), detail: "injected DeleteMessage failure" });
        failed.push({ message, error: new TransientError("Injected fault: DeleteMessage failed") });
      } else sending.push(message);
    }
    const outcome = await queue.ack(sending.map((m) => this.#rawOf(m)));
    if (!this.#alive) return never();
    const failedRaw = new Set(outcome.failed.map((f) => f.message));
    for (const message of sending) {
      const raw = this.#rawOf(message);
      const name = book.nameOf(message);
      if (failedRaw.has(raw)) {
        const error = outcome.failed.find((f) => f.message === raw)?.error;
        trace.add("ackFailed", { process, message: name, detail: errorName(error) });
        failed.push({ message, error });
      } else {
        if (name !== undefined) book.ended(name, raw.id);
        trace.add("acked", { process, message: name });
        this.#deps.crashPoint("acked");
      }
    }
    return { failed };
  }

  async retryLater(message: QueueMessage, delayMs: number, options?: RetryLaterOptions): Promise<void> {
    if (!this.#alive) return never();
    await this.#deps.queue.retryLater(this.#rawOf(message), delayMs, options);
  }

  async extend(messages: readonly QueueMessage[], seconds: number): Promise<BatchOutcome> {
    if (!this.#alive) return never();
    const raws = messages.map((m) => this.#rawOf(m));
    const outcome = await this.#deps.queue.extend(raws, seconds);
    return {
      failed: outcome.failed.map((f) => ({ message: messages[raws.indexOf(f.message)] ?? f.message, error: f.error })),
    };
  }

  async deadLetter(message: QueueMessage, reason: DeadLetterReason): Promise<void> {
    const { queue, trace, process, book } = this.#deps;
    if (!this.#alive) return never();
    const raw = this.#rawOf(message);
    await queue.deadLetter(raw, reason);
    const name = book.nameOf(message);
    if (name !== undefined && book.ended(name, raw.id))
      trace.add("deadLettered", { process, message: name, detail: reason.code });
  }

  #deliver(raw: QueueMessage): QueueMessage {
    const { queue, random, plan, trace, process, book, queueClock } = this.#deps;
    const name = book.nameOf(raw);
    if (name === undefined) return raw;
    const delivered: QueueMessage = { ...raw, id: book.queueIdOf(name) ?? raw.id };
    this.#raw.set(delivered, raw);
    trace.add("received", { process, message: name, delivery: book.delivered(name) });
    if (random.chance(plan.duplicate)) {
      queue.send(raw.body, { attributes: { ...raw.attributes }, groupId: raw.groupId });
      book.copied(name);
      trace.add("duplicated", { message: name, detail: "a second copy will be delivered" });
    }
    if (random.chance(plan.visibilityExpiry)) {
      const afterMs = random.below(Math.max(1, this.visibilityTimeoutMs));
      queueClock.setTimeout(() => {
        queue.extend([raw], 0).then((outcome) => {
          if (outcome.failed.length === 0)
            trace.add("visibilityExpired", { message: name, detail: "visible again mid-handler" });
        });
      }, afterMs);
    }
    this.#deps.crashPoint("received");
    return delivered;
  }

  #rawOf(message: QueueMessage): QueueMessage {
    return this.#raw.get(message) ?? message;
  }

  /** Messages the queue's redrive policy moved to the dead-letter queue (maxReceiveCount) end there. */
  #noteRedrives(): void {
    const { queue, book, trace } = this.#deps;
    const count = queue.stats().deadLettered;
    if (count === book.deadLetteredSeen) return;
    book.deadLetteredSeen = count;
    for (const dead of queue.deadLetterQueue.deadLetters()) {
      const name = book.nameOf(dead);
      if (name !== undefined && book.ended(name, dead.id))
        trace.add("deadLettered", { message: name, detail: dead.reason.code });
    }
  }
}

function errorName(error: unknown): string {
  if (error instanceof Error)
    return (error as { code?: unknown }).code
      ? `${error.name} ${String((error as { code?: unknown }).code)}`
      : error.name;
  return String(error);
}
