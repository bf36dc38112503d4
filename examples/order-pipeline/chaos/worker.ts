/**
 * One worker process of the chaos run: the app's three consumers (payment, inventory, notification) built from
 * its own modules on the `aws` backend, which reads everything from the environment as an ECS task would:
 * `AWS_ENDPOINT_URL_SQS` (the fault proxy), `AWS_ENDPOINT_URL_DYNAMODB`, the `ORDERS_*` resource variables,
 * plus the chaos settings below. The payment gateway is the harness's shared gateway service.
 *
 * Reports on stdout, one JSON object per line: `ready`, every `breaker` state change, and `stopped` once a
 * SIGTERM drain is over (then exits 0). Logs (JSON, `warn` and up) go to stderr.
 */

import { createJsonLogger, handleSignals } from "@resilient-jobs/core";
import { createSqsClientFromEnv } from "@resilient-jobs/sqs-adapter";
import { createAwsBackend } from "../src/backends/awsBackend.js";
import { type Backend, QUEUE_NAMES, type QueueName } from "../src/backends/Backend.js";
import { createPaymentService } from "../src/payment/paymentService.js";
import { createTimeScale } from "../src/timeScale.js";
import { startWorkers } from "../src/workers/startWorkers.js";
import { withDeadLetterQueue } from "./deadLetterSource.js";
import { createHttpPaymentGateway } from "./gatewayService.js";
import { readWorkerSettings, type WorkerReport } from "./workerProtocol.js";

const settings = readWorkerSettings(process.env);
const report = (line: WorkerReport) => process.stdout.write(`${JSON.stringify(line)}\n`);
const logger = createJsonLogger({
  level: settings.logLevel,
  base: { worker: settings.workerId },
  write: (line) => process.stderr.write(`${line}\n`),
});

const timeScale = createTimeScale(settings.timeScale);
const backend = await createAwsBackend({ logger });
const deadLetterClient = createSqsClientFromEnv();
// Poison is parked at its first receive with its reason: by the SDK's own SqsSource.deadLetter when the source has
// one (it knows the queue's DLQ), else by the harness's equivalent step.
const sources = Object.fromEntries(
  QUEUE_NAMES.map((name) => {
    const source = backend.sources[name];
    const queueUrl = settings.deadLetterUrls[name];
    return [name, source.deadLetter ? source : withDeadLetterQueue(source, { client: deadLetterClient, queueUrl })];
  }),
) as Record<QueueName, Backend["sources"][QueueName]>;
const payments = createPaymentService({
  gateway: createHttpPaymentGateway(settings.gatewayUrl),
  idempotency: backend.idempotency,
  timeScale,
});
payments.breaker.onStateChange((state) => report({ event: "breaker", state, at: Date.now() }));
const workers = startWorkers({
  backend: { ...backend, sources },
  payments,
  timeScale,
  processor: "ecs",
  workers: settings.paymentWorkers,
  logger,
});

let signalledAt = 0;
process.once("SIGTERM", () => {
  signalledAt = Date.now();
});
handleSignals(
  {
    async stop() {
      await workers.stop();
      payments.breaker.shutdown();
      deadLetterClient.destroy();
      await backend.close();
      report({ event: "stopped", drainMs: Date.now() - signalledAt });
    },
  },
  { logger },
);
report({ event: "ready", pid: process.pid });
