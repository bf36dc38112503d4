// Tracing off vs on, per record, in one run: a 10-record SQS event through the built handlers (dist/), no-op
// handler, silent logger, three set-ups interleaved round by round:
//   off        sqsHandler (the /otel subpath not imported);
//   on, no SDK tracedSqsHandler with no tracer / meter provider registered;
//   on, SDK    tracedSqsHandler with the OpenTelemetry SDK registered (BatchSpanProcessor to an exporter that
//              discards, a MeterProvider, an async-hooks context manager).
// Prints µs of CPU per record (process.cpuUsage), medians of the rounds.
// Usage: npm run build && node packages/lambda-adapter/bench/otel.mjs [--quick]
import { context, metrics, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { BatchSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { silentLogger } from "@resilient-jobs/core";
import { sqsHandler } from "../dist/index.js";
import { tracedSqsHandler } from "../dist/otel/index.js";

const quick = process.argv.includes("--quick");
const INVOCATIONS = quick ? 5_000 : 20_000;
const ROUNDS = quick ? 3 : 7;
const RECORDS = 10;

const discard = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {}, forceFlush: async () => {} };
const tracerProvider = new TracerProvider({
  spanProcessors: [new BatchSpanProcessor({ exporter: discard, maxQueueSize: 100_000, maxExportBatchSize: 1_000 })],
});
const meterProvider = new MeterProvider({
  readers: [
    new PeriodicExportingMetricReader({ exporter: new InMemoryMetricExporter(0), exportIntervalMillis: 3_600_000 }),
  ],
});

const event = {
  Records: Array.from({ length: RECORDS }, (_, n) => ({
    messageId: `m-${n}`,
    receiptHandle: `AQEB${n}`,
    body: `{"n":${n}}`,
    attributes: {
      ApproximateReceiveCount: "1",
      SentTimestamp: String(Date.now()),
      SenderId: "AIDAIENQZJOLO23YVJ4VO",
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {
      traceparent: { dataType: "String", stringValue: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" },
    },
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:us-east-2:123456789012:my-queue",
    awsRegion: "us-east-2",
  })),
};
const lambdaContext = {
  functionName: "bench",
  awsRequestId: "r",
  getRemainingTimeInMillis: () => 900_000,
};
const noop = async () => {};
const options = { logger: silentLogger };
// Made after the set-up registered (or unregistered) the SDK: a tracer taken from the API's proxy keeps the
// provider the proxy had, so a handler made while the SDK was registered would record in the "no SDK" rounds too.
const handlers = {
  off: () => sqsHandler(noop, options),
  "on, no SDK": () => tracedSqsHandler(noop, options),
  "on, SDK": () => tracedSqsHandler(noop, options),
};

async function run(setup) {
  const handler = handlers[setup]();
  const cpu = process.cpuUsage();
  for (let i = 0; i < INVOCATIONS; i++) await handler(event, lambdaContext);
  const used = process.cpuUsage(cpu);
  return (used.user + used.system) / (INVOCATIONS * RECORDS);
}

function register(on) {
  if (on) {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(tracerProvider);
    metrics.setGlobalMeterProvider(meterProvider);
  } else {
    context.disable();
    trace.disable();
    metrics.disable();
  }
}

const setups = Object.keys(handlers);
const results = Object.fromEntries(setups.map((s) => [s, []]));
for (const setup of setups) {
  register(setup === "on, SDK");
  await run(setup);
}
for (let round = 0; round < ROUNDS; round++) {
  for (const setup of setups) {
    register(setup === "on, SDK");
    results[setup].push(await run(setup));
    if (setup === "on, SDK") await tracerProvider.forceFlush();
  }
}
register(false);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const base = median(results.off);
console.log(
  `Node ${process.version}, ${INVOCATIONS} invocations of ${RECORDS} records x ${ROUNDS} rounds, interleaved\n`,
);
console.log("| set-up | CPU per record | vs off |\n|---|---:|---:|");
for (const setup of setups) {
  const cpu = median(results[setup]);
  console.log(`| ${setup} | ${cpu.toFixed(2)} µs | ${(cpu / base).toFixed(2)}x |`);
}
