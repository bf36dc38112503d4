import type { IdempotencyStore, MessageSource } from "@resilient-jobs/core";
import type { OrderStore } from "../orders/OrderStore.js";
import type { OrderPlaced } from "../orders/orderSchema.js";

/** Where the pipeline runs: embedded in one process, on local emulators, or on a real AWS account. */
export type BackendName = "memory" | "local" | "aws";

/** The three queues subscribed to the orders topic (SNS fan-out), one per consumer. */
export type QueueName = "payment" | "inventory" | "notification";

/** Every queue of the fan-out, in display order. */
export const QUEUE_NAMES: readonly QueueName[] = Object.freeze(["payment", "inventory", "notification"]);

/** The orders topic, as the API sees it. */
export interface OrderTopic {
  /** Publishes `order.placed`; every subscribed queue gets a copy (in the SNS envelope). */
  publish(event: OrderPlaced): Promise<void>;
  /** Messages published so far by this process. */
  readonly published: number;
}

/** Messages of one queue: waiting, being processed, and parked in its dead-letter queue. */
export interface QueueCounts {
  /** Ready to be received (SQS ApproximateNumberOfMessages, plus delayed ones). */
  readonly visible: number;
  /** Received and not yet deleted (ApproximateNumberOfMessagesNotVisible). */
  readonly inFlight: number;
  /** In the queue's DLQ. */
  readonly deadLettered: number;
}

/** Depth of every queue. On SQS the counts are approximate (eventually consistent). */
export type QueueCountsByName = Readonly<Record<QueueName, QueueCounts>>;

/**
 * What the pipeline runs on. One interface, three implementations (memory, local, aws), so the API and the
 * workers are the same code on all of them.
 */
export interface Backend {
  readonly name: BackendName;
  /** The orders topic. */
  readonly topic: OrderTopic;
  /** Where each consumer takes its messages: `InMemoryQueue`s in memory, `SqsSource`s on local/aws. */
  readonly sources: Readonly<Record<QueueName, MessageSource>>;
  /** The order table, with conditional updates. */
  readonly orders: OrderStore;
  /** Shared by the API (Idempotency-Key) and the payment workers (order id); keys are prefixed apart. */
  readonly idempotency: IdempotencyStore;
  /** Depth of every queue and of its DLQ. */
  queueCounts(): Promise<QueueCountsByName>;
  /** Releases what the backend holds (clients, emulators, timers). The sources must be idle by then. */
  close(): Promise<void>;
}
