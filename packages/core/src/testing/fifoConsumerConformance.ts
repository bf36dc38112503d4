import { expect } from "vitest";
import { createConsumer } from "../consumer/createConsumer.js";
import type { ConsumerMessage } from "../consumer/types.js";
import { text } from "../decode/formats.js";
import { TransientError } from "../errors.js";
import { silentLogger } from "../logger.js";
import type { MessageSource } from "../queue/MessageSource.js";
import type { MessageSourceFixture, MessageSourceSendOptions } from "./describeMessageSource.js";

/** What a conformance test body gets (see `describeMessageSource`). */
export interface ConformanceRun {
  readonly fixture: MessageSourceFixture;
  readonly source: MessageSource;
  send(body: string, options?: MessageSourceSendOptions): Promise<void>;
}

/** Registers one conformance test on a fresh fixture. */
export type ConformanceTest = (title: string, body: (run: ConformanceRun) => Promise<void>) => void;

/**
 * The consumer's FIFO rule, run over the source under test: in order within a group, a failing message holds
 * back only its own group, other groups keep flowing. Group order is the consumer's rule (core), so it must
 * hold whatever the transport returns per receive (the in-memory queue: several messages of a group; fauxqs:
 * one).
 */
export function fifoConsumerConformance(test: ConformanceTest, settleMs: number): void {
  test("FIFO consumer: runs each group in order, and a failure holds back only its own group", async ({
    source,
    send,
    fixture,
  }) => {
    expect(source.fifo).toBe(true);
    for (let i = 0; i < 5; i += 1) await send(`a${i}`, { groupId: "a" });
    for (let i = 0; i < 3; i += 1) await send(`b${i}`, { groupId: "b" });
    const timeline: string[] = [];
    let failedOnce = false;
    let allDone: () => void = () => {};
    const finished = new Promise<void>((resolve) => (allDone = resolve));
    const consumer = createConsumer({
      source,
      decode: text,
      concurrency: 10,
      logger: silentLogger,
      // a1's retry waits a visibility timeout: long enough for group b to finish meanwhile.
      backoff: { strategy: "none", baseMs: fixture.visibilityTimeoutMs },
      handler: async (message: ConsumerMessage<string>) => {
        timeline.push(`start ${message.body}`);
        if (message.body === "a1" && !failedOnce) {
          failedOnce = true;
          timeline.push("fail a1");
          throw new TransientError("a1 fails once");
        }
        timeline.push(`done ${message.body}`);
        if (timeline.filter((t) => t.startsWith("done")).length === 8) allDone();
      },
    });

    consumer.start();
    await Promise.race([finished, delay(2 * fixture.visibilityTimeoutMs + 6 * settleMs)]);
    await consumer.stop({ drainTimeoutMs: settleMs });

    const done = timeline.filter((t) => t.startsWith("done ")).map((t) => t.slice(5));
    expect(done.filter((n) => n.startsWith("a"))).toEqual(["a0", "a1", "a2", "a3", "a4"]);
    expect(done.filter((n) => n.startsWith("b"))).toEqual(["b0", "b1", "b2"]);
    const failedAt = timeline.indexOf("fail a1");
    const retriedAt = timeline.indexOf("start a1", failedAt);
    // Nothing of group a ran between a1's failure and its retry, while group b finished.
    expect(timeline.slice(failedAt + 1, retriedAt).filter((t) => / a\d$/.test(t))).toEqual([]);
    expect(timeline.indexOf("done b2")).toBeLessThan(retriedAt);
  });
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref?.());
