/**
 * One run of the flow-control bench: a payment consumer (`createConsumer`) drains a backlog from an
 * `InMemoryQueue` (the memory backend's queue, with the pipeline's visibility timeout) through the example's
 * `PaymentGatewaySimulator`, for a fixed time, and records what the handlers did. Durations in the options and
 * the result are study milliseconds; the run itself is shrunk by `timeScale`.
 */
import {
  type Clock,
  type ConsumerOptions,
  createConsumer,
  InMemoryQueue,
  silentLogger,
  systemClock,
} from "@resilient-jobs/core";
import { pipelineConfig } from "../config.js";
import { PaymentGatewaySimulator } from "../payment/PaymentGatewaySimulator.js";
import { createTimeScale } from "../timeScale.js";
import type { StepSeries } from "./flowMetrics.js";

/** A change of the gateway's capacity during a run. */
export interface CapacityChange {
  /** Study ms after the run started. */
  readonly atMs: number;
  readonly slots: number | "unlimited";
}

/** Options of {@link runFlow}. */
export interface FlowRunOptions {
  /** Shown in reports. */
  readonly label: string;
  /** The consumer's `concurrency`: a fixed pool or `{ adaptive: { min, max } }`. */
  readonly concurrency: NonNullable<ConsumerOptions["concurrency"]>;
  /** How long a charge holds a gateway slot (study ms). */
  readonly paymentMs: number;
  /** The gateway's slots at the start. */
  readonly slots: number | "unlimited";
  /** Capacity changes during the run, in time order. */
  readonly capacity?: readonly CapacityChange[];
  /** How long the consumer runs (study ms). */
  readonly durationMs: number;
  /** Messages in the queue at the start: enough that it never runs dry. */
  readonly backlog: number;
  /** Multiplies every duration. */
  readonly timeScale: number;
  /**
   * What the queue, the consumer, the gateway and the run's own timers run on: a `VirtualClock` measures the
   * limiter without timer jitter (the caller drives it).
   * @defaultValue `systemClock`
   */
  readonly clock?: Clock;
}

/** What a run recorded. Times are study ms since the consumer started. */
export interface FlowRunRecord {
  readonly label: string;
  readonly durationMs: number;
  /** When each handler finished successfully. */
  readonly completedAtMs: readonly number[];
  /** Each handler's duration, slot wait included, with the time it finished: `[finishedAtMs, durationMs]`. */
  readonly handlers: readonly (readonly [finishedAtMs: number, durationMs: number])[];
  /** Handlers running, at every change. */
  readonly inFlight: StepSeries;
  /** The consumer's concurrency limit, at every change (one point for a fixed pool). */
  readonly limit: StepSeries;
  /** The gateway's slots, at every change (Infinity for unlimited). */
  readonly capacity: StepSeries;
  /** Messages whose visibility lapsed while their handler ran (`failed` with action `abandon`). */
  readonly abandoned: number;
  /** Messages a heartbeat could not extend (`heartbeatFailed`). */
  readonly heartbeatFailures: number;
  /** Messages received more than once (their visibility ran out before they were acked). */
  readonly redelivered: number;
}

/** Runs one scenario: see the module comment. */
export async function runFlow(options: FlowRunOptions): Promise<FlowRunRecord> {
  const scale = createTimeScale(options.timeScale);
  const factor = options.timeScale;
  const clock = options.clock ?? systemClock;
  const gateway = new PaymentGatewaySimulator({ latencyMs: scale.ms(options.paymentMs), slots: options.slots, clock });
  const queue = new InMemoryQueue({
    name: "flow-bench",
    visibilityTimeoutMs: scale.ms(pipelineConfig.visibilityTimeoutSeconds * 1000),
    clock,
  });
  queue.sendBatch(Array.from({ length: options.backlog }, (_, i) => ({ body: JSON.stringify({ orderId: `o-${i}` }) })));

  const origin = clock.now();
  const studyNow = () => (clock.now() - origin) / factor;
  const completedAtMs: number[] = [];
  const handlers: [number, number][] = [];
  const inFlight: [number, number][] = [[0, 0]];
  const capacity: [number, number][] = [[0, slotsValue(options.slots)]];
  let running = 0;

  const consumer = createConsumer<{ orderId: string }>({
    source: queue,
    clock,
    concurrency: options.concurrency,
    logger: silentLogger,
    backoff: { strategy: "full", baseMs: scale.ms(1_000), capMs: scale.ms(60_000) },
    handler: async (message, { signal }) => {
      const startedAt = studyNow();
      inFlight.push([startedAt, ++running]);
      try {
        const { orderId } = message.body;
        await gateway.charge({ orderId, amountCents: 1_000, currency: "EUR", idempotencyKey: orderId }, signal);
        const finishedAt = studyNow();
        completedAtMs.push(finishedAt);
        handlers.push([finishedAt, finishedAt - startedAt]);
      } finally {
        inFlight.push([studyNow(), --running]);
      }
    },
  });
  const limit: [number, number][] = [[0, consumer.stats().concurrency.limit]];
  consumer.on("limitChanged", (change) => limit.push([studyNow(), change.limit]));
  let abandoned = 0;
  let heartbeatFailures = 0;
  let redelivered = 0;
  consumer.on("failed", (event) => {
    if (event.action === "abandon") abandoned++;
  });
  consumer.on("heartbeatFailed", (event) => {
    heartbeatFailures += event.messages.length;
  });
  consumer.on("received", (event) => {
    for (const message of event.messages) if (message.receiveCount > 1) redelivered++;
  });

  const timers = (options.capacity ?? []).map((change) =>
    clock.setTimeout(() => {
      gateway.setSlots(change.slots);
      capacity.push([studyNow(), slotsValue(change.slots)]);
    }, change.atMs * factor),
  );
  consumer.start();
  await clock.sleep(options.durationMs * factor);
  for (const timer of timers) clock.clearTimeout(timer);
  // What is still running is not counted: abort it after one payment rather than wait for a deep gateway queue.
  await consumer.stop({ drainTimeoutMs: scale.ms(options.paymentMs) });
  queue.close();
  return {
    label: options.label,
    durationMs: options.durationMs,
    completedAtMs,
    handlers,
    inFlight,
    limit,
    capacity,
    abandoned,
    heartbeatFailures,
    redelivered,
  };
}

function slotsValue(slots: number | "unlimited"): number {
  return slots === "unlimited" ? Number.POSITIVE_INFINITY : slots;
}
