/**
 * Helpers for this package's integration tests (not exported from the package):
 * unique queues (with a DLQ), batched sends, draining reads, poll-with-deadline
 * waits and SDK middleware that records or fails commands. Kept free of
 * test-runner and emulator imports so the benchmark can bundle it too; the
 * emulator's start and stop per test file is in sqsTestPeer.ts.
 */
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  SendMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { MessageSourceFixture } from "@resilient-jobs/core/testing";
import { SqsSource } from "./SqsSource.js";

let queueCounter = 0;

/** A queue whose RedrivePolicy names a fresh dead-letter queue (both FIFO when `attributes.FifoQueue` is "true"). */
export async function createQueueWithDlq(
  client: SQSClient,
  prefix: string,
  { maxReceiveCount = 3, attributes = {} }: { maxReceiveCount?: number; attributes?: Record<string, string> } = {},
): Promise<{ queue: TestQueue; dlq: TestQueue; maxReceiveCount: number }> {
  const dlq = await createTestQueue(client, `${prefix}-dlq`, attributes.FifoQueue ? { FifoQueue: "true" } : {});
  const queue = await createTestQueue(client, prefix, {
    ...attributes,
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount }),
  });
  return { queue, dlq, maxReceiveCount };
}

/** A message read by {@link drainQueue}: string values of its attributes. */
export interface DrainedMessage {
  body: string;
  attributes: Record<string, string>;
  groupId?: string;
}

/** Receives and deletes everything visible (deleting lets the next message of a FIFO group through). */
export async function drainQueue(client: SQSClient, queueUrl: string): Promise<DrainedMessage[]> {
  const received: DrainedMessage[] = [];
  for (;;) {
    const out = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 60,
        MessageAttributeNames: ["All"],
        MessageSystemAttributeNames: ["MessageGroupId"],
      }),
    );
    if (!out.Messages?.length) return received;
    await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: out.Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
      }),
    );
    for (const m of out.Messages) {
      const attributes = Object.fromEntries(
        Object.entries(m.MessageAttributes ?? {}).map(([name, value]) => [name, value.StringValue ?? ""]),
      );
      received.push({ body: m.Body ?? "", attributes, groupId: m.Attributes?.MessageGroupId });
    }
  }
}

/** Visible and in-flight counts of a queue (exact on fauxqs). */
export async function queueDepth(client: SQSClient, queueUrl: string): Promise<{ visible: number; inFlight: number }> {
  const out = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  return {
    visible: Number(out.Attributes?.ApproximateNumberOfMessages),
    inFlight: Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible),
  };
}

/** A queue made by {@link createTestQueue}. */
export interface TestQueue {
  url: string;
  arn: string;
  name: string;
}

/** Creates a queue with a unique name (`.fifo` added when `Attributes.FifoQueue` is "true"); returns its URL and ARN. */
export async function createTestQueue(
  client: SQSClient,
  prefix: string,
  attributes: Record<string, string> = {},
): Promise<TestQueue> {
  const fifo = attributes.FifoQueue === "true";
  const name = `${prefix}-${process.pid}-${++queueCounter}-${Date.now().toString(36)}${fifo ? ".fifo" : ""}`;
  const out = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  if (!out.QueueUrl) throw new Error(`CreateQueue ${name} returned no URL`);
  // fauxqs and AWS both use the account id 000000000000 / real id in the URL path: build the ARN from it.
  const [, account = "000000000000"] = new URL(out.QueueUrl).pathname.split("/");
  return { url: out.QueueUrl, arn: `arn:aws:sqs:us-east-1:${account}:${name}`, name };
}

/** Sends messages in batches of 10; each entry may set attributes, a group and a dedup id. */
export async function sendTestMessages(
  client: SQSClient,
  queueUrl: string,
  entries: ReadonlyArray<Omit<SendMessageBatchRequestEntry, "Id">>,
): Promise<void> {
  for (let start = 0; start < entries.length; start += 10) {
    const chunk = entries.slice(start, start + 10).map((e, i) => ({ ...e, Id: String(i) }));
    const out = await client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: chunk }));
    if (out.Failed && out.Failed.length > 0) throw new Error(`SendMessageBatch failed: ${JSON.stringify(out.Failed)}`);
  }
}

/**
 * Receives (and leaves in flight) everything visible now, with short polls until one comes back empty.
 * Returns the bodies. Use it to check what is visible again after a test.
 */
export async function receiveAllVisible(
  client: SQSClient,
  queueUrl: string,
  visibilityTimeoutSeconds = 30,
): Promise<{ body: string; receiveCount: number; id: string }[]> {
  const seen: { body: string; receiveCount: number; id: string }[] = [];
  for (;;) {
    const out = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        VisibilityTimeout: visibilityTimeoutSeconds,
        MessageSystemAttributeNames: ["ApproximateReceiveCount"],
      }),
    );
    if (!out.Messages || out.Messages.length === 0) return seen;
    for (const m of out.Messages) {
      seen.push({
        body: m.Body ?? "",
        id: m.MessageId ?? "",
        receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? 0),
      });
    }
  }
}

/** Waits until `condition` returns a truthy value (polled every `intervalMs`), or throws after `timeoutMs`. */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  {
    timeoutMs = 10_000,
    intervalMs = 20,
    what = "condition",
  }: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** One command as the client sent it. */
export interface RecordedCommand {
  readonly name: string;
  readonly input: Record<string, unknown>;
}

/** Records every command the client sends (name and input) through an SDK middleware. Returns the live list. */
export function recordCommands(client: SQSClient): RecordedCommand[] {
  const recorded: RecordedCommand[] = [];
  client.middlewareStack.add(
    (next, context) => (args) => {
      recorded.push({ name: String(context.commandName), input: args.input as Record<string, unknown> });
      return next(args);
    },
    { step: "initialize", name: "recordCommands" },
  );
  return recorded;
}

/** Counts the commands a client sends, by name (`ReceiveMessageCommand`: 3, ...). */
export function countCommands(client: SQSClient): Map<string, number> {
  const counts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => (args) => {
      const name = String(context.commandName);
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: "initialize", name: "countCommands" },
  );
  return counts;
}

/**
 * A fault to inject: return an error to throw instead of sending, an output to answer with
 * instead of sending, or undefined to send normally. `send` sends the (possibly changed) input.
 */
export type FaultInjector = (call: {
  name: string;
  input: Record<string, unknown>;
  send: (input?: Record<string, unknown>) => Promise<unknown>;
}) => Promise<unknown> | undefined;

/**
 * Injects faults the emulator cannot produce (throttling, 500s, partial batch failures) with an
 * SDK middleware at the `initialize` step: it runs before the SDK's retry middleware, so an error
 * thrown here reaches the caller as if the SDK had already given up retrying.
 */
export function injectFaults(client: SQSClient, injector: FaultInjector): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const send = (input?: Record<string, unknown>) =>
        next(input ? { ...args, input } : args).then((r) => r.output as unknown);
      const result = injector({
        name: String(context.commandName),
        input: args.input as Record<string, unknown>,
        send,
      });
      if (result === undefined) return next(args);
      return { output: (await result) as never, response: {} };
    },
    { step: "initialize", name: "faultInjection" },
  );
}

/** An error shaped like an AWS SDK v3 service error (what the SDK throws after parsing a response). */
export function awsServiceError(name: string, httpStatusCode: number, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${name} (injected)`), {
    name,
    $fault: httpStatusCode >= 500 ? "server" : "client",
    $metadata: { httpStatusCode, attempts: 1 },
    ...extra,
  });
}

/** A fresh queue (1 s visibility timeout) with a dead-letter queue after 3 receives, and SqsSources on both. */
export async function createConformanceFixture(client: SQSClient, fifo: boolean): Promise<MessageSourceFixture> {
  const { queue, dlq, maxReceiveCount } = await createQueueWithDlq(client, "conf", {
    attributes: { ...(fifo ? { FifoQueue: "true" } : {}), VisibilityTimeout: "1" },
  });
  const source = new SqsSource({ queueUrl: queue.url, client, visibilityTimeoutMs: 1000 });
  const deadLetterSource = new SqsSource({ queueUrl: dlq.url, client, visibilityTimeoutMs: 30_000 });
  return {
    source,
    deadLetterSource,
    maxReceiveCount,
    visibilityTimeoutMs: 1000,
    async send(body, options = {}) {
      await client.send(
        new SendMessageCommand({
          QueueUrl: queue.url,
          MessageBody: body,
          MessageAttributes: Object.fromEntries(
            Object.entries(options.attributes ?? {}).map(([k, v]) => [k, { DataType: "String", StringValue: v }]),
          ),
          DelaySeconds: options.delayMs === undefined ? undefined : Math.ceil(options.delayMs / 1000),
          MessageGroupId: options.groupId,
          MessageDeduplicationId: options.deduplicationId,
        }),
      );
    },
    async cleanup() {
      await source.close();
      await deadLetterSource.close();
      await client.send(new DeleteQueueCommand({ QueueUrl: queue.url }));
      await client.send(new DeleteQueueCommand({ QueueUrl: dlq.url }));
    },
  };
}
