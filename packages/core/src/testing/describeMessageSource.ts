import { describe, expect, it } from "vitest";
import type { MessageSource, QueueMessage } from "../queue/MessageSource.js";
import { type ConformanceRun, fifoConsumerConformance } from "./fifoConsumerConformance.js";

/** What the suite passes to a fixture's `send`. */
export interface MessageSourceSendOptions {
  /** String message attributes. */
  attributes?: Record<string, string>;
  /** Per-message delay; standard queues only, a multiple of `timeGranularityMs`. */
  delayMs?: number;
  /** FIFO: always given. */
  groupId?: string;
  /** FIFO: always given (unique, except in the deduplication test). */
  deduplicationId?: string;
}

/** One queue under test, built by the factory for each test. */
export interface MessageSourceFixture {
  /** The source under test, reading an empty queue. */
  source: MessageSource;
  /** Sends a message to that queue through its real API (InMemoryQueue.send, SQS SendMessage). */
  send(body: string, options?: MessageSourceSendOptions): unknown;
  /**
   * The queue's visibility timeout. The suite waits for it to pass several times per test: keep it short
   * (100-200 ms in memory; 1,000 on SQS, whose timeouts are whole seconds).
   */
  visibilityTimeoutMs: number;
  /** The queue's dead-letter queue, read as a source: checked after `deadLetter()` and redrives when given. */
  deadLetterSource?: MessageSource;
  /** The queue's redrive `maxReceiveCount`, when it has one and `deadLetterSource` is given. */
  maxReceiveCount?: number;
  /** Releases the queue (closes the source, deletes the queue). Runs after each test, failed or not. */
  cleanup?(): unknown;
}

/** Builds a fresh, empty queue and a source on it. Called once per test. */
export type MessageSourceFactory = () => MessageSourceFixture | Promise<MessageSourceFixture>;

/** Options of `describeMessageSource()`. */
export interface DescribeMessageSourceOptions {
  /**
   * The queue is FIFO: every send gets a group and deduplication id, and the ordering,
   * group-lock and deduplication tests run (the per-message delay test does not).
   * @defaultValue `false`
   */
  fifo?: boolean;
  /**
   * The source honours `retryLater(message, delay, { uncountReceive: true })` (SQS cannot).
   * @defaultValue `false`
   */
  uncountsReceives?: boolean;
  /**
   * Longest a send, a visibility change or an abort may take to show in a receive. The suite
   * waits this long only when the thing it waits for does not happen (a failing source).
   * @defaultValue `2_000`
   */
  settleMs?: number;
  /**
   * Granularity of delays at the source (SQS: 1,000, whole seconds); the suite's delays are multiples of it.
   * @defaultValue `1`
   */
  timeGranularityMs?: number;
  /**
   * Timeout of each test. The slowest waits for about three visibility timeouts plus three `settleMs`.
   * @defaultValue `60_000`
   */
  testTimeoutMs?: number;
}

/** Sends with a fresh group (FIFO) and deduplication id unless given. */
type Run = ConformanceRun;

/**
 * The conformance suite every `MessageSource` runs (vitest), so the in-memory queue, SQS and
 * your own transport behave the same toward the consumer: visibility and redelivery, receipt
 * handles, retries, heartbeats, long polling, aborts, dead letters and (FIFO) order. It uses
 * only the `MessageSource` contract and the fixture's `send`, on real time: waits end as soon
 * as what they wait for happens; fixed waits are multiples of the queue's visibility timeout.
 */
export function describeMessageSource(
  name: string,
  factory: MessageSourceFactory,
  options: DescribeMessageSourceOptions = {},
): void {
  const fifo = options.fifo ?? false;
  const settleMs = options.settleMs ?? 2_000;
  const granularityMs = options.timeGranularityMs ?? 1;
  const testTimeoutMs = options.testTimeoutMs ?? 60_000;
  const roundUp = (ms: number) => Math.ceil(ms / granularityMs) * granularityMs;
  // Real timers may fire a little early against Date.now (clock rounding).
  const toleranceMs = 25;
  let sequence = 0;

  /** Runs a test body on a fresh fixture and always cleans it up. */
  function test(title: string, body: (run: Run) => Promise<void>): void {
    it(
      title,
      async () => {
        const fixture = await factory();
        const run: Run = {
          fixture,
          source: fixture.source,
          async send(text, sendOptions = {}) {
            sequence += 1;
            const ids = fifo ? { groupId: `g-${sequence}`, deduplicationId: `d-${sequence}-${Date.now()}` } : {};
            await fixture.send(text, { ...ids, ...sendOptions });
          },
        };
        try {
          await body(run);
        } finally {
          await fixture.cleanup?.();
        }
      },
      testTimeoutMs,
    );
  }

  describe(`MessageSource conformance: ${name}`, () => {
    test("receives a sent message with its body, attributes, receive count 1, send time and a receipt handle", async ({
      source,
      send,
    }) => {
      const before = Date.now();
      await send('{"orderId":"o-1"}', { attributes: { traceId: "t-1" } });
      const [message, ...more] = await receiveUntil(source, 1, settleMs);

      expect(more).toEqual([]);
      expect(message?.body).toBe('{"orderId":"o-1"}');
      expect(message?.attributes.traceId).toBe("t-1");
      expect(message?.receiveCount).toBe(1);
      expect(typeof message?.id).toBe("string");
      expect(message?.receiptHandle).toEqual(expect.any(String));
      // Generous bounds: a remote queue stamps the time with its own clock.
      expect(message?.sentAt).toBeGreaterThanOrEqual(before - 1_000);
      expect(message?.sentAt).toBeLessThanOrEqual(Date.now() + 1_000);
      if (fifo) expect(message?.groupId).toEqual(expect.any(String));
    });

    test("reports its batch limit and visibility timeout", async ({ source, fixture }) => {
      expect(Number.isInteger(source.maxReceiveBatch) && source.maxReceiveBatch >= 1).toBe(true);
      if (source.visibilityTimeoutMs !== undefined)
        expect(source.visibilityTimeoutMs).toBe(fixture.visibilityTimeoutMs);
    });

    test("never returns more messages than asked for", async ({ source, send }) => {
      for (let i = 0; i < 5; i += 1) await send(`m${i}`);

      const firstBatch = await source.receive(2, { waitTimeMs: settleMs });
      const rest = await receiveUntil(source, 5 - firstBatch.length, settleMs);

      expect(firstBatch.length).toBeGreaterThanOrEqual(1);
      expect(firstBatch.length).toBeLessThanOrEqual(2);
      expect(ids([...firstBatch, ...rest]).size).toBe(5);
    });

    test("does not deliver an acked message again", async ({ source, send, fixture }) => {
      await send("done");
      const messages = await receiveUntil(source, 1, settleMs);

      const outcome = await source.ack(messages);
      const later = await receiveFor(source, 2 * fixture.visibilityTimeoutMs + toleranceMs);

      expect(outcome.failed).toEqual([]);
      expect(later).toEqual([]);
    });

    test("redelivers an unacked message after its visibility timeout, with receive count 2 and a new receipt handle", async ({
      source,
      send,
      fixture,
    }) => {
      await send("crashed consumer");
      const [first] = await receiveUntil(source, 1, settleMs);
      const received = Date.now();

      const [again] = await receiveUntil(source, 1, fixture.visibilityTimeoutMs + settleMs);

      expect(Date.now() - received).toBeGreaterThanOrEqual(fixture.visibilityTimeoutMs - toleranceMs);
      expect(again?.id).toBe(first?.id);
      expect(again?.receiveCount).toBe(2);
      expect(again?.receiptHandle).not.toBe(first?.receiptHandle);
    });

    test("ignores a stale receipt handle: it neither deletes nor extends the redelivered message", async ({
      source,
      send,
      fixture,
    }) => {
      await send("x");
      const [stale] = (await receiveUntil(source, 1, settleMs)) as [QueueMessage];
      await receiveUntil(source, 1, fixture.visibilityTimeoutMs + settleMs);

      await source.ack([stale]);
      const extended = await source.extend([stale], Math.ceil((10 * fixture.visibilityTimeoutMs) / 1000));
      const [third] = await receiveUntil(source, 1, fixture.visibilityTimeoutMs + settleMs);

      expect(extended.failed.map((f) => f.message)).toEqual([stale]);
      expect(third?.id).toBe(stale.id);
      expect(third?.receiveCount).toBe(3);
    });

    test("hands a message back at once with retryLater(message, 0)", async ({ source, send, fixture }) => {
      await send("x");
      const [message] = (await receiveUntil(source, 1, settleMs)) as [QueueMessage];
      // Keep it invisible for long first, so only the hand-back can explain a quick redelivery.
      await source.extend([message], Math.ceil((20 * fixture.visibilityTimeoutMs + settleMs) / 1000));

      await source.retryLater(message, 0);
      const [again] = await receiveUntil(source, 1, settleMs);

      expect(again?.id).toBe(message.id);
      expect(again?.receiveCount).toBe(2);
    });

    test("hides a message for the delay given to retryLater, even past its visibility timeout", async ({
      source,
      send,
      fixture,
    }) => {
      const delayMs = roundUp(3 * fixture.visibilityTimeoutMs);
      await send("x");
      const [message] = (await receiveUntil(source, 1, settleMs)) as [QueueMessage];

      const start = Date.now();
      await source.retryLater(message, delayMs);
      const [again] = await receiveUntil(source, 1, delayMs + settleMs);

      expect(again?.id).toBe(message.id);
      expect(Date.now() - start).toBeGreaterThanOrEqual(delayMs - toleranceMs);
    });

    test("keeps an extended message invisible past its visibility timeout, and its handle still acks it", async ({
      source,
      send,
      fixture,
    }) => {
      await send("long job");
      const [message] = (await receiveUntil(source, 1, settleMs)) as [QueueMessage];

      const outcome = await source.extend([message], Math.ceil((5 * fixture.visibilityTimeoutMs) / 1000));
      const meanwhile = await receiveFor(source, 2 * fixture.visibilityTimeoutMs);
      const acked = await source.ack([message]);

      expect(outcome.failed).toEqual([]);
      expect(meanwhile).toEqual([]);
      expect(acked.failed).toEqual([]);
    });

    test("ends a long poll as soon as a message arrives", async ({ source, send }) => {
      const waitTimeMs = 20_000;
      const start = Date.now();
      const receiving = source.receive(source.maxReceiveBatch, { waitTimeMs });
      await delay(50);

      await send("wake up");
      const messages = await receiving;

      expect(messages.map((m) => m.body)).toEqual(["wake up"]);
      expect(Date.now() - start).toBeLessThan(50 + settleMs);
    });

    test("returns at once from an empty queue with waitTimeMs 0", async ({ source }) => {
      const start = Date.now();

      const messages = await source.receive(source.maxReceiveBatch, { waitTimeMs: 0 });

      expect(messages).toEqual([]);
      expect(Date.now() - start).toBeLessThan(settleMs);
    });

    test("ends a long poll with no messages when its signal aborts, leaving later messages to the next receive", async ({
      source,
      send,
    }) => {
      const controller = new AbortController();
      const start = Date.now();
      const receiving = source.receive(source.maxReceiveBatch, { waitTimeMs: 20_000, signal: controller.signal });
      await delay(50);

      controller.abort();
      const aborted = await receiving;
      const elapsed = Date.now() - start;
      await send("after abort");
      const next = await receiveUntil(source, 1, settleMs);

      expect(aborted).toEqual([]);
      expect(elapsed).toBeLessThan(50 + settleMs);
      expect(next.map((m) => m.body)).toEqual(["after abort"]);
    });

    test("returns no messages for an already aborted signal", async ({ source, send }) => {
      await send("x");
      await delay(50);

      const messages = await source.receive(source.maxReceiveBatch, { waitTimeMs: 1_000, signal: AbortSignal.abort() });

      expect(messages).toEqual([]);
    });

    test("gives concurrent receivers distinct messages", async ({ source, send }) => {
      const count = 12;
      for (let i = 0; i < count; i += 1) await send(`m${i}`);

      const got = await receiveConcurrently(source, 4, count, 3 * settleMs);

      expect(got).toHaveLength(count);
      expect(ids(got).size).toBe(count);
    });

    test("shares messages sent later among long polls that were already waiting", async ({ source, send }) => {
      const receiving = receiveConcurrently(source, 3, 3, 3 * settleMs);
      await delay(50);

      for (let i = 0; i < 3; i += 1) await send(`m${i}`);
      const got = await receiving;

      expect(got).toHaveLength(3);
      expect(ids(got).size).toBe(3);
    });

    if (!fifo) {
      test("keeps a delayed message invisible until its delay ends", async ({ source, send, fixture }) => {
        const delayMs = roundUp(3 * fixture.visibilityTimeoutMs);
        const start = Date.now();

        await send("later", { delayMs });
        const early = await source.receive(source.maxReceiveBatch, { waitTimeMs: 0 });
        const [message] = await receiveUntil(source, 1, delayMs + settleMs);

        expect(early).toEqual([]);
        expect(message?.body).toBe("later");
        expect(Date.now() - start).toBeGreaterThanOrEqual(delayMs - toleranceMs);
      });
    }

    test("moves a message to the dead-letter queue at once with deadLetter(), keeping its id", async ({
      source,
      send,
      fixture,
    }) => {
      if (source.deadLetter === undefined) return;
      await send("poison");
      const [message] = (await receiveUntil(source, 1, settleMs)) as [QueueMessage];

      await source.deadLetter(message, { code: "PERMANENT", message: "unknown product" });
      const later = await receiveFor(source, 2 * fixture.visibilityTimeoutMs);

      expect(later).toEqual([]);
      if (fixture.deadLetterSource) {
        const [dead] = await receiveUntil(fixture.deadLetterSource, 1, settleMs);
        expect(dead?.id).toBe(message.id);
        expect(dead?.body).toBe("poison");
      }
    });

    test("redrives a message to the dead-letter queue on receive number maxReceiveCount + 1", async ({
      source,
      send,
      fixture,
    }) => {
      const { maxReceiveCount, deadLetterSource } = fixture;
      if (maxReceiveCount === undefined || deadLetterSource === undefined) return;
      await send("fails every time");
      let id: string | undefined;
      for (let receive = 1; receive <= maxReceiveCount; receive += 1) {
        const [message] = (await receiveUntil(source, 1, settleMs)) as [QueueMessage];
        expect(message.receiveCount).toBe(receive);
        id = message.id;
        await source.retryLater(message, 0);
      }

      const fromSource = await receiveFor(source, fixture.visibilityTimeoutMs);
      const [dead] = await receiveUntil(deadLetterSource, 1, settleMs);

      expect(fromSource).toEqual([]);
      expect(dead?.id).toBe(id);
    });

    if (options.uncountsReceives) {
      test("does not count a receive handed back with uncountReceive", async ({ source, send, fixture }) => {
        await send("circuit open");
        const handBacks = (fixture.maxReceiveCount ?? 3) + 1;
        for (let i = 0; i < handBacks; i += 1) {
          const [message] = (await receiveUntil(source, 1, settleMs)) as [QueueMessage];
          await source.retryLater(message, 0, { uncountReceive: true });
        }

        const [message] = await receiveUntil(source, 1, settleMs);

        expect(message?.receiveCount).toBe(1);
      });
    }

    if (fifo) describeFifo();
  });

  function describeFifo(): void {
    fifoConsumerConformance(test, settleMs);

    test("FIFO: delivers the messages of a group in send order, across receives", async ({ source, send }) => {
      for (let i = 0; i < 5; i += 1) await send(`a${i}`, { groupId: "a" });
      const bodies: string[] = [];

      while (bodies.length < 5) {
        const messages = await receiveUntil(source, 1, settleMs);
        if (messages.length === 0) break;
        bodies.push(...messages.map((m) => m.body));
        await source.ack(messages);
      }

      expect(bodies).toEqual(["a0", "a1", "a2", "a3", "a4"]);
    });

    test("FIFO: holds back a group while one of its messages is in flight", async ({ source, send, fixture }) => {
      await send("a1", { groupId: "a" });
      await send("a2", { groupId: "a" });
      const first = await receiveUntil(source, 1, settleMs, 1);
      // Long enough that a1 cannot time out while we look (a source may round a long poll up to seconds).
      await source.extend(first, Math.ceil((10 * fixture.visibilityTimeoutMs) / 1000));

      const whileInFlight = await receiveFor(source, 2 * fixture.visibilityTimeoutMs);
      await source.ack(first);
      const afterAck = await receiveUntil(source, 1, settleMs);

      expect(first.map((m) => m.body)).toEqual(["a1"]);
      expect(whileInFlight).toEqual([]);
      expect(afterAck.map((m) => m.body)).toEqual(["a2"]);
    });

    test("FIFO: lets other groups through while one is held back", async ({ source, send }) => {
      await send("a1", { groupId: "a" });
      await send("a2", { groupId: "a" });
      await send("b1", { groupId: "b" });
      const [first] = await receiveUntil(source, 1, settleMs, 1);

      const [next] = await receiveUntil(source, 1, settleMs, 1);

      expect(next?.body).toBe(first?.groupId === "a" ? "b1" : "a1");
    });

    test("FIFO: hands a timed-out message out again before the rest of its group", async ({
      source,
      send,
      fixture,
    }) => {
      await send("a1", { groupId: "a" });
      await send("a2", { groupId: "a" });
      await receiveUntil(source, 1, settleMs, 1);

      const [again] = await receiveUntil(source, 1, fixture.visibilityTimeoutMs + settleMs, 1);

      expect(again?.body).toBe("a1");
      expect(again?.receiveCount).toBe(2);
    });

    test("FIFO: drops a second send with the same deduplication id", async ({ source, send, fixture }) => {
      const deduplicationId = `dedup-${Date.now()}-${Math.random()}`;
      await send("charge order 1", { groupId: "a", deduplicationId });
      await send("charge order 1", { groupId: "a", deduplicationId });

      const first = await receiveUntil(source, 1, settleMs);
      await source.ack(first);
      const more = await receiveFor(source, fixture.visibilityTimeoutMs);

      expect(first).toHaveLength(1);
      expect(more).toEqual([]);
    });
  }
}

/** Receives until `count` messages arrived or `withinMs` passed; each receive long-polls for the time left. */
async function receiveUntil(source: MessageSource, count: number, withinMs: number, max = 10): Promise<QueueMessage[]> {
  const deadline = Date.now() + withinMs;
  const got: QueueMessage[] = [];
  for (let left = withinMs; got.length < count && left > 0; left = deadline - Date.now()) {
    got.push(...(await source.receive(Math.min(max, source.maxReceiveBatch), { waitTimeMs: left })));
  }
  return got;
}

/** Everything received during `forMs` (a test expecting nothing asserts it is empty). */
async function receiveFor(source: MessageSource, forMs: number): Promise<QueueMessage[]> {
  return receiveUntil(source, Number.POSITIVE_INFINITY, forMs);
}

/** `receivers` concurrent receive loops, until they hold `count` messages together or `withinMs` passed. */
async function receiveConcurrently(
  source: MessageSource,
  receivers: number,
  count: number,
  withinMs: number,
): Promise<QueueMessage[]> {
  const deadline = Date.now() + withinMs;
  const got: QueueMessage[] = [];
  const controller = new AbortController();
  const loop = async () => {
    for (let left = withinMs; got.length < count && left > 0; left = deadline - Date.now()) {
      const messages = await source.receive(3, { waitTimeMs: left, signal: controller.signal });
      got.push(...messages);
    }
    // The count is reached: end the loops still long-polling.
    controller.abort();
  };
  await Promise.all(Array.from({ length: receivers }, loop));
  return got;
}

const ids = (messages: readonly QueueMessage[]) => new Set(messages.map((m) => m.id));
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
