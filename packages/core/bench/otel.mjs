// Tracing off vs on, per message, in one run: the core consumer over InMemoryQueue (built dist/), a no-op handler at
// concurrency 10, three set-ups interleaved round by round:
//   off       createConsumer as is (@resilient-jobs/core/otel not imported);
//   on, no SDK createConsumerTelemetry wrapping the handler and attached, no tracer / meter provider registered
//              (the API's no-op spans and instruments);
//   on, SDK    the same with the OpenTelemetry SDK registered: a TracerProvider with a BatchSpanProcessor whose
//              exporter discards, a MeterProvider with a reader, an async-hooks context manager.
// Prints µs of CPU per message (process.cpuUsage) and messages/s, medians of the rounds.
// Usage: npm run build -w packages/core && node packages/core/bench/otel.mjs [--quick]
import { context, metrics, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { BatchSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { createConsumer, InMemoryQueue, silentLogger } from "../dist/index.js";
import { createConsumerTelemetry } from "../dist/otel/index.js";

const quick = process.argv.includes("--quick");
const BACKLOG = quick ? 20_000 : 50_000;
const ROUNDS = quick ? 3 : 7;
const noop = async () => {};

const discard = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {}, forceFlush: async () => {} };
const tracerProvider = new TracerProvider({
  spanProcessors: [new BatchSpanProcessor({ exporter: discard, maxQueueSize: 100_000, maxExportBatchSize: 1_000 })],
});
const meterProvider = new MeterProvider({
  readers: [
    new PeriodicExportingMetricReader({ exporter: new InMemoryMetricExporter(0), exportIntervalMillis: 3_600_000 }),
  ],
});

async function drain(setup) {
  const queue = new InMemoryQueue();
  for (let sent = 0; sent < BACKLOG; sent += 10) {
    queue.sendBatch(
      Array.from({ length: 10 }, (_, i) => ({
        body: `{"orderId":"o-${sent + i}"}`,
        attributes: { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "correlation-id": "o" },
      })),
    );
  }
  const telemetry = setup === "off" ? undefined : createConsumerTelemetry({ destination: "bench" });
  const consumer = createConsumer({
    source: queue,
    handler: telemetry ? telemetry.handler(noop) : noop,
    concurrency: 10,
    logger: silentLogger,
    receiveWaitTimeMs: 1_000,
  });
  telemetry?.attach(consumer);
  let done = 0;
  let finish;
  const finished = new Promise((resolve) => (finish = resolve));
  consumer.on("succeeded", () => {
    if (++done === BACKLOG) finish();
  });
  const cpu = process.cpuUsage();
  const started = performance.now();
  consumer.start();
  await finished;
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  await consumer.stop();
  return { cpuUs: (used.user + used.system) / BACKLOG, rate: BACKLOG / seconds };
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

const setups = ["off", "on, no SDK", "on, SDK"];
const results = Object.fromEntries(setups.map((s) => [s, []]));
for (const setup of setups) {
  register(setup === "on, SDK");
  await drain(setup); // warm-up
}
for (let round = 0; round < ROUNDS; round++) {
  for (const setup of setups) {
    register(setup === "on, SDK");
    results[setup].push(await drain(setup));
    if (setup === "on, SDK") await tracerProvider.forceFlush();
  }
}
register(false);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const base = median(results.off.map((r) => r.cpuUs));
console.log(
  `Node ${process.version}, backlog ${BACKLOG}, ${ROUNDS} rounds interleaved, no-op handler, concurrency 10\n`,
);
console.log("| set-up | CPU per message | vs off | messages/s |\n|---|---:|---:|---:|");
for (const setup of setups) {
  const cpu = median(results[setup].map((r) => r.cpuUs));
  const rate = median(results[setup].map((r) => r.rate));
  console.log(
    `| ${setup} | ${cpu.toFixed(2)} µs | ${(cpu / base).toFixed(2)}x | ${Math.round(rate).toLocaleString("en-US")} |`,
  );
}
