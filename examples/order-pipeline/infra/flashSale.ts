/**
 * The study's flash sale against the deployed stack: `users` customers order through the load balancer's
 * `POST /orders/async` for `seconds`, then the queues are watched until the payment backlog has drained.
 * Prints what the study measured: orders accepted, median latency, request rate, and the queue depth over time.
 *
 * From examples/order-pipeline, after `npm run deploy`:
 *   node --import ./infra/tsResolve.ts infra/flashSale.ts --users 20 --seconds 60
 * Credentials and region: the standard AWS environment (the region defaults to the stack's).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { type FlashSaleRequest, runFlashSale } from "../src/cli/flashSale.js";
import { type DeployedPipeline, readDeployedPipeline } from "./outputs.js";

const { values } = parseArgs({
  options: {
    users: { type: "string", default: "20" },
    seconds: { type: "string", default: "60" },
    "think-ms": { type: "string", default: "300" },
    "drain-minutes": { type: "string", default: "30" },
    stack: { type: "string" },
    outputs: { type: "string" },
  },
});
const users = positive("users", values.users);
const seconds = positive("seconds", values.seconds);
const thinkMs = positive("think-ms", values["think-ms"]);
const drainMs = positive("drain-minutes", values["drain-minutes"]) * 60_000;

const pipeline = readDeployedPipeline({ file: values.outputs, stackName: values.stack });
const sqs = new SQSClient({ region: process.env.AWS_REGION ?? pipeline.region });
const startedAt = performance.now();
const elapsed = () => `${((performance.now() - startedAt) / 1000).toFixed(0).padStart(4)} s`;

process.stdout.write(
  `Flash sale: ${users} customers for ${seconds} s against ${pipeline.apiUrl} (${pipeline.processor})\n`,
);
let saleOver = false;
const watcher = watchQueues(pipeline, () => saleOver);
const results: FlashSaleRequest[] = await runFlashSale({
  url: `${pipeline.apiUrl}/orders/async`,
  users,
  durationMs: seconds * 1000,
  thinkMs,
  timeoutMs: 30_000,
});
saleOver = true;
const accepted = results.filter((r) => r.status === 202);
const latencies = accepted.map((r) => r.latencyMs).sort((a, b) => a - b);
const median = latencies.length === 0 ? Number.NaN : (latencies[Math.floor((latencies.length - 1) / 2)] ?? Number.NaN);
process.stdout.write(
  `${elapsed()}  sale over: ${accepted.length} accepted, ${results.length - accepted.length} not, ` +
    `median ${median.toFixed(0)} ms, ${(results.length / seconds).toFixed(1)} req/s\n`,
);
await watcher;
sqs.destroy();

/** Prints the depth of every queue every 5 s; after the sale, stops once nothing is visible or in flight. */
async function watchQueues(deployed: DeployedPipeline, over: () => boolean): Promise<void> {
  const names = ["payment", "inventory", "notification"] as const;
  const drainUntil = () => performance.now() + drainMs;
  let deadline = Number.POSITIVE_INFINITY;
  for (;;) {
    const depths = await Promise.all(
      names.map(async (name) => {
        const [queue, dlq] = await Promise.all([
          depth(deployed.resources.queueUrls[name]),
          depth(deployed.deadLetterQueueUrls[name]),
        ]);
        return { name, ...queue, deadLettered: dlq.visible };
      }),
    );
    process.stdout.write(
      `${elapsed()}  ${depths.map((d) => `${d.name} ${d.visible} waiting / ${d.inFlight} in flight / ${d.deadLettered} DLQ`).join("  |  ")}\n`,
    );
    if (over()) {
      if (deadline === Number.POSITIVE_INFINITY) deadline = drainUntil();
      if (depths.every((d) => d.visible + d.inFlight === 0) || performance.now() > deadline) return;
    }
    await sleep(5_000);
  }
}

async function depth(queueUrl: string): Promise<{ visible: number; inFlight: number }> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  return {
    visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}

function positive(name: string, raw: string): number {
  const value = Number(raw);
  if (!(value > 0)) throw new Error(`Expected \`--${name}\` to be a positive number, got ${raw}`);
  return value;
}
