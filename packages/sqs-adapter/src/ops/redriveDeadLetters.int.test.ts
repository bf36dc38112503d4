import type { SendMessageBatchCommandOutput, SendMessageBatchRequestEntry } from "@aws-sdk/client-sqs";
import { InvalidOptionError } from "@resilient-jobs/core";
import { afterAll, describe, expect, it } from "vitest";
import { SqsAdapterError } from "../errors.js";
import {
  awsServiceError,
  createQueueWithDlq,
  createTestQueue,
  drainQueue,
  injectFaults,
  queueDepth,
  recordCommands,
  sendTestMessages,
} from "../source/sqsTestKit.js";
import { startTestPeer } from "../source/sqsTestPeer.js";
import { redriveDeadLetters } from "./redriveDeadLetters.js";

const { peer, client, newClient } = await startTestPeer(afterAll);
const queueWithDlq = (attributes: Record<string, string> = {}) =>
  createQueueWithDlq(client, "redrive-src", { attributes });
const drain = (queueUrl: string) => drainQueue(client, queueUrl);
const depth = (queueUrl: string) => queueDepth(client, queueUrl);

describe("redriveDeadLetters against fauxqs (no StartMessageMoveTask: the fallback loop)", () => {
  it("moves every message back to the queue whose RedrivePolicy names the DLQ, keeping the attributes", async () => {
    const { dlq, queue } = await queueWithDlq();
    await sendTestMessages(
      client,
      dlq.url,
      Array.from({ length: 15 }, (_, i) => ({
        MessageBody: `poison-${i}`,
        MessageAttributes: { "correlation-id": { DataType: "String", StringValue: `order-${i}` } },
      })),
    );

    const result = await redriveDeadLetters({ client, from: dlq.url });

    expect(result).toEqual({ method: "loop", from: dlq.url, to: queue.url, moved: 15, failed: 0, deleteFailed: 0 });
    const moved = await drain(queue.url);
    expect(moved.map((m) => m.body).sort()).toEqual(Array.from({ length: 15 }, (_, i) => `poison-${i}`).sort());
    expect(moved.find((m) => m.body === "poison-3")?.attributes["correlation-id"]).toBe("order-3");
    expect(await depth(dlq.url)).toEqual({ visible: 0, inFlight: 0 });
  });

  it("moves at most `max` messages to `to`", async () => {
    const { dlq } = await queueWithDlq();
    const elsewhere = await createTestQueue(client, "redrive-to");
    await sendTestMessages(
      client,
      dlq.url,
      Array.from({ length: 10 }, (_, i) => ({ MessageBody: `m${i}` })),
    );

    const result = await redriveDeadLetters({ client, from: dlq.url, to: elsewhere.url, max: 4 });

    expect(result).toMatchObject({ method: "loop", to: elsewhere.url, moved: 4 });
    expect(await drain(elsewhere.url)).toHaveLength(4);
    expect((await drain(dlq.url)).length).toBe(6);
  });

  it("keeps FIFO group ids, so each group's order survives the move", async () => {
    const { dlq, queue } = await queueWithDlq({ FifoQueue: "true" });
    await sendTestMessages(client, dlq.url, [
      { MessageBody: "a1", MessageGroupId: "a", MessageDeduplicationId: "a1" },
      { MessageBody: "b1", MessageGroupId: "b", MessageDeduplicationId: "b1" },
      { MessageBody: "a2", MessageGroupId: "a", MessageDeduplicationId: "a2" },
    ]);

    const result = await redriveDeadLetters({ client, from: dlq.url });

    expect(result).toMatchObject({ method: "loop", moved: 3 });
    const moved = await drain(queue.url);
    expect(moved.filter((m) => m.groupId === "a").map((m) => m.body)).toEqual(["a1", "a2"]);
    expect(moved.find((m) => m.body === "b1")?.groupId).toBe("b");
  });

  it("never deletes a message whose send failed (fault injection: a Failed entry): it stays in the DLQ", async () => {
    const { dlq, queue } = await queueWithDlq();
    await sendTestMessages(client, dlq.url, [
      { MessageBody: "ok-1" },
      { MessageBody: "refused" },
      { MessageBody: "ok-2" },
    ]);
    const mover = newClient();
    injectFaults(mover, ({ name, input, send }) => {
      if (name !== "SendMessageBatchCommand") return undefined;
      const entries = input.Entries as SendMessageBatchRequestEntry[];
      const refused = entries.filter((e) => e.MessageBody === "refused");
      const rest = entries.filter((e) => e.MessageBody !== "refused");
      return send({ ...input, Entries: rest }).then((output) => ({
        ...(output as SendMessageBatchCommandOutput),
        Failed: refused.map((e) => ({ Id: e.Id, SenderFault: false, Code: "InternalError", Message: "injected" })),
      }));
    });

    const result = await redriveDeadLetters({ client: mover, from: dlq.url });

    expect(result).toMatchObject({ method: "loop", moved: 2, failed: 1, deleteFailed: 0 });
    expect((await drain(queue.url)).map((m) => m.body).sort()).toEqual(["ok-1", "ok-2"]);
    // Still in the DLQ, hidden until its visibility timeout runs out.
    expect(await depth(dlq.url)).toEqual({ visible: 0, inFlight: 1 });
  });

  it("stops instead of looping when nothing can be sent, and says why", async () => {
    const { dlq } = await queueWithDlq();
    await sendTestMessages(client, dlq.url, [{ MessageBody: "x" }]);
    const mover = newClient();
    injectFaults(mover, ({ name }) =>
      name === "SendMessageBatchCommand" ? Promise.reject(awsServiceError("AccessDenied", 403)) : undefined,
    );

    const result = await redriveDeadLetters({ client: mover, from: dlq.url });

    expect(result).toMatchObject({ method: "loop", moved: 0, failed: 1 });
    expect(result.method === "loop" && result.stoppedBecause).toMatch(/AccessDenied/);
    expect(await depth(dlq.url)).toEqual({ visible: 0, inFlight: 1 });
  });

  it("asks for `to` when several queues share the DLQ", async () => {
    const dlq = await createTestQueue(client, "redrive-shared-dlq");
    const policy = JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 3 });
    await createTestQueue(client, "redrive-src-a", { RedrivePolicy: policy });
    await createTestQueue(client, "redrive-src-b", { RedrivePolicy: policy });
    await sendTestMessages(client, dlq.url, [{ MessageBody: "x" }]);

    const error = await redriveDeadLetters({ client, from: dlq.url }).catch((err: unknown) => err);

    expect(error).toBeInstanceOf(SqsAdapterError);
    expect((error as Error).message).toMatch(/dead-letter queue of 2 queues.*--to/);
    expect(await depth(dlq.url)).toEqual({ visible: 1, inFlight: 0 });
  });

  it("checks that the destination exists before touching the DLQ", async () => {
    const { dlq } = await queueWithDlq();
    await sendTestMessages(client, dlq.url, [{ MessageBody: "x" }]);
    const missing = `${peer.endpoint}/000000000000/no-such-destination`;

    const error = await redriveDeadLetters({ client, from: dlq.url, to: missing }).catch((err: unknown) => err);

    expect((error as SqsAdapterError).aws?.name).toBe("QueueDoesNotExist");
    expect((error as Error).message).toContain("no-such-destination");
    expect(await depth(dlq.url)).toEqual({ visible: 1, inFlight: 0 });
  });

  it("rejects bad options naming them", async () => {
    const { dlq } = await queueWithDlq();

    await expect(redriveDeadLetters({ client, from: dlq.url, max: 0 })).rejects.toThrow(InvalidOptionError);
    await expect(redriveDeadLetters({ client, from: dlq.url, to: dlq.url })).rejects.toThrow(/`to`/);
    await expect(redriveDeadLetters({ client, from: "not a url" })).rejects.toThrow(/`from`/);
  });
});

describe("redriveDeadLetters with StartMessageMoveTask (fault injection: middleware answering the call)", () => {
  it("starts a move task with the DLQ's and the destination's ARNs and does not touch the messages itself", async () => {
    const { dlq } = await queueWithDlq();
    const elsewhere = await createTestQueue(client, "redrive-task-to");
    const mover = newClient();
    const recorded = recordCommands(mover);
    injectFaults(mover, ({ name }) =>
      name === "StartMessageMoveTaskCommand" ? Promise.resolve({ TaskHandle: "task-123", $metadata: {} }) : undefined,
    );

    const result = await redriveDeadLetters({ client: mover, from: dlq.url, to: elsewhere.url, maxPerSecond: 50 });

    expect(result).toEqual({
      method: "move-task",
      from: dlq.url,
      to: elsewhere.url,
      sourceArn: dlq.arn,
      taskHandle: "task-123",
    });
    const task = recorded.find((c) => c.name === "StartMessageMoveTaskCommand");
    expect(task?.input).toEqual({
      SourceArn: dlq.arn,
      DestinationArn: elsewhere.arn,
      MaxNumberOfMessagesPerSecond: 50,
    });
    expect(recorded.map((c) => c.name)).not.toContain("ReceiveMessageCommand");
  });

  it("lets the task route messages back to their source queues when `to` is not given", async () => {
    const { dlq } = await queueWithDlq();
    const mover = newClient();
    const recorded = recordCommands(mover);
    injectFaults(mover, ({ name }) =>
      name === "StartMessageMoveTaskCommand" ? Promise.resolve({ TaskHandle: "task-9", $metadata: {} }) : undefined,
    );

    const result = await redriveDeadLetters({ client: mover, from: dlq.url });

    expect(result).toMatchObject({ method: "move-task", to: undefined, taskHandle: "task-9" });
    expect(recorded.find((c) => c.name === "StartMessageMoveTaskCommand")?.input).toEqual({ SourceArn: dlq.arn });
  });

  it("surfaces a move-task refusal (AccessDenied) instead of falling back to the loop", async () => {
    const { dlq } = await queueWithDlq();
    await sendTestMessages(client, dlq.url, [{ MessageBody: "x" }]);
    const mover = newClient();
    injectFaults(mover, ({ name }) =>
      name === "StartMessageMoveTaskCommand" ? Promise.reject(awsServiceError("AccessDenied", 403)) : undefined,
    );

    const error = await redriveDeadLetters({ client: mover, from: dlq.url }).catch((err: unknown) => err);

    expect(error).toBeInstanceOf(SqsAdapterError);
    expect((error as SqsAdapterError).aws?.name).toBe("AccessDenied");
    expect(await depth(dlq.url)).toEqual({ visible: 1, inFlight: 0 });
  });
});
