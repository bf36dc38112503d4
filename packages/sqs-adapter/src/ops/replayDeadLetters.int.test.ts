/**
 * Selective replay on fauxqs: a DLQ holding three reasons, one replayed at a rate (a virtual clock records the
 * pace), the others untouched and visible again at once; a dry run that changes nothing; FIFO ids kept.
 */
import { afterAll, describe, expect, it } from "vitest";
import { drainQueue, queueDepth } from "../source/sqsTestKit.js";
import { startTestPeer } from "../source/sqsTestPeer.js";
import { type ReplayClock, replayDeadLetters } from "./replayDeadLetters.js";
import { deadLetterQueue } from "./replayTestKit.js";

const { client } = await startTestPeer(afterAll);

/** A clock that never waits: sleep advances it, and each wait is recorded. */
function virtualClock(): ReplayClock & { waits: number[] } {
  let now = Date.now();
  const waits: number[] = [];
  return {
    waits,
    now: () => now,
    sleep: async (ms) => {
      waits.push(ms);
      now += ms;
    },
  };
}

describe("replayDeadLetters against fauxqs", () => {
  it("replays one reason at a rate, leaves the others in the DLQ and visible again at once", async () => {
    const { source, dlq } = await deadLetterQueue(client, 12);
    const clock = virtualClock();
    const progress: number[] = [];

    const result = await replayDeadLetters({
      client,
      from: dlq.url,
      to: source.url,
      where: { code: "PAYMENT_DECLINED" },
      perSecond: 4,
      clock,
      onProgress: (p) => progress.push(p.sent),
    });

    expect(result).toMatchObject({ scanned: 36, matched: 12, moved: 12, failed: 0, deleteFailed: 0 });
    expect(result.byReason).toEqual({ PAYMENT_DECLINED: 12 });
    // 12 messages at 4/s: chunks of 4, the second and third each wait a second's worth.
    expect(clock.waits.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(2000);
    expect(clock.waits.every((ms) => ms <= 1000)).toBe(true);
    expect(progress.at(-1)).toBe(12);
    expect(await queueDepth(client, source.url)).toEqual({ visible: 12, inFlight: 0 });
    expect(await queueDepth(client, dlq.url)).toEqual({ visible: 24, inFlight: 0 });
  });

  it("selects by reason text, attribute, receive count and a body predicate; a transform rewrites the body", async () => {
    const { source, dlq } = await deadLetterQueue(client, 6);

    const result = await replayDeadLetters({
      client,
      from: dlq.url,
      to: source.url,
      where: {
        reason: "amountCents",
        minReceiveCount: 2,
        body: (body) => (body as { amountCents: number }).amountCents % 2 === 1,
      },
      transform: (body) => ({ ...(body as object), amountCents: 100 }),
    });

    // VALIDATION_FAILED is messages 6-11; receive count 1 + i % 3 >= 2 and an odd amount: 7 and 11.
    expect(result.messages.map((m) => m.id).length).toBe(2);
    expect(result.moved).toBe(2);
    const moved = await drainQueue(client, source.url);
    expect(moved.map((m) => JSON.parse(m.body))).toEqual(
      expect.arrayContaining([
        { orderId: "o-7", amountCents: 100 },
        { orderId: "o-11", amountCents: 100 },
      ]),
    );
    // The reason attributes are not carried; the correlation id is.
    expect(Object.keys(moved[0]!.attributes)).toEqual(["correlation-id"]);
  });

  it("dry run: lists and counts by reason, moves nothing, and leaves every message visible", async () => {
    const { source, dlq } = await deadLetterQueue(client, 3);

    const result = await replayDeadLetters({
      client,
      from: dlq.url,
      to: source.url,
      where: { code: ["PAYMENT_DECLINED", "PAYLOAD_NOT_FOUND"] },
      dryRun: true,
      includeBody: true,
    });

    expect(result).toMatchObject({ dryRun: true, scanned: 9, matched: 6, moved: 0 });
    expect(result.byReason).toEqual({ PAYMENT_DECLINED: 3, PAYLOAD_NOT_FOUND: 3 });
    expect(result.messages[0]).toMatchObject({
      code: "PAYMENT_DECLINED",
      bodyExcerpt: '{"orderId":"o-0","amountCents":0}',
    });
    expect(await queueDepth(client, dlq.url)).toEqual({ visible: 9, inFlight: 0 });
    expect(await queueDepth(client, source.url)).toEqual({ visible: 0, inFlight: 0 });
  });

  it("keeps FIFO group ids and gives a fresh deduplication id when the original was sent under 5 minutes ago", async () => {
    const { source, dlq } = await deadLetterQueue(client, 2, true);

    const result = await replayDeadLetters({
      client,
      from: dlq.url,
      to: source.url,
      where: { code: "PAYMENT_DECLINED" },
    });

    expect(result.moved).toBe(2);
    expect(result.freshDeduplicationIds).toBe(2);
    expect(result.messages.every((m) => m.freshDeduplicationId === true && m.groupId?.startsWith("g-"))).toBe(true);
  });

  it("stops between batches when aborted: what was sent is deleted, the rest stays", async () => {
    const { source, dlq } = await deadLetterQueue(client, 10);
    const controller = new AbortController();
    const clock = virtualClock();

    const result = await replayDeadLetters({
      client,
      from: dlq.url,
      to: source.url,
      perSecond: 5,
      clock,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.sent >= 5) controller.abort();
      },
    });

    expect(result.stoppedBecause).toBe("aborted");
    const moved = (await queueDepth(client, source.url)).visible;
    expect(moved).toBe(result.moved);
    expect((await queueDepth(client, dlq.url)).visible + moved).toBe(30);
  });
});
