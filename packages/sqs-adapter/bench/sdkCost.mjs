// CPU the AWS SDK spends per message in the consumer's two calls (ReceiveMessage of 10 with an abort signal, as
// SqsSource sends it, then DeleteMessageBatch of those 10), with the network taken out: the client's request
// handler answers at once with what fauxqs answers. Compares client set-ups one change at a time (the SDK's
// defaults, `md5: false`, without the logger middleware, and the client createSqsClientFromEnv builds),
// interleaved over several rounds on one process, so machine load shifts them alike. Medians in µs per message.
// Usage: node bench/sdkCost.mjs [--rounds 7] [--batches 2000]
import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath, pathToFileURL } from "node:url";
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { build } from "esbuild";
import { argOf } from "./args.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "../../..");
const argv = process.argv.slice(2);
const arg = (name, fallback) => argOf(argv, name, fallback);
const rounds = Number(arg("rounds", "7"));
const batches = Number(arg("batches", "2000"));

// Our createSqsClientFromEnv from the TypeScript sources.
const outDir = join(repo, "node_modules/.cache/sqs-adapter-bench");
mkdirSync(outDir, { recursive: true });
const outfile = join(outDir, "sdkCostClient.mjs");
await build({
  entryPoints: [join(here, "../src/source/createSqsClientFromEnv.ts")],
  outfile,
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node22",
  external: ["@aws-sdk/*"],
  logLevel: "error",
  plugins: [
    {
      name: "workspace-sources",
      setup(b) {
        b.onResolve({ filter: /^@resilient-jobs\/core$/ }, () => ({ path: join(repo, "packages/core/src/index.ts") }));
      },
    },
  ],
});
const { createSqsClientFromEnv } = await import(pathToFileURL(outfile).href);

const queueUrl = "http://127.0.0.1:4566/000000000000/bench";
const md5 = (text) => createHash("md5").update(text).digest("hex");
const messages = Array.from({ length: 10 }, (_, i) => {
  const Body = JSON.stringify({ n: i });
  return {
    MessageId: `8f1c6a4e-3b2d-4c5e-9f7a-00000000000${i}`,
    ReceiptHandle: `5ac81d92-385e-458a-afd3-b83c6508e6b${i}`,
    MD5OfBody: md5(Body),
    Body,
    Attributes: { SentTimestamp: "1796196095755", ApproximateReceiveCount: "1" },
  };
});
const answers = {
  "AmazonSQS.ReceiveMessage": Buffer.from(JSON.stringify({ Messages: messages })),
  "AmazonSQS.DeleteMessageBatch": Buffer.from(
    JSON.stringify({ Successful: messages.map((_, i) => ({ Id: String(i) })) }),
  ),
};
/** Answers each call as fauxqs would, without a socket. */
const requestHandler = {
  handle: async (request) => ({
    response: {
      statusCode: 200,
      headers: { "content-type": "application/x-amz-json-1.0", "x-amzn-requestid": "bench" },
      body: Readable.from([answers[request.headers["x-amz-target"]]]),
    },
  }),
  updateHttpClientConfig() {},
  httpHandlerConfigs: () => ({}),
  destroy() {},
};
const common = {
  region: "us-east-1",
  endpoint: "http://127.0.0.1:4566",
  credentials: { accessKeyId: "bench", secretAccessKey: "bench" },
  requestHandler,
};
const withoutLogger = (client) => {
  client.middlewareStack.remove("loggerMiddleware");
  return client;
};
// What createSqsClientFromEnv (and the SDK's own chains) read: the same endpoint and credentials as the others.
Object.assign(process.env, {
  AWS_ENDPOINT_URL_SQS: common.endpoint,
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "bench",
  AWS_SECRET_ACCESS_KEY: "bench",
});
const setups = {
  "SDK defaults": () => new SQSClient(common),
  "md5: false": () => new SQSClient({ ...common, md5: false }),
  "md5: false, no logger middleware": () => withoutLogger(new SQSClient({ ...common, md5: false })),
  "createSqsClientFromEnv (all three)": () => {
    const client = createSqsClientFromEnv(process.env, queueUrl);
    client.config.requestHandler = requestHandler;
    return client;
  },
};

async function drive(client, n) {
  const abort = new AbortController();
  for (let i = 0; i < n; i++) {
    const { Messages } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 20,
        MessageSystemAttributeNames: ["ApproximateReceiveCount", "SentTimestamp", "MessageGroupId", "AWSTraceHeader"],
        MessageAttributeNames: ["All"],
      }),
      { abortSignal: abort.signal },
    );
    await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((m, id) => ({ Id: String(id), ReceiptHandle: m.ReceiptHandle })),
      }),
    );
  }
}

const samples = Object.fromEntries(Object.keys(setups).map((name) => [name, []]));
for (let round = 0; round <= rounds; round++) {
  for (const [name, make] of Object.entries(setups)) {
    const client = make();
    await drive(client, 200); // warm-up: JIT and the signing key cache
    const start = process.cpuUsage();
    await drive(client, batches);
    const used = process.cpuUsage(start);
    if (round > 0) samples[name].push((used.user + used.system) / (batches * 10)); // round 0 warms up only
    client.destroy();
  }
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const base = median(samples["SDK defaults"]);
console.log(`SDK CPU per message, network excluded (node ${process.version}; ${rounds} rounds of ${batches} batches)`);
console.log("| client | µs/msg (median) | range | vs SDK defaults |\n|---|---:|---:|---:|");
for (const [name, values] of Object.entries(samples)) {
  const m = median(values);
  const range = `${Math.min(...values).toFixed(1)}-${Math.max(...values).toFixed(1)}`;
  console.log(`| ${name} | ${m.toFixed(1)} | ${range} | ${(m - base).toFixed(1)} |`);
}
