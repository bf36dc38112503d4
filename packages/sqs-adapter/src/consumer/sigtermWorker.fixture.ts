/**
 * A worker process for the SIGTERM drain test (createSqsConsumer.int.test.ts): an ECS-style
 * worker started with one call, its SQS client built from the environment (QUEUE_URL,
 * AWS_ENDPOINT_URL_SQS, AWS_REGION, credentials). Prints `ready`, then `done <id>` for every
 * message its handler finished; exits when the drain that SIGTERM starts is over.
 */
import { createJsonLogger, text } from "@resilient-jobs/core";
import { createSqsConsumer } from "@resilient-jobs/sqs-adapter";

const queueUrl = process.env.QUEUE_URL;
if (!queueUrl) throw new Error("QUEUE_URL is not set");

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });
}

await createSqsConsumer({
  queueUrl,
  concurrency: 20,
  decode: text, // `message.body` is a string
  drainTimeoutMs: 5_000,
  logger: createJsonLogger({ level: "warn", write: (line) => process.stderr.write(`${line}\n`) }),
  handler: async (message, { signal }) => {
    // 50-250 ms of "work", derived from the body so runs are repeatable.
    await sleep(50 + ((Number(message.body.slice(2)) * 37) % 200), signal);
    process.stdout.write(`done ${message.id}\n`);
  },
});
process.stdout.write("ready\n");
