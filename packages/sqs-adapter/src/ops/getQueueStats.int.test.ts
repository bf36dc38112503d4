import { ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, describe, expect, it } from "vitest";
import { SqsAdapterError } from "../errors.js";
import { createQueueWithDlq, createTestQueue, sendTestMessages } from "../source/sqsTestKit.js";
import { startTestPeer } from "../source/sqsTestPeer.js";
import { getQueueStats } from "./getQueueStats.js";

const { peer, client } = await startTestPeer(afterAll);
const queueWithDlq = (maxReceiveCount = 3) => createQueueWithDlq(client, "stats", { maxReceiveCount });

describe("getQueueStats against fauxqs", () => {
  it("reports visible, in-flight and delayed messages and the depth of the DLQ named by the RedrivePolicy", async () => {
    const { dlq, queue } = await queueWithDlq(4);
    await sendTestMessages(client, queue.url, [
      { MessageBody: "a" },
      { MessageBody: "b" },
      { MessageBody: "c" },
      { MessageBody: "later", DelaySeconds: 60 },
    ]);
    await client.send(
      new ReceiveMessageCommand({ QueueUrl: queue.url, MaxNumberOfMessages: 1, VisibilityTimeout: 60 }),
    );
    await sendTestMessages(client, dlq.url, [{ MessageBody: "poison-1" }, { MessageBody: "poison-2" }]);

    const stats = await getQueueStats(queue.url, { client });

    expect(stats).toMatchObject({ queueUrl: queue.url, queueArn: queue.arn, visible: 2, inFlight: 1, delayed: 1 });
    expect(stats.fifo).toBe(false);
    expect(stats.oldestMessageAge).toBeUndefined();
    expect(stats.deadLetter).toEqual({
      queueUrl: dlq.url,
      queueArn: dlq.arn,
      visible: 2,
      inFlight: 0,
      delayed: 0,
      maxReceiveCount: 4,
    });
  });

  it("has no dead-letter figures for a queue without a RedrivePolicy", async () => {
    const queue = await createTestQueue(client, "stats-plain", { FifoQueue: "true" });

    const stats = await getQueueStats(queue.url, { client });

    expect(stats.deadLetter).toBeUndefined();
    expect(stats.fifo).toBe(true);
    expect(stats.visible).toBe(0);
  });

  it("estimates the oldest message's age by peeking, without hiding the messages", async () => {
    const { queue } = await queueWithDlq();
    await sendTestMessages(client, queue.url, [{ MessageBody: "old" }, { MessageBody: "older" }]);
    const sentBy = Date.now();

    const stats = await getQueueStats(queue.url, { client, peekOldestAge: true, now: () => sentBy + 90_000 });

    expect(stats.oldestMessageAge?.sampled).toBe(2);
    expect(stats.oldestMessageAge?.seconds).toBeGreaterThanOrEqual(90);
    expect(stats.oldestMessageAge?.seconds).toBeLessThan(95);
    // Receivable again at once. (fauxqs's counts lag here: GetQueueAttributes still reports a 0-second
    // peek as in flight until the next receive processes its timers.)
    const after = await client.send(new ReceiveMessageCommand({ QueueUrl: queue.url, MaxNumberOfMessages: 10 }));
    expect(after.Messages?.map((m) => m.Body).sort()).toEqual(["old", "older"]);
  });

  it("fails with an SqsAdapterError naming the queue when it does not exist", async () => {
    const missing = `${peer.endpoint}/000000000000/missing-queue`;

    const error = await getQueueStats(missing, { client }).catch((err: unknown) => err);

    expect(error).toBeInstanceOf(SqsAdapterError);
    expect((error as SqsAdapterError).aws?.name).toBe("QueueDoesNotExist");
    expect((error as Error).message).toContain(missing);
  });
});
