import {
  type BackoffOptions,
  type Clock,
  type Consumer,
  type ConsumerHealth,
  type ConsumerOptions,
  createConsumer,
  InvalidOptionError,
  type Logger,
  type MessageHandler,
  type MessageSource,
  systemClock,
} from "@resilient-jobs/core";
import {
  json,
  type LocalEventSourceMapping,
  runLocally,
  snsEnvelope,
  sqsHandler,
  withSchema,
} from "@resilient-jobs/lambda-adapter";
import { tracedSqsHandler } from "@resilient-jobs/lambda-adapter/otel";
import type { Backend } from "../backends/Backend.js";
import { pipelineConfig } from "../config.js";
import { type OrderPlaced, orderPlacedSchema } from "../orders/orderSchema.js";
import type { PaymentService } from "../payment/paymentService.js";
import { traceConsumer, tracingEnabled } from "../telemetry/tracing.js";
import type { TimeScale } from "../timeScale.js";
import {
  createInventoryHandler,
  createNotificationHandler,
  createPaymentHandler,
  type HandlerDeps,
} from "./handlers.js";

/**
 * How every queue's bodies are decoded, by the ECS consumers and the Lambda processor alike (the same option on
 * both runtimes): the in-memory topic delivers SNS envelopes (as SNS does without raw delivery), the AWS one raw
 * bodies, and `snsEnvelope` reads both. The schema types `message.body` as an `OrderPlaced`.
 */
export const decodeOrderPlaced = withSchema(orderPlacedSchema, snsEnvelope(json));

/** How the payment queue is consumed: an ECS-style long-running consumer, or Lambda (run locally). */
export type ProcessorKind = "ecs" | "lambda";

/**
 * Payment handlers at once: a fixed count, or `{ adaptive: { min, max } }` to let the consumer find what the
 * gateway can take from the handlers' latency (the consumer's `concurrency` option; ECS processor only).
 */
export type PaymentWorkers = NonNullable<ConsumerOptions["concurrency"]>;

/** Options of {@link startWorkers}. */
export interface WorkersOptions {
  backend: Backend;
  payments: PaymentService;
  timeScale: TimeScale;
  processor: ProcessorKind;
  /** Payment handlers running at once (ECS: the consumer's concurrency; Lambda: about this many records). */
  workers: PaymentWorkers;
  logger: Logger;
  /** What every consumer and handler waits on and dates by. @defaultValue `systemClock` */
  clock?: Clock;
  /** Random numbers in [0, 1) for the consumers' backoff jitter (seeded in the simulator). @defaultValue `Math.random` */
  random?: () => number;
}

/** The running consumers of the three queues. */
export interface Workers {
  /** Replaces the payment processor with one of `n` workers (the old one drains first). */
  setPaymentWorkers(n: PaymentWorkers): Promise<void>;
  /** The payment consumer (its `stats()` and events), or undefined when Lambda processes payments. */
  paymentConsumer(): Consumer | undefined;
  /** The consumers' state, for `GET /health`. */
  health(): Record<string, unknown>;
  /** Drains every consumer (in-flight messages finish or are handed back). */
  stop(): Promise<void>;
}

/** A payment processor that can be stopped: a consumer or a local Lambda event source mapping. */
interface PaymentProcessor {
  health(): unknown;
  stop(): Promise<void>;
  readonly consumer?: Consumer;
}

/**
 * Starts the consumers of the fan-out: inventory and notification as ECS-style consumers, and payment as an
 * ECS-style consumer (breaker-aware: an open gateway circuit pauses receiving) or as a Lambda function fed
 * by `runLocally`, the local stand-in for the SQS event source mapping. Every duration is time-scaled.
 */
export function startWorkers(options: WorkersOptions): Workers {
  const { backend, timeScale, logger } = options;
  const clock = options.clock ?? systemClock;
  const deps: HandlerDeps = { orders: backend.orders, payments: options.payments, timeScale, clock };
  const common = consumerDefaults(timeScale, logger, clock, options.random);
  const branch = (name: "inventory" | "notification", handler: MessageHandler<OrderPlaced>): Consumer => {
    const traced = traceConsumer(name, handler);
    const consumer = createConsumer<OrderPlaced>({
      ...common,
      name,
      source: backend.sources[name],
      handler: traced.handler,
      decode: decodeOrderPlaced,
      concurrency: pipelineConfig.branchWorkers,
      handlerTimeoutMs: handlerTimeoutMs(backend.sources[name], timeScale),
    });
    traced.attach(consumer);
    return consumer;
  };
  const branches = [
    branch("inventory", createInventoryHandler(deps)),
    branch("notification", createNotificationHandler(deps)),
  ];
  for (const consumer of branches) consumer.start();

  const paymentHandler = createPaymentHandler(deps);
  const startPayment = (workers: PaymentWorkers): PaymentProcessor => {
    if (options.processor === "ecs") {
      return startEcsProcessor(backend.sources.payment, paymentHandler, workers, options.payments, common);
    }
    // The event source mapping scales by invocations, not by a consumer's limit.
    if (typeof workers !== "number") {
      throw new InvalidOptionError("workers", 'a number with processor "lambda"', workers);
    }
    return startLambdaProcessor(backend.sources.payment, paymentHandler, workers, timeScale, logger);
  };
  let payment = startPayment(options.workers);

  return {
    async setPaymentWorkers(n) {
      await payment.stop();
      payment = startPayment(n);
    },
    paymentConsumer: () => payment.consumer,
    health: () => ({
      processor: options.processor,
      payment: payment.health(),
      inventory: summary(branches[0]!.health()),
      notification: summary(branches[1]!.health()),
      breaker: options.payments.breaker.toJSON(),
    }),
    async stop() {
      await Promise.all([payment.stop(), ...branches.map((consumer) => consumer.stop())]);
    },
  };
}

function startEcsProcessor(
  source: MessageSource,
  handler: MessageHandler<OrderPlaced>,
  workers: PaymentWorkers,
  payments: PaymentService,
  common: ReturnType<typeof consumerDefaults>,
): PaymentProcessor {
  // No handlerTimeoutMs: a charge may wait long for a gateway slot; the heartbeat keeps its message
  // invisible meanwhile and the payment call has its own timeout.
  const traced = traceConsumer("payment", handler);
  const consumer = createConsumer<OrderPlaced>({
    ...common,
    name: "payment",
    source,
    handler: traced.handler,
    decode: decodeOrderPlaced,
    concurrency: workers,
    breakers: [payments.breaker],
  });
  traced.attach(consumer);
  consumer.start();
  return { health: () => summary(consumer.health()), stop: () => consumer.stop(), consumer };
}

function startLambdaProcessor(
  source: MessageSource,
  handler: MessageHandler<OrderPlaced>,
  workers: number,
  timeScale: TimeScale,
  logger: Logger,
): PaymentProcessor {
  const { batchSize, timeoutSeconds, maximumBatchingWindowSeconds } = pipelineConfig.lambda;
  // Created once, as a Lambda module would at init: the same handler the ECS consumer runs.
  const lambda = (tracingEnabled() ? tracedSqsHandler : sqsHandler)<OrderPlaced>(handler, {
    decode: decodeOrderPlaced,
    concurrency: batchSize,
    logger,
    // The adapter's margins (1 s / 0.5 s) are real time: scaled like the function timeout, or at small time
    // scales no record would ever start.
    stopStartingBeforeTimeoutMs: timeScale.ms(1_000),
    abortBeforeTimeoutMs: timeScale.ms(500),
  });
  const mapping: LocalEventSourceMapping = runLocally({
    source,
    handler: lambda,
    batchSize,
    batchWindowMs: timeScale.ms(maximumBatchingWindowSeconds * 1000),
    functionTimeoutMs: timeScale.ms(timeoutSeconds * 1000),
    // About `workers` records in flight, as the ECS consumer has; AWS's minimum MaximumConcurrency is 2.
    maxConcurrency: Math.max(2, Math.ceil(workers / batchSize)),
    functionName: "order-processor",
    logger,
  });
  return { health: () => ({ state: mapping.state, ...mapping.stats() }), stop: () => mapping.stop() };
}

/** Options every consumer of the pipeline shares, time-scaled. */
function consumerDefaults(timeScale: TimeScale, logger: Logger, clock: Clock, random?: () => number) {
  const backoff: BackoffOptions = {
    strategy: "full",
    baseMs: timeScale.ms(1_000),
    capMs: timeScale.ms(900_000),
    random,
  };
  return {
    backoff,
    clock,
    drainTimeoutMs: timeScale.ms(pipelineConfig.drainTimeoutMs),
    logger,
  };
}

/** The study's handler timeout, scaled, and kept below the queue's visibility (SQS rounds it to seconds). */
function handlerTimeoutMs(source: MessageSource, timeScale: TimeScale): number {
  const scaled = timeScale.ms(pipelineConfig.handlerTimeoutMs);
  const visibilityMs = source.visibilityTimeoutMs;
  return visibilityMs === undefined ? scaled : Math.min(scaled, Math.max(1, visibilityMs - 1));
}

function summary(health: ConsumerHealth) {
  return { state: health.state, ok: health.ok, reason: health.reason, inFlight: health.inFlight };
}
