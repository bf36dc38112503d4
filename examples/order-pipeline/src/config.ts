/**
 * One source of truth for the pipeline's names and the settings the SDK's guarantees depend on.
 * The app (every backend), the flash-sale experiment and the CDK stack all read it, so the
 * deployed queues, the workers' timeouts and the ECS stop timeout cannot drift apart.
 */
export const pipelineConfig = Object.freeze({
  topicName: "orders",
  /** One queue per consumer of the orders topic (SNS fan-out), each with a DLQ named `<queue>-dlq`. */
  queues: Object.freeze({
    payment: "orders-payment",
    inventory: "orders-inventory",
    notification: "orders-notification",
  }),
  deadLetterSuffix: "-dlq",
  /** Receives before SQS moves a message to its DLQ (the study: 3-5). */
  maxReceiveCount: 5,
  /** Visibility timeout of the worker queues; the handler timeout stays below it, the heartbeat extends it. */
  visibilityTimeoutSeconds: 30,
  handlerTimeoutMs: 20_000,
  /** The consumer's drain deadline on SIGTERM; the ECS stop timeout must be at least this plus a margin. */
  drainTimeoutMs: 25_000,
  ecsStopTimeoutSeconds: 30,
  /** The study's payment processor: 3 s per charge, 5 concurrent slots shared by every worker. */
  payment: Object.freeze({
    latencyMs: 3_000,
    slots: 5,
    /**
     * The worker's timeout on one charge, slot wait included. Generous: with 100 workers on 5 slots a charge
     * waits ~60 s for its slot (the study's point: workers beyond the downstream limit only queue).
     */
    callTimeoutMs: 120_000,
    /** The breaker around the gateway: opens when over half of >= 5 calls in 10 s fail, probes after 30 s. */
    breakerResetTimeoutMs: 30_000,
    breakerWindowMs: 10_000,
  }),
  /** The other branches of the fan-out: simulated stock reservation and e-mail, per message. */
  inventoryLatencyMs: 200,
  notificationLatencyMs: 100,
  /** Concurrency of the inventory and notification consumers (payment's is a pipeline option). */
  branchWorkers: 10,
  /** Lambda variant: AWS asks for a queue visibility timeout of at least 6x the function timeout. */
  lambda: Object.freeze({
    timeoutSeconds: 10,
    batchSize: 10,
    maximumBatchingWindowSeconds: 1,
    maximumConcurrency: 20,
    queueVisibilityTimeoutSeconds: 60,
  }),
  tables: Object.freeze({ orders: "orders", idempotency: "orders-idempotency" }),
  /** How long a processed order id is remembered (DynamoDB TTL attribute `expiration`). */
  idempotencyTtlSeconds: 86_400,
});

/** The pipeline's configuration type. */
export type PipelineConfig = typeof pipelineConfig;
