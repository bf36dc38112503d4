import { randomUUID } from "node:crypto";
import { type Clock, type InMemoryQueue, systemClock } from "@resilient-jobs/core";
import type { OrderPlaced } from "../orders/orderSchema.js";
import { activeTraceparent, inSpan, SpanKind } from "../telemetry/tracing.js";
import type { OrderTopic } from "./Backend.js";

/**
 * An SNS topic in memory: `publish` delivers a copy to every subscribed queue, wrapped in the same
 * Notification envelope SNS gives SQS subscribers without raw delivery, so consumers unwrap it exactly as
 * they do on AWS.
 */
export class InMemoryTopic implements OrderTopic {
  readonly topicArn: string;
  readonly #subscribers: InMemoryQueue[] = [];
  readonly #clock: Clock;
  #published = 0;

  /** `clock` dates the envelopes' `Timestamp`. */
  constructor(name: string, clock: Clock = systemClock) {
    this.topicArn = `arn:aws:sns:us-east-1:000000000000:${name}`;
    this.#clock = clock;
  }

  /** Subscribes a queue: it receives every message published from now on. */
  subscribe(queue: InMemoryQueue): void {
    this.#subscribers.push(queue);
  }

  /** Messages published so far. */
  get published(): number {
    return this.#published;
  }

  publish(event: OrderPlaced): Promise<void> {
    return inSpan(`publish ${this.topicArn.slice(this.topicArn.lastIndexOf(":") + 1)}`, SpanKind.PRODUCER, async () =>
      this.#publish(event),
    );
  }

  #publish(event: OrderPlaced): void {
    // With tracing on, the envelope carries the publish span's context, as SNS carries a publisher's attributes.
    const traceparent = activeTraceparent();
    const body = JSON.stringify({
      Type: "Notification",
      MessageId: randomUUID(),
      TopicArn: this.topicArn,
      Message: JSON.stringify(event),
      Timestamp: new Date(this.#clock.now()).toISOString(),
      MessageAttributes: {
        "correlation-id": { Type: "String", Value: event.orderId },
        ...(traceparent === undefined ? {} : { traceparent: { Type: "String", Value: traceparent } }),
      },
    });
    this.#published += 1;
    for (const queue of this.#subscribers) queue.send(body);
  }
}
