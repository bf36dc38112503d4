import { describeMessageSource, type MessageSourceFixture } from "../testing/describeMessageSource.js";
import { InMemoryQueue } from "./InMemoryQueue.js";

// Real time, short timeouts: the suite waits for visibility timeouts to pass several times per test.
const visibilityTimeoutMs = 150;
const maxReceiveCount = 3;

/** A queue redriving to its own dead-letter queue after {@link maxReceiveCount} receives. */
function queueFixture(fifo: boolean): MessageSourceFixture {
  const suffix = fifo ? ".fifo" : "";
  const deadLetterQueue = new InMemoryQueue({ name: `conformance-dlq${suffix}`, fifo, visibilityTimeoutMs });
  const queue = new InMemoryQueue({
    name: `conformance${suffix}`,
    fifo,
    visibilityTimeoutMs,
    maxReceiveCount,
    deadLetterQueue,
  });
  return {
    source: queue,
    send: (body, options) => queue.send(body, options),
    visibilityTimeoutMs,
    deadLetterSource: deadLetterQueue,
    maxReceiveCount,
    cleanup() {
      queue.close();
      deadLetterQueue.close();
    },
  };
}

describeMessageSource("InMemoryQueue (standard)", () => queueFixture(false), {
  uncountsReceives: true,
  settleMs: 1_000,
});

describeMessageSource("InMemoryQueue (FIFO)", () => queueFixture(true), {
  fifo: true,
  uncountsReceives: true,
  settleMs: 1_000,
});
