// Benchmarks large payloads end to end: one SQS publisher send -> createSqsConsumer -> handler done, for 1 KiB,
// 300 KiB and 5 MiB orders (JSON line items), sent inline (where it fits), offloaded to S3 (thresholdBytes
// "always" where it would fit), and gzip-compressed. fauxqs (SQS + S3) in its own process on loopback, the real
// SDK clients. Per case: median end-to-end time of sequential messages (send start to handler end) and calls per
// message by service. Uses the build: `npm run build` first, then `npx node bench/largePayloads.mjs` in
// packages/sqs-adapter.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateQueueCommand, SQSClient } from "@aws-sdk/client-sqs";
import { silentLogger } from "@resilient-jobs/core";
import { s3Payloads } from "@resilient-jobs/core/s3";
import { createSqsConsumer, createSqsPublisher } from "../dist/index.js";

const here = dirname(fileURLToPath(import.meta.url));
const child = spawn(process.execPath, [join(here, "emulator.mjs")], { stdio: ["pipe", "pipe", "inherit"] });
const [line] = await once(child.stdout, "data");
const { endpoint } = JSON.parse(line.toString());
const base = { endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } };

function counted(client) {
  const counts = new Map();
  client.middlewareStack.add(
    (next, context) => (args) => {
      counts.set(context.commandName, (counts.get(context.commandName) ?? 0) + 1);
      return next(args);
    },
    { step: "initialize", name: "count" },
  );
  return counts;
}

/** A JSON order of about `bytes` bytes: line items with varied SKUs and prices (compresses about 6x with gzip). */
function order(bytes, id) {
  const lines = [];
  let size = 40;
  for (let i = 0; size < bytes; i++) {
    const line = { sku: `SKU-${(i * 7919) % 100_003}`, quantity: 1 + (i % 7), priceCents: (i * 2654435761) % 99_991 };
    size += JSON.stringify(line).length + 1;
    lines.push(line);
  }
  return { orderId: id, lines };
}

const KIB = 1024;
const CASES = [
  { label: "1 KiB", bytes: KIB, runs: 15, modes: ["inline", "offloaded", "gzip"] },
  { label: "300 KiB", bytes: 300 * KIB, runs: 15, modes: ["inline", "offloaded", "gzip"] },
  { label: "5 MiB", bytes: 5 * KIB * KIB, runs: 5, modes: ["offloaded", "gzip"] },
];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const rows = [];
let n = 0;
for (const { label, bytes, runs, modes } of CASES) {
  for (const mode of modes) {
    const sqs = new SQSClient(base);
    const s3 = new S3Client({ ...base, forcePathStyle: true });
    const sqsCalls = counted(sqs);
    const s3Calls = counted(s3);
    const bucket = `bench-payloads-${++n}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `bench-large-${n}` }));
    const payloads =
      mode === "inline"
        ? undefined
        : s3Payloads({
            client: s3,
            bucket,
            ...(mode === "offloaded" ? { thresholdBytes: "always" } : { compression: "gzip" }),
          });
    const publisher = createSqsPublisher({ client: sqs, queueUrl: QueueUrl, ...(payloads ? { payloads } : {}) });
    let done;
    const consumer = await createSqsConsumer({
      queueUrl: QueueUrl,
      client: sqs,
      logger: silentLogger,
      handleSignals: false,
      visibilityTimeoutMs: 30_000,
      sourceOptions: { deadLetter: false },
      ...(payloads ? { payloads } : {}),
      handler: async (message) => done(message.body.lines.length),
    });
    const body = order(bytes, "o");
    const times = [];
    // One warm-up, then `runs` measured messages, one at a time.
    for (let i = 0; i <= runs; i++) {
      const handled = new Promise((resolve) => {
        done = resolve;
      });
      const t0 = performance.now();
      await publisher.send({ body });
      await handled;
      if (i > 0) times.push(performance.now() - t0);
      if (i === 0) {
        sqsCalls.clear();
        s3Calls.clear();
      }
    }
    await consumer.stop();
    const per = (counts, name) => ((counts.get(name) ?? 0) / runs).toFixed(1);
    rows.push(
      `| ${label} | ${mode} | ${median(times).toFixed(1)} ms | ${per(sqsCalls, "SendMessageCommand")} send, ${per(sqsCalls, "ReceiveMessageCommand")} receive, ${per(sqsCalls, "DeleteMessageBatchCommand")} delete | ${per(s3Calls, "PutObjectCommand")} put, ${per(s3Calls, "GetObjectCommand")} get |`,
    );
    console.error(rows.at(-1));
    sqs.destroy();
    s3.destroy();
  }
}
console.log("| body | how | end to end (median) | SQS calls per message | S3 calls per message |");
console.log("|---|---|---|---|---|");
for (const row of rows) console.log(row);
child.kill();
