// Benchmarks sendBatch: 1,000 messages to a fauxqs queue (in its own process) with the publisher's `concurrency`
// at 1 (one request at a time, as before p-limit) and at 4 (the default), on loopback and with a simulated 10 ms
// network round trip (an SDK middleware that waits 10 ms before each request: loopback has none, a region has
// some). Wall time and the publisher process's CPU per message, medians of 5 runs after a warm-up, interleaved.
// Uses the build: `npm run build` first, then `node bench/publish.mjs` in packages/sqs-adapter (with npx: Node 24).
import { spawn } from "node:child_process";
import { once } from "node:events";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { CreateQueueCommand, PurgeQueueCommand, SQSClient } from "@aws-sdk/client-sqs";
import { createSqsPublisher } from "../dist/index.js";

const here = dirname(fileURLToPath(import.meta.url));
const MESSAGES = 1_000;
const RUNS = 5;
const ROUND_TRIPS_MS = [0, 10];
const SETTINGS = ROUND_TRIPS_MS.flatMap((rttMs) => [1, 4].map((concurrency) => ({ rttMs, concurrency })));

const child = spawn(process.execPath, [join(here, "emulator.mjs")], { stdio: ["pipe", "pipe", "inherit"] });
const [line] = await once(child.stdout, "data");
const { endpoint } = JSON.parse(line.toString());

const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
function clientWithRoundTrip(rttMs) {
  const client = new SQSClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
  });
  if (rttMs > 0) {
    client.middlewareStack.add((next) => async (args) => wait(rttMs).then(() => next(args)), {
      step: "finalizeRequest",
    });
  }
  return client;
}
const clients = new Map(ROUND_TRIPS_MS.map((rttMs) => [rttMs, clientWithRoundTrip(rttMs)]));
const admin = clients.get(0);
const { QueueUrl: queueUrl } = await admin.send(new CreateQueueCommand({ QueueName: "publish-bench" }));
const batch = Array.from({ length: MESSAGES }, (_, i) => ({ body: { orderId: `o-${i}`, amountCents: 1_000 + i } }));

async function run({ rttMs, concurrency }) {
  const publisher = createSqsPublisher({ client: clients.get(rttMs), queueUrl, concurrency });
  const cpu = process.cpuUsage();
  const start = performance.now();
  await publisher.sendBatch(batch);
  const wallMs = performance.now() - start;
  const { user, system } = process.cpuUsage(cpu);
  await admin.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));
  return { wallMs, cpuUsPerMessage: (user + system) / MESSAGES };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
for (const setting of SETTINGS) await run(setting); // warm-up
const results = SETTINGS.map((setting) => ({ setting, runs: [] }));
for (let i = 0; i < RUNS; i++) for (const { setting, runs } of results) runs.push(await run(setting));

console.log(
  `sendBatch of ${MESSAGES} messages (${MESSAGES / 10} SendMessageBatch requests) to fauxqs, Node ${process.version}`,
);
console.log("| round trip added | concurrency | wall time (median of 5) | messages/s | publisher CPU per message |");
console.log("|---|---:|---:|---:|---:|");
for (const { setting, runs } of results) {
  const wallMs = median(runs.map((r) => r.wallMs));
  const cpu = median(runs.map((r) => r.cpuUsPerMessage));
  const rtt = setting.rttMs === 0 ? "none (loopback)" : `${setting.rttMs} ms`;
  const rate = Math.round((MESSAGES / wallMs) * 1000).toLocaleString("en");
  console.log(`| ${rtt} | ${setting.concurrency} | ${wallMs.toFixed(0)} ms | ${rate} | ${cpu.toFixed(1)} µs |`);
}
for (const client of clients.values()) client.destroy();
child.stdin.end();
