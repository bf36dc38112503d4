// docs/sqs.md, "Operations and the DLQ runbook": size the worker fleet, read queue and DLQ depth, look at
// dead letters and move them back once the cause is fixed.
// Run: npm run build && npx node docs/snippets/queue-operations.ts (starts a local SQS emulator, fauxqs).
import type { AddressInfo } from "node:net";
import { CreateQueueCommand, SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { getQueueStats, peekMessages, recommendWorkers, redriveDeadLetters, runCli } from "@resilient-jobs/sqs-adapter";
import { buildApp } from "fauxqs";

// The flash-sale study: ~51 orders/s arrive, the payment call takes 3 s, ~3,000 orders already wait.
const plan = recommendWorkers({ arrivalRatePerSec: 51, serviceTimeSec: 3, backlog: 3_000, targetDrainSec: 120 });
console.log(`workers: ${plan.workers} = ${plan.steadyStateWorkers} to keep up + ${plan.backlogWorkers} to drain`);
// With the shared payment processor's 5 slots, more workers only wait for a slot.
const capped = recommendWorkers({ arrivalRatePerSec: 51, serviceTimeSec: 3, downstreamSlots: 5 });
console.log(
  `capped by ${capped.limitedBy}: ${capped.workers} workers, ${capped.throughputPerSec.toFixed(2)} orders/s, ` +
    `queue grows ${capped.queueGrowthPerSec.toFixed(1)}/s`,
);

async function main(): Promise<void> {
  const emulator = buildApp({ logger: false });
  await emulator.listen({ port: 0, host: "127.0.0.1" });
  const endpoint = `http://127.0.0.1:${(emulator.server.address() as AddressInfo).port}`;
  const client = new SQSClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  try {
    const { QueueUrl: dlqUrl = "" } = await client.send(new CreateQueueCommand({ QueueName: "orders-dlq" }));
    const { QueueUrl: queueUrl = "" } = await client.send(
      new CreateQueueCommand({
        QueueName: "orders",
        Attributes: {
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: "arn:aws:sqs:us-east-1:000000000000:orders-dlq",
            maxReceiveCount: 5,
          }),
        },
      }),
    );
    // Three orders that failed five times (say, a payment API change the worker did not know yet).
    await client.send(
      new SendMessageBatchCommand({
        QueueUrl: dlqUrl,
        Entries: ["o-7", "o-8", "o-9"].map((orderId, i) => ({
          Id: String(i),
          MessageBody: JSON.stringify({ orderId }),
        })),
      }),
    );

    // 1. How bad is it? Depth of the queue and of the DLQ its RedrivePolicy names.
    const stats = await getQueueStats(queueUrl, { client });
    console.log(`queue: ${stats.visible} waiting, ${stats.inFlight} in flight; DLQ: ${stats.deadLetter?.visible}`);

    // 2. What failed? Peeking a DLQ is safe (it has no RedrivePolicy of its own to push messages further).
    const dead = await peekMessages(dlqUrl, { client, max: 10 });
    console.log("dead letters:", dead.map((m) => `${m.id.slice(0, 8)} x${m.receiveCount}`).join(", "));

    // 3. After the fix is deployed: a canary of 1, then the rest.
    const canary = await redriveDeadLetters({ client, from: dlqUrl, max: 1 });
    const rest = await redriveDeadLetters({ client, from: dlqUrl });
    console.log(canary, rest);

    // The same from a shell: resilient-jobs stats <queue-url> --endpoint <url> (here in process).
    await runCli(["stats", queueUrl, "--endpoint", endpoint], {
      stdout: process.stdout,
      stderr: process.stderr,
      env: { ...process.env, AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" },
    });
  } finally {
    client.destroy();
    await emulator.close();
  }
}

await main();
