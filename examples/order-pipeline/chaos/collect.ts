/**
 * Reads what the system holds after a chaos run, straight from the emulators (not through the fault proxy):
 * the dead-letter queues' contents, what is left in the worker queues, and each accepted order's status.
 */
import { ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { DEAD_LETTER_ATTRIBUTES } from "@resilient-jobs/lambda-adapter";
import { getQueueStats } from "@resilient-jobs/sqs-adapter";
import { QUEUE_NAMES, type QueueName } from "../src/backends/Backend.js";
import type { OrderStore } from "../src/orders/OrderStore.js";
import type { DeadLetterEntry } from "./deadLetters.js";
import type { LeftInQueue } from "./reconcile.js";

/** Receives every message of each DLQ once (they stay hidden for ten minutes afterwards). */
export async function readDeadLetters(
  client: SQSClient,
  deadLetterUrls: Readonly<Record<QueueName, string>>,
): Promise<DeadLetterEntry[]> {
  const entries: DeadLetterEntry[] = [];
  for (const queue of QUEUE_NAMES) {
    for (;;) {
      const { Messages = [] } = await client.send(
        new ReceiveMessageCommand({
          QueueUrl: deadLetterUrls[queue],
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
          VisibilityTimeout: 600,
          MessageAttributeNames: ["All"],
        }),
      );
      if (Messages.length === 0) break;
      for (const message of Messages) {
        const attributes = message.MessageAttributes ?? {};
        entries.push({
          queue,
          body: message.Body ?? "",
          code: attributes[DEAD_LETTER_ATTRIBUTES.code]?.StringValue,
          reason: attributes[DEAD_LETTER_ATTRIBUTES.reason]?.StringValue,
        });
      }
    }
  }
  return entries;
}

/** What is left in each worker queue. */
export async function readLeftInQueues(
  client: SQSClient,
  queueUrls: Readonly<Record<QueueName, string>>,
): Promise<Record<QueueName, LeftInQueue>> {
  const stats = await Promise.all(QUEUE_NAMES.map((name) => getQueueStats(queueUrls[name], { client })));
  return Object.fromEntries(
    QUEUE_NAMES.map((name, i) => {
      const { visible, inFlight, delayed } = stats[i]!;
      return [name, { visible, inFlight, delayed }];
    }),
  ) as Record<QueueName, LeftInQueue>;
}

/** True when no worker queue holds a message. */
export function queuesEmpty(left: Readonly<Record<QueueName, LeftInQueue>>): boolean {
  return QUEUE_NAMES.every((name) => left[name].visible + left[name].inFlight + left[name].delayed === 0);
}

/** The status of each order, read consistently, `concurrency` reads at a time. */
export async function readStatuses(
  orders: OrderStore,
  orderIds: readonly string[],
  concurrency = 32,
): Promise<Map<string, string | undefined>> {
  const statuses = new Map<string, string | undefined>();
  let next = 0;
  const reader = async () => {
    while (next < orderIds.length) {
      const id = orderIds[next++]!;
      statuses.set(id, (await orders.get(id))?.status);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, reader));
  return statuses;
}
