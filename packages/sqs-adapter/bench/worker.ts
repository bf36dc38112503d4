/**
 * One benchmark contender in its own process: drains the queue with our consumer or with
 * sqs-consumer, counts API calls by type (SDK middleware) and CPU (process.cpuUsage), and
 * prints one JSON line with the result. Spawned by run.mjs after esbuild bundles it.
 */
import { SQSClient, type SQSClientConfig } from "@aws-sdk/client-sqs";
import { silentLogger, snsEnvelope, text } from "@resilient-jobs/core";
import { createSqsClientFromEnv, createSqsConsumer } from "@resilient-jobs/sqs-adapter";
import { Consumer } from "sqs-consumer";
import { countCommands } from "../src/source/sqsTestKit.js";
import { createLatencySampler } from "./latency.js";

/** What run.mjs passes in BENCH_WORKER (JSON). */
interface WorkerInput {
  contender: "resilient-jobs" | "sqs-consumer";
  endpoint: string;
  queueUrl: string;
  total: number;
  concurrency: number;
  seed: number;
}

/** What the worker prints. */
export interface WorkerResult {
  contender: string;
  processed: number;
  duplicates: number;
  elapsedMs: number;
  cpuMicros: number;
  meanLatencyMs: number;
  /** Mean time the handler's sleep actually took (timer lateness included). */
  measuredLatencyMs: number;
  calls: Record<string, number>;
  /** Mean handlers in flight (ours only). */
  meanInFlight: number | undefined;
  /** Entries DeleteMessageBatch reported as failed. */
  deleteEntriesFailed: number;
  /** The consumer's own counters at the end (ours only). */
  consumerStats: unknown;
  /** ReceiveMessage round trips: median and 90th percentile, ms. */
  receiveRoundTripMs: { p50: number; p90: number; p99: number; max: number };
  /** Peak resident set size of the consumer process, MiB. */
  peakRssMb: number;
  /** Time from a message's receive to its handler's start, ms, over every message (ours only). */
  slotWaitMs: { p50: number; p90: number; p99: number; max: number } | undefined;
}

const input = JSON.parse(process.env.BENCH_WORKER ?? "{}") as WorkerInput;
/**
 * Our contender uses the client `createSqsConsumer` builds when given none (BENCH_CLIENT "env", the default);
 * "sdk" is a plain `new SQSClient()` with the SDK's defaults, as a user-supplied client has them (and as
 * sqs-consumer always gets), with BENCH_CLIENT_CONFIG (JSON) merged in: one SDK setting at a time.
 */
function createClient(): SQSClient {
  if (input.contender === "resilient-jobs" && process.env.BENCH_CLIENT !== "sdk") {
    // The SDK reads the endpoint and credentials from process.env itself.
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_SQS: input.endpoint,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "bench",
      AWS_SECRET_ACCESS_KEY: "bench",
    });
    return createSqsClientFromEnv(process.env, input.queueUrl);
  }
  return new SQSClient({
    endpoint: input.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "bench", secretAccessKey: "bench" },
    ...(JSON.parse(process.env.BENCH_CLIENT_CONFIG ?? "{}") as SQSClientConfig),
  });
}
const client = createClient();
const calls = countCommands(client);
// Round-trip time of each receive, measured around the whole SDK stack (for the diagnosis in the report).
const receiveRoundTrips: number[] = [];
client.middlewareStack.add(
  (next, context) => async (args) => {
    if (context.commandName !== "ReceiveMessageCommand") return next(args);
    const started = performance.now();
    try {
      return await next(args);
    } finally {
      receiveRoundTrips.push(performance.now() - started);
    }
  },
  { step: "initialize", name: "timeReceives" },
);
// Entries SQS refused in batch deletes: a refused delete leaves the message to come back.
let deleteEntriesFailed = 0;
client.middlewareStack.add(
  (next, context) => async (args) => {
    const result = await next(args);
    if (context.commandName === "DeleteMessageBatchCommand") {
      deleteEntriesFailed += (result.output as { Failed?: unknown[] }).Failed?.length ?? 0;
    }
    return result;
  },
  { step: "initialize", name: "countFailedDeletes" },
);
/** Extra consumer options for experiments (`--options '{"fullBatchWaitMs":0}'`). */
const extraOptions = JSON.parse(process.env.BENCH_OPTIONS ?? "{}") as Record<string, unknown>;
const nextLatency = createLatencySampler(input.seed);
const seen = new Set<string>();
let duplicates = 0;
let latencySum = 0;
let lastDoneAt = 0;
let measuredSum = 0;
let consumerStats: unknown;
let inFlightSum = 0;
/** When each message's receive returned (ours: the `received` event), for its wait for a slot. */
const receivedAt = new Map<string, number>();
const slotWaits: number[] = [];
let inFlightSamples = 0;
let resolveDone: () => void = () => {};
const allDone = new Promise<void>((resolve) => {
  resolveDone = resolve;
});

async function handle(id: string): Promise<void> {
  const arrived = receivedAt.get(id);
  if (arrived !== undefined) {
    slotWaits.push(performance.now() - arrived);
    receivedAt.delete(id);
  }
  const latency = nextLatency();
  latencySum += latency;
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, latency));
  // What the sleep really took (timers fire late under load): the bound both contenders can reach.
  measuredSum += performance.now() - started;
  if (seen.has(id)) duplicates++;
  else seen.add(id);
  if (seen.size === input.total) {
    lastDoneAt = performance.now();
    resolveDone();
  }
}

async function runOurs(): Promise<() => Promise<void>> {
  const consumer = await createSqsConsumer({
    queueUrl: input.queueUrl,
    client,
    concurrency: input.concurrency,
    handler: (message) => handle(message.id),
    // What the deprecated `format: "text"` built, so figures stay comparable with the earlier runs.
    decode: snsEnvelope(text),
    logger: silentLogger,
    handleSignals: false,
    ...extraOptions,
  });
  consumer.on("received", ({ messages }) => {
    const now = performance.now();
    for (const m of messages) receivedAt.set(m.id, now);
  });
  // Average handlers in flight, sampled every 5 ms: Little's law says throughput = inFlight / latency.
  // Only with --diagnose: the sampling costs CPU that would be counted as the consumer's.
  const stop = async () => {
    await consumer.stop();
    consumerStats = consumer.stats();
  };
  if (process.env.BENCH_DIAGNOSE !== "1") return stop;
  const sampler = setInterval(() => {
    inFlightSum += consumer.health().inFlight;
    inFlightSamples++;
  }, 5);
  sampler.unref();
  return stop;
}

async function runSqsConsumer(): Promise<() => Promise<void>> {
  // The same budget: 10 consumers, each receiving 10 and running them together.
  const consumers = Array.from({ length: input.concurrency / 10 }, () =>
    Consumer.create({
      queueUrl: input.queueUrl,
      sqs: client,
      batchSize: 10,
      waitTimeSeconds: 20,
      handleMessage: async (message) => {
        await handle(message.MessageId ?? "");
        return message;
      },
    }),
  );
  for (const c of consumers) c.on("error", () => {});
  for (const c of consumers) c.start();
  return async () => {
    // Let the last handler's DeleteMessage finish: stop({ abort: true }) aborts every request in flight.
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (const c of consumers) c.stop({ abort: true });
    await new Promise((resolve) => setTimeout(resolve, 50));
  };
}

function percentiles(values: number[]): { p50: number; p90: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { p50: +at(0.5).toFixed(2), p90: +at(0.9).toFixed(2), p99: +at(0.99).toFixed(2), max: +at(1).toFixed(2) };
}

const cpuStart = process.cpuUsage();
const startedAt = performance.now();
const stop = input.contender === "sqs-consumer" ? await runSqsConsumer() : await runOurs();
await allDone;
await stop();
const cpu = process.cpuUsage(cpuStart);
const result: WorkerResult = {
  contender: input.contender,
  processed: seen.size,
  duplicates,
  elapsedMs: lastDoneAt - startedAt,
  cpuMicros: cpu.user + cpu.system,
  meanLatencyMs: latencySum / (seen.size + duplicates),
  measuredLatencyMs: measuredSum / (seen.size + duplicates),
  calls: Object.fromEntries(calls),
  meanInFlight: inFlightSamples > 0 ? inFlightSum / inFlightSamples : undefined,
  receiveRoundTripMs: percentiles(receiveRoundTrips),
  deleteEntriesFailed,
  consumerStats,
  peakRssMb: process.resourceUsage().maxRSS / 1024,
  slotWaitMs: slotWaits.length > 0 ? percentiles(slotWaits) : undefined,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
client.destroy();
process.exit(0);
