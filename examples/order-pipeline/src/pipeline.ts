/**
 * `startPipeline`: the whole order pipeline in one call (API, topic fan-out, the three consumers, the payment
 * gateway simulator) on the chosen backend. `npm start`, the tests and the flash-sale experiment use it.
 */
import {
  type CircuitBreaker,
  type Clock,
  type Consumer,
  createJsonLogger,
  InvalidOptionError,
  type Logger,
  systemClock,
} from "@resilient-jobs/core";
import { type OrderApi, startOrderApi } from "./api/httpServer.js";
import { createOrderService, type OrderService } from "./api/orderService.js";
import { createAwsBackend } from "./backends/awsBackend.js";
import type { Backend, BackendName } from "./backends/Backend.js";
import { createLocalBackend } from "./backends/localBackend.js";
import { createMemoryBackend } from "./backends/memoryBackend.js";
import { pipelineConfig } from "./config.js";
import type { Order } from "./orders/Order.js";
import type { OrderStore } from "./orders/OrderStore.js";
import { type Charge, type ChargeRequest, PaymentGatewaySimulator } from "./payment/PaymentGatewaySimulator.js";
import { createPaymentService } from "./payment/paymentService.js";
import { traceOrderStore, traceStore } from "./telemetry/tracing.js";
import { createTimeScale, type TimeScale } from "./timeScale.js";
import { type PaymentWorkers, type ProcessorKind, startWorkers, type Workers } from "./workers/startWorkers.js";

/** Options of {@link startPipeline}. Durations are study time: they are multiplied by `timeScale`. */
export interface PipelineOptions {
  /** Where queues, topic and tables live. @defaultValue "memory" */
  backend?: BackendName;
  /**
   * Payment worker concurrency: a count, or `{ adaptive: { min, max } }` for a limit the payment consumer
   * finds from the gateway's latency (processor `ecs` only). @defaultValue 20
   */
  workers?: PaymentWorkers;
  /** How long the gateway takes per charge. @defaultValue 3000 (the study) */
  paymentMs?: number;
  /** Charges the gateway processes at once, shared by every worker. @defaultValue 5 (the study) */
  slots?: number | "unlimited";
  /** Share of charges the gateway declines (orders end PAYMENT_FAILED), 0 to 1. @defaultValue 0 */
  failureRate?: number;
  /** Multiplies every duration (0.01 runs 100x faster). @defaultValue 1 */
  timeScale?: number;
  /** Payment processor: a long-running consumer ("ecs") or a Lambda function run locally. @defaultValue "ecs" */
  processor?: ProcessorKind;
  /** API port on 127.0.0.1; 0 picks a free one. @defaultValue 0 */
  port?: number;
  /** Where the pipeline logs. @defaultValue JSON lines at `warn` */
  logger?: Logger;
  /**
   * The gateway deduplicates on the idempotency key it is given. Off only in tests that show what the
   * worker's own idempotency prevents.
   * @defaultValue true
   */
  gatewayHonorsIdempotencyKeys?: boolean;
  /**
   * What every wait and timestamp of the pipeline runs on: a `VirtualClock` runs it as a simulation (backend
   * `memory` only: emulators and AWS keep real time).
   * @defaultValue `systemClock`
   */
  clock?: Clock;
  /** Random numbers in [0, 1): the gateway's declines and the consumers' backoff jitter. @defaultValue `Math.random` */
  random?: () => number;
  /**
   * Serve the API over HTTP. Off on a virtual clock, whose callers use `service` in process: a socket's I/O is
   * real time, out of the clock's reach.
   * @defaultValue true
   */
  listen?: boolean;
}

/** Queue depths, as the study measured them. */
export interface QueueDepth {
  /** Payment messages waiting (SQS ApproximateNumberOfMessages): the study's "queue depth". */
  payment: number;
  inventory: number;
  notification: number;
  /** Messages in the three dead-letter queues. */
  dlq: number;
  /** Payment messages received and not yet deleted (being processed or about to reappear). */
  paymentInFlight: number;
}

/** A running pipeline. */
export interface RunningPipeline {
  /** `http://127.0.0.1:PORT`; empty with `listen: false`. */
  apiUrl: string;
  /** The API's use cases in process, without HTTP (what a virtual-clock run drives). */
  service: OrderService;
  queueDepth(): Promise<QueueDepth>;
  /** The payment gateway simulator: charges per order prove nothing is charged twice. */
  gateway: PaymentGatewaySimulator;
  orders: { get(id: string): Promise<Order | undefined>; countByStatus(): Promise<Record<string, number>> };
  /** Restarts the payment processor with `n` workers (the old one drains first). */
  setWorkers(n: PaymentWorkers): Promise<void>;
  /** The payment consumer (`stats()`, events such as `limitChanged`); undefined with processor `lambda`. */
  paymentConsumer(): Consumer | undefined;
  /** Drains workers, closes the server and the backend (and its emulators). */
  stop(): Promise<void>;
  /** The circuit breaker around the payment gateway (state, stats, state changes). */
  breaker: CircuitBreaker<[ChargeRequest, AbortSignal], Charge>;
  /** The backend, for tests and tools that need its parts. */
  backend: Backend;
  /** The resolved options. */
  options: Readonly<ResolvedPipelineOptions>;
  /** The time scale in use. */
  timeScale: TimeScale;
}

/** {@link PipelineOptions} with defaults applied. */
export type ResolvedPipelineOptions = Required<Omit<PipelineOptions, "logger">>;

/** The defaults of {@link PipelineOptions}, declared once. */
export const PIPELINE_DEFAULTS: Readonly<ResolvedPipelineOptions> = Object.freeze({
  backend: "memory",
  workers: 20,
  paymentMs: pipelineConfig.payment.latencyMs,
  slots: pipelineConfig.payment.slots,
  failureRate: 0,
  timeScale: 1,
  processor: "ecs",
  port: 0,
  gatewayHonorsIdempotencyKeys: true,
  clock: systemClock,
  // Read at call time, so that a stub installed on Math.random later is honoured.
  random: () => Math.random(),
  listen: true,
});

/**
 * Starts the pipeline: backend, gateway simulator, consumers, then the API (so nothing is accepted before
 * workers are there). Options are validated first; an `InvalidOptionError` names the bad one.
 */
export async function startPipeline(options: PipelineOptions = {}): Promise<RunningPipeline> {
  const resolved = resolvePipelineOptions(options);
  const timeScale = createTimeScale(resolved.timeScale);
  const logger = options.logger ?? createJsonLogger({ level: "warn", base: { app: "order-pipeline" } });
  const { clock } = resolved;
  const created = await createBackend(resolved, timeScale, logger);
  // With tracing on, the order table's writes (each branch's result, check-and-finalize) appear in the trace.
  const orders = traceOrderStore(created.orders, created.name === "memory" ? "memory" : "aws.dynamodb");
  const backend: Backend = orders === created.orders ? created : withOrders(created, orders);

  const gateway = new PaymentGatewaySimulator({
    latencyMs: resolved.paymentMs === 0 ? 0 : timeScale.ms(resolved.paymentMs),
    slots: resolved.slots,
    failureRate: resolved.failureRate,
    honorIdempotencyKeys: resolved.gatewayHonorsIdempotencyKeys,
    random: resolved.random,
    clock,
  });
  // With tracing on, the payment's idempotency claims and writes appear in its trace.
  const payments = createPaymentService({
    gateway,
    idempotency: traceStore(backend.idempotency),
    timeScale,
    clock,
  });
  let workers: Workers | undefined;
  let api: OrderApi | undefined;
  let service: OrderService;
  try {
    workers = startWorkers({
      backend,
      payments,
      timeScale,
      processor: resolved.processor,
      workers: resolved.workers,
      logger,
      clock,
      random: resolved.random,
    });
    service = createOrderService({
      orders: backend.orders,
      topic: backend.topic,
      payments,
      idempotency: backend.idempotency,
      timeScale,
      clock,
    });
    const running = workers;
    if (resolved.listen) {
      api = await startOrderApi({
        service,
        orders: backend.orders,
        logger,
        port: resolved.port,
        health: () => ({ backend: backend.name, ...running.health() }),
      });
    }
  } catch (error) {
    await workers?.stop();
    payments.breaker.shutdown();
    await backend.close();
    throw error;
  }

  const runningWorkers = workers;
  const runningApi = api;
  let stopping: Promise<void> | undefined;
  return {
    apiUrl: runningApi?.url ?? "",
    service,
    gateway,
    breaker: payments.breaker,
    orders: { get: (id) => backend.orders.get(id), countByStatus: () => backend.orders.countByStatus() },
    backend,
    options: resolved,
    timeScale,
    async queueDepth() {
      const counts = await backend.queueCounts();
      return {
        payment: counts.payment.visible,
        inventory: counts.inventory.visible,
        notification: counts.notification.visible,
        dlq: counts.payment.deadLettered + counts.inventory.deadLettered + counts.notification.deadLettered,
        paymentInFlight: counts.payment.inFlight,
      };
    },
    setWorkers(n) {
      checkWorkers(n, "n");
      return runningWorkers.setPaymentWorkers(n);
    },
    paymentConsumer: () => runningWorkers.paymentConsumer(),
    stop() {
      stopping ??= (async () => {
        await runningApi?.close();
        await runningWorkers.stop();
        payments.breaker.shutdown();
        await backend.close();
      })();
      return stopping;
    },
  };
}

function createBackend(options: ResolvedPipelineOptions, timeScale: TimeScale, logger: Logger): Promise<Backend> {
  switch (options.backend) {
    case "memory":
      return Promise.resolve(createMemoryBackend({ timeScale, processor: options.processor, clock: options.clock }));
    case "local":
      return createLocalBackend({ timeScale, processor: options.processor, logger });
    case "aws":
      return createAwsBackend({ logger });
  }
}

/** Applies the defaults and validates. @throws InvalidOptionError naming the first bad option. */
export function resolvePipelineOptions(options: PipelineOptions): ResolvedPipelineOptions {
  if (typeof options !== "object" || options === null) throw new InvalidOptionError("options", "an object", options);
  const defined = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
  const resolved = { ...PIPELINE_DEFAULTS, ...defined } as ResolvedPipelineOptions & { logger?: Logger };
  delete resolved.logger;
  if (!["memory", "local", "aws"].includes(resolved.backend)) {
    throw new InvalidOptionError("backend", '"memory", "local" or "aws"', resolved.backend);
  }
  checkWorkers(resolved.workers, "workers");
  if (!(typeof resolved.paymentMs === "number" && resolved.paymentMs >= 0)) {
    throw new InvalidOptionError("paymentMs", "a number of milliseconds >= 0", resolved.paymentMs);
  }
  if (resolved.slots !== "unlimited" && !(Number.isInteger(resolved.slots) && resolved.slots >= 1)) {
    throw new InvalidOptionError("slots", 'an integer >= 1 or "unlimited"', resolved.slots);
  }
  if (!(typeof resolved.failureRate === "number" && resolved.failureRate >= 0 && resolved.failureRate <= 1)) {
    throw new InvalidOptionError("failureRate", "a number from 0 to 1", resolved.failureRate);
  }
  createTimeScale(resolved.timeScale);
  if (resolved.processor !== "ecs" && resolved.processor !== "lambda") {
    throw new InvalidOptionError("processor", '"ecs" or "lambda"', resolved.processor);
  }
  if (!(Number.isInteger(resolved.port) && resolved.port >= 0 && resolved.port <= 65_535)) {
    throw new InvalidOptionError("port", "an integer from 0 to 65535 (0 picks a free port)", resolved.port);
  }
  const clock = resolved.clock as Partial<Clock> | null;
  if (
    typeof clock !== "object" ||
    clock === null ||
    typeof clock.now !== "function" ||
    typeof clock.sleep !== "function"
  ) {
    throw new InvalidOptionError("clock", "a Clock (now, setTimeout, clearTimeout, sleep)", resolved.clock);
  }
  if (resolved.clock !== systemClock && resolved.backend !== "memory") {
    throw new InvalidOptionError("clock", 'systemClock with a backend other than "memory"', resolved.clock);
  }
  if (typeof resolved.random !== "function") throw new InvalidOptionError("random", "a function", resolved.random);
  if (typeof resolved.listen !== "boolean") throw new InvalidOptionError("listen", "a boolean", resolved.listen);
  if (typeof resolved.gatewayHonorsIdempotencyKeys !== "boolean") {
    throw new InvalidOptionError("gatewayHonorsIdempotencyKeys", "a boolean", resolved.gatewayHonorsIdempotencyKeys);
  }
  return Object.freeze(resolved);
}

function checkWorkers(value: unknown, option: string): void {
  // The adaptive limit's bounds are the consumer's to check (createConsumer names the bad field).
  if (typeof value === "object" && value !== null && "adaptive" in value) return;
  if (!(typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= 10_000)) {
    throw new InvalidOptionError(option, "an integer from 1 to 10000, or { adaptive: { min, max } }", value);
  }
}

/** The backend with another order store (a traced one); its methods stay bound to the backend. */
function withOrders(backend: Backend, orders: OrderStore): Backend {
  return {
    name: backend.name,
    topic: backend.topic,
    sources: backend.sources,
    orders,
    idempotency: backend.idempotency,
    queueCounts: () => backend.queueCounts(),
    close: () => backend.close(),
  };
}
