// Benchmarks the SQS consumer against sqs-consumer 15 on fauxqs, with the same budget:
//   drain N messages (default 20,000) at concurrency 100 (ours: one consumer, concurrency 100;
//   sqs-consumer: 10 consumers with batches of 10), the handler sleeping a seeded latency
//   (90% uniform 20-60 ms, 10% uniform 100-250 ms; mean 53.5 ms).
// Reported per contender: messages/s, ratio to Little's-law bound (concurrency / mean latency),
// SQS API calls per message by type (SDK middleware), consumer CPU per message (process.cpuUsage
// of the consumer process; the emulator runs in its own process and is not counted).
// Usage: npm run bench -w @resilient-jobs/sqs-adapter [-- --messages 20000 (or one per concurrency)] [-- --only ours|sqs-consumer] [-- --dist]
//   --diagnose samples the handlers in flight every 5 ms (costs consumer CPU; do not quote its CPU figure);
//   --options '{"fullBatchWaitMs":10}' passes extra consumer options to ours (experiments); a list of them
//     (--options '[{"receiveAheadMs":false},{}]') runs each in turn at each concurrency, side by side.
//   --dist bundles the built packages (run `npm run build` first) instead of the TypeScript sources.
//   --concurrency 10,100,300,1000 runs each concurrency in turn (the scale table; default 100).
//   --client sdk gives ours a plain `new SQSClient()` (the SDK's defaults, as a client you pass in has them)
//   instead of the one createSqsConsumer builds from the environment; --client-config '{"md5":false}' merges
//   SDK settings into that plain client, to measure one at a time.
//   --node-flags '--max-semi-space-size=64' starts the consumer process with these node flags (only it).
//   --cpu-prof DIR runs each consumer process with `node --cpu-prof` writing to DIR; summarise the profiles
//   with `node bench/profileSummary.mjs DIR/*.cpuprofile` (self time by package: ours, AWS SDK, node).
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { build } from "esbuild";
import { argOf } from "./args.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "../../..");
const argv = process.argv.slice(2);
const arg = (name, fallback) => argOf(argv, name, fallback);
const concurrencies = arg("concurrency", "100").split(",").map(Number);
if (concurrencies.some((c) => !Number.isInteger(c) || c < 10 || c % 10 !== 0)) {
  console.error("--concurrency takes multiples of 10 (sqs-consumer runs concurrency / 10 consumers of 10)");
  process.exit(2);
}
// One count for every concurrency, or one per concurrency (a run at c=1,000 needs more messages to last).
const messageCounts = arg("messages", "20000").split(",").map(Number);
if (
  messageCounts.some((n) => !Number.isInteger(n) || n < 1) ||
  (messageCounts.length !== 1 && messageCounts.length !== concurrencies.length)
) {
  console.error("--messages takes a positive integer, or one per --concurrency value");
  process.exit(2);
}
const totalFor = (i) => messageCounts[messageCounts.length === 1 ? 0 : i];
const seed = Number(arg("seed", "42"));
const only = arg("only", undefined);
const fromDist = argv.includes("--dist");
const cpuProfDir = arg("cpu-prof", undefined);
const nodeFlags = arg("node-flags", "").split(" ").filter(Boolean);
// One options object, or a list of them: ours runs once per entry (a baseline beside a change, a knob's curve).
const parsedOptions = JSON.parse(arg("options", "{}"));
const optionSets = Array.isArray(parsedOptions) ? parsedOptions : [parsedOptions];

const sources = {
  "@resilient-jobs/core": join(repo, "packages/core/src/index.ts"),
  "@resilient-jobs/sqs-adapter": join(repo, "packages/sqs-adapter/src/index.ts"),
};
// Resolves our packages to their sources (unless --dist), so the bench never measures a stale build.
const workspaceSources = {
  name: "workspace-sources",
  setup(b) {
    if (fromDist) return;
    b.onResolve({ filter: /^@resilient-jobs\/(core|sqs-adapter)$/ }, (r) => ({ path: sources[r.path] }));
  },
};

// Inside the repo's node_modules so the external packages (AWS SDK, sqs-consumer) resolve from the bundle.
const outDir = join(repo, "node_modules/.cache/sqs-adapter-bench");
mkdirSync(outDir, { recursive: true });

async function bundle(entry, name) {
  const outfile = join(outDir, `${name}.mjs`);
  await build({
    entryPoints: [join(here, entry)],
    outfile,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node22",
    external: ["@aws-sdk/*", "sqs-consumer", "fauxqs"],
    logLevel: "error",
    // Read by bench/profileSummary.mjs to attribute a profile's samples to our packages (node does not use it).
    sourcemap: true,
    plugins: [workspaceSources],
  });
  return outfile;
}

/** Starts fauxqs in its own process; resolves with its endpoint and a stop function. */
async function startEmulator() {
  const child = spawn(process.execPath, [join(here, "emulator.mjs")], { stdio: ["pipe", "pipe", "inherit"] });
  const line = await new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`emulator exited with ${code}`)));
    createInterface({ input: child.stdout }).once("line", resolve);
  });
  const { endpoint } = JSON.parse(line);
  return {
    endpoint,
    stop: () =>
      new Promise((resolve) => {
        child.removeAllListeners("exit");
        child.once("exit", resolve);
        child.kill("SIGTERM");
      }),
  };
}

const clientFor = (endpoint) =>
  new SQSClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "bench", secretAccessKey: "bench" } });

async function seedQueue(client, queueUrl, total) {
  const batches = [];
  for (let start = 0; start < total; start += 10) {
    const n = Math.min(10, total - start);
    batches.push(
      Array.from({ length: n }, (_, i) => ({ Id: String(i), MessageBody: JSON.stringify({ n: start + i }) })),
    );
  }
  // Eight senders in parallel.
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < batches.length) {
        const Entries = batches[next++];
        const out = await client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries }));
        if (out.Failed?.length) throw new Error(`seeding failed: ${JSON.stringify(out.Failed[0])}`);
      }
    }),
  );
}

async function queueDepth(client, queueUrl) {
  const out = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  return {
    visible: Number(out.Attributes?.ApproximateNumberOfMessages ?? Number.NaN),
    inFlight: Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? Number.NaN),
  };
}

function runWorker(workerFile, input, options) {
  return new Promise((resolve, reject) => {
    const profile = cpuProfDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${cpuProfDir}`];
    const child = spawn(process.execPath, [...nodeFlags, ...profile, workerFile], {
      stdio: ["ignore", "pipe", "inherit"],
      env: {
        ...process.env,
        BENCH_WORKER: JSON.stringify(input),
        BENCH_OPTIONS: JSON.stringify(options),
        BENCH_DIAGNOSE: argv.includes("--diagnose") ? "1" : "0",
        BENCH_CLIENT: arg("client", "env"),
        BENCH_CLIENT_CONFIG: arg("client-config", "{}"),
      },
    });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.once("exit", (code) => {
      const line = out.trim().split("\n").pop();
      if (code !== 0 || !line) reject(new Error(`worker ${input.contender} exited with ${code}: ${out}`));
      else resolve(JSON.parse(line));
    });
  });
}

async function runContender(workerFile, contender, concurrency, total, options) {
  const emulator = await startEmulator();
  const client = clientFor(emulator.endpoint);
  try {
    const { QueueUrl } = await client.send(
      new CreateQueueCommand({ QueueName: `bench-${contender}`, Attributes: { VisibilityTimeout: "30" } }),
    );
    await seedQueue(client, QueueUrl, total);
    const result = await runWorker(
      workerFile,
      {
        contender,
        endpoint: emulator.endpoint,
        queueUrl: QueueUrl,
        total,
        concurrency,
        seed,
      },
      options,
    );
    result.after = await queueDepth(client, QueueUrl);
    return result;
  } finally {
    client.destroy();
    await emulator.stop();
  }
}

const meanMs = 0.9 * ((20 + 60) / 2) + 0.1 * ((100 + 250) / 2); // 53.5 ms; see latency.ts

function summarise(r, concurrency, options) {
  const boundPerSecond = concurrency / (meanMs / 1000);
  const perSecond = r.processed / (r.elapsedMs / 1000);
  const callCount = Object.values(r.calls).reduce((a, b) => a + b, 0);
  return {
    contender: r.contender,
    concurrency,
    messages: r.processed,
    duplicates: r.duplicates,
    leftVisible: r.after.visible,
    leftInFlight: r.after.inFlight,
    seconds: +(r.elapsedMs / 1000).toFixed(2),
    perSecond: +perSecond.toFixed(0),
    ofBound: +(perSecond / boundPerSecond).toFixed(3),
    ofSampledBound: +(perSecond / (concurrency / (r.meanLatencyMs / 1000))).toFixed(3),
    sampledMeanLatencyMs: +r.meanLatencyMs.toFixed(2),
    measuredLatencyMs: +r.measuredLatencyMs.toFixed(2),
    ofMeasuredBound: +(perSecond / (concurrency / (r.measuredLatencyMs / 1000))).toFixed(3),
    callsPerMessage: +(callCount / r.processed).toFixed(3),
    callsByType: Object.fromEntries(
      Object.entries(r.calls).map(([k, v]) => [k.replace(/Command$/, ""), +(v / r.processed).toFixed(4)]),
    ),
    cpuMicrosPerMessage: +(r.cpuMicros / r.processed).toFixed(0),
    meanInFlight: r.meanInFlight === undefined ? undefined : +r.meanInFlight.toFixed(1),
    receiveRoundTripMs: r.receiveRoundTripMs,
    slotWaitMs: r.slotWaitMs,
    options: Object.keys(options).length > 0 ? options : undefined,
    deleteEntriesFailed: r.deleteEntriesFailed,
    ackFailed: r.consumerStats?.ackFailed,
    handedBack: r.consumerStats?.handedBack,
    peakRssMb: r.peakRssMb === undefined ? undefined : +r.peakRssMb.toFixed(0),
  };
}

const workerFile = await bundle("worker.ts", "worker");
const contenders = ["resilient-jobs", "sqs-consumer"].filter(
  (c) => !only || c === only || (only === "ours" && c === "resilient-jobs"),
);
const results = [];
for (const [i, concurrency] of concurrencies.entries()) {
  const total = totalFor(i);
  const boundPerSecond = concurrency / (meanMs / 1000);
  console.log(
    `Draining ${total} messages, concurrency ${concurrency}, handler latency mean ${meanMs} ms ` +
      `=> Little's-law bound ${boundPerSecond.toFixed(0)} msgs/s (node ${process.version}, ${fromDist ? "dist" : "sources"})`,
  );
  const round = [];
  const runs = contenders.flatMap((c) => (c === "resilient-jobs" ? optionSets.map((o) => [c, o]) : [[c, {}]]));
  for (const [contender, options] of runs) {
    const summary = summarise(
      await runContender(workerFile, contender, concurrency, total, options),
      concurrency,
      options,
    );
    round.push(summary);
    console.log(JSON.stringify(summary));
  }
  const theirs = round.find((r) => r.contender === "sqs-consumer");
  for (const ours of theirs ? round.filter((r) => r !== theirs) : []) {
    console.log(`throughput ratio resilient-jobs / sqs-consumer: ${(ours.perSecond / theirs.perSecond).toFixed(2)}x`);
  }
  results.push(...round);
}
const resultsDir = join(repo, "bench-results");
mkdirSync(resultsDir, { recursive: true });
writeFileSync(
  join(resultsDir, "sqs-consumer.json"),
  `${JSON.stringify({ messages: messageCounts, concurrencies, meanMs, node: process.version, results }, null, 2)}\n`,
);
