/**
 * The order processor's container entry (`processor.mjs`): the fan-out's consumers on the `aws` backend.
 * `ORDERS_PROCESSOR=ecs` runs all three (payment with `ORDERS_PAYMENT_WORKERS` handlers, the app's
 * `startWorkers`); `lambda` and `lambda-sns` leave payment to the function and run inventory and notification
 * only. SIGTERM (deployment, scale-in, Spot reclaim) drains within `pipelineConfig.drainTimeoutMs`, which the
 * stack keeps below the ECS stop timeout.
 */
import { type BackoffOptions, type Consumer, createConsumer, handleSignals } from "@resilient-jobs/core";
import { createAwsBackend } from "../../src/backends/awsBackend.js";
import { pipelineConfig } from "../../src/config.js";
import { createInventoryHandler, createNotificationHandler, type HandlerDeps } from "../../src/workers/handlers.js";
import { decodeOrderPlaced, startWorkers } from "../../src/workers/startWorkers.js";
import { PAYMENT_WORKERS_PER_TASK } from "../processorSizing.js";
import { deployedLogger, deployedPaymentService, positiveIntegerFromEnv, realTime } from "./deployedPipeline.js";

const logger = deployedLogger("processor");
const processor = process.env.ORDERS_PROCESSOR ?? "ecs";
const backend = await createAwsBackend({ logger });
const payments = deployedPaymentService(backend.idempotency);

let stoppable: { stop(): Promise<void> };
if (processor === "ecs") {
  const workers = startWorkers({
    backend,
    payments,
    timeScale: realTime,
    processor: "ecs",
    workers: positiveIntegerFromEnv("ORDERS_PAYMENT_WORKERS", PAYMENT_WORKERS_PER_TASK),
    logger,
  });
  stoppable = workers;
} else {
  stoppable = startBranches();
}
logger.info("order processor started", { processor });

handleSignals(
  {
    async stop() {
      await stoppable.stop();
      payments.breaker.shutdown();
      await backend.close();
    },
  },
  { logger },
);

// The inventory and notification consumers alone, configured as startWorkers configures them (it always
// starts a payment processor too, which Lambda owns here).
function startBranches(): { stop(): Promise<void> } {
  const deps: HandlerDeps = { orders: backend.orders, payments, timeScale: realTime };
  const backoff: BackoffOptions = { strategy: "full", baseMs: 1_000, capMs: 900_000 };
  const consumers: Consumer[] = (["inventory", "notification"] as const).map((name) => {
    const source = backend.sources[name];
    const visibilityMs = source.visibilityTimeoutMs;
    return createConsumer({
      name,
      source,
      handler: name === "inventory" ? createInventoryHandler(deps) : createNotificationHandler(deps),
      decode: decodeOrderPlaced,
      concurrency: pipelineConfig.branchWorkers,
      backoff,
      drainTimeoutMs: pipelineConfig.drainTimeoutMs,
      // Below the queue's visibility timeout (SQS speaks whole seconds), as startWorkers keeps it.
      handlerTimeoutMs:
        visibilityMs === undefined
          ? pipelineConfig.handlerTimeoutMs
          : Math.min(pipelineConfig.handlerTimeoutMs, visibilityMs - 1),
      logger,
    });
  });
  for (const consumer of consumers) consumer.start();
  return { stop: () => Promise.all(consumers.map((consumer) => consumer.stop())).then(() => undefined) };
}
