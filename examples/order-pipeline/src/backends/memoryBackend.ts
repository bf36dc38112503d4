import { type Clock, InMemoryQueue, MemoryIdempotencyStore, systemClock } from "@resilient-jobs/core";
import { pipelineConfig } from "../config.js";
import { MemoryOrderStore } from "../orders/MemoryOrderStore.js";
import type { TimeScale } from "../timeScale.js";
import { type Backend, QUEUE_NAMES, type QueueCountsByName, type QueueName } from "./Backend.js";
import { InMemoryTopic } from "./InMemoryTopic.js";
import { queueVisibilitySeconds } from "./queueSettings.js";

/** The memory backend, with its in-memory parts exposed for tests. */
export interface MemoryBackend extends Backend {
  readonly name: "memory";
  readonly topic: InMemoryTopic;
  readonly sources: Readonly<Record<QueueName, InMemoryQueue>>;
  readonly orders: MemoryOrderStore;
  readonly idempotency: MemoryIdempotencyStore;
}

/** Options of {@link createMemoryBackend}. */
export interface MemoryBackendOptions {
  timeScale: TimeScale;
  /** Which processor consumes the payment queue: it sets that queue's visibility timeout. @defaultValue "ecs" */
  processor?: "ecs" | "lambda";
  /** What the queues' visibility and waits, the idempotency store and the topic run on. @defaultValue `systemClock` */
  clock?: Clock;
}

/**
 * Everything in one process: a topic that fans out to three `InMemoryQueue`s (SQS semantics: visibility
 * timeout, receive counts, redrive to a `-dlq` queue after `maxReceiveCount` receives), an order table with
 * conditional updates and a memory idempotency store.
 */
export function createMemoryBackend(options: MemoryBackendOptions): MemoryBackend {
  const { timeScale } = options;
  const clock = options.clock ?? systemClock;
  const topic = new InMemoryTopic(pipelineConfig.topicName, clock);
  const queue = (name: QueueName) => {
    const queueName = pipelineConfig.queues[name];
    const visibilityTimeoutMs = timeScale.ms(queueVisibilitySeconds(name, options.processor ?? "ecs") * 1000);
    const created = new InMemoryQueue({
      name: queueName,
      visibilityTimeoutMs,
      maxReceiveCount: pipelineConfig.maxReceiveCount,
      clock,
      deadLetterQueue: new InMemoryQueue({
        name: queueName + pipelineConfig.deadLetterSuffix,
        visibilityTimeoutMs,
        clock,
      }),
    });
    topic.subscribe(created);
    return created;
  };
  const sources = { payment: queue("payment"), inventory: queue("inventory"), notification: queue("notification") };

  return {
    name: "memory",
    topic,
    sources,
    orders: new MemoryOrderStore(),
    idempotency: new MemoryIdempotencyStore({ clock }),
    async queueCounts() {
      const counts = {} as Record<QueueName, { visible: number; inFlight: number; deadLettered: number }>;
      for (const name of QUEUE_NAMES) {
        const source = sources[name];
        const stats = source.stats();
        const dlq = source.deadLetterQueue.stats();
        counts[name] = {
          visible: stats.visible + stats.delayed,
          inFlight: stats.inFlight,
          deadLettered: dlq.visible + dlq.inFlight + dlq.delayed,
        };
      }
      return counts as QueueCountsByName;
    },
    async close() {
      for (const name of QUEUE_NAMES) {
        sources[name].close();
        sources[name].deadLetterQueue.close();
      }
    },
  };
}
