import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { normalizeAwsError } from "@resilient-jobs/sqs-adapter";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningPeer, startSqsPeer } from "../../../test-support/peers.js";
import { seededRandom } from "../src/random.js";
import { startFaultProxy } from "./faultProxy.js";

let peer: RunningPeer;
let direct: SQSClient;

beforeAll(async () => {
  peer = await startSqsPeer();
  direct = new SQSClient(peer.clientConfig);
});

afterAll(async () => {
  direct.destroy();
  await peer.stop();
});

async function newQueue(name: string, visibilitySeconds = 30): Promise<string> {
  const out = await direct.send(
    new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: String(visibilitySeconds) } }),
  );
  return out.QueueUrl!;
}

function clientThrough(url: string): SQSClient {
  // One attempt: the test sees each injected error instead of the SDK's retries hiding it.
  return new SQSClient({ ...peer.clientConfig, endpoint: url, maxAttempts: 1, useQueueUrlAsEndpoint: false });
}

async function visibleCount(queueUrl: string): Promise<{ visible: number; inFlight: number }> {
  const { Attributes = {} } = await direct.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  return {
    visible: Number(Attributes.ApproximateNumberOfMessages),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible),
  };
}

describe("fault proxy", () => {
  it("forwards calls unchanged when no fault is configured", async () => {
    const queueUrl = await newQueue("proxy-pass");
    const proxy = await startFaultProxy({ upstream: peer.endpoint });
    const client = clientThrough(proxy.url);
    try {
      await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "hello" }));
      const out = await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }));
      expect(out.Messages?.map((m) => m.Body)).toEqual(["hello"]);
      expect(proxy.stats().calls).toMatchObject({ SendMessage: 1, ReceiveMessage: 1 });
    } finally {
      client.destroy();
      await proxy.close();
    }
  });

  it("answers faulted calls with 500 InternalError or 400 ThrottlingException, both retryable for the SDK (fault injection)", async () => {
    const queueUrl = await newQueue("proxy-errors");
    const proxy = await startFaultProxy({
      upstream: peer.endpoint,
      errorRate: 1,
      lostResponseShare: 0,
      random: seededRandom(7),
    });
    const client = clientThrough(proxy.url);
    const names = new Set<string>();
    try {
      for (let i = 0; i < 20; i++) {
        const error = await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: `m${i}` })).then(
          () => undefined,
          (err: unknown) => err,
        );
        const normalized = normalizeAwsError(error);
        expect(normalized.retryable).toBe(true);
        names.add(`${normalized.name}/${normalized.httpStatus}`);
      }
      expect([...names].sort()).toEqual(["InternalError/500", "Throttling/400"]);
      // Refused calls never reached the emulator.
      expect(await visibleCount(queueUrl)).toEqual({ visible: 0, inFlight: 0 });
      expect(proxy.stats().refused).toBe(20);
    } finally {
      client.destroy();
      await proxy.close();
    }
  });

  it("a lost ReceiveMessage answer leaves its messages in flight until their visibility timeout", async () => {
    const queueUrl = await newQueue("proxy-lost", 1);
    await direct.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "lost" }));
    const proxy = await startFaultProxy({
      upstream: peer.endpoint,
      errorRate: 1,
      lostResponseShare: 1,
      operations: ["ReceiveMessage"],
    });
    const client = clientThrough(proxy.url);
    try {
      await expect(
        client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 })),
      ).rejects.toThrow();
      expect(await visibleCount(queueUrl)).toEqual({ visible: 0, inFlight: 1 });
      expect(proxy.stats()).toMatchObject({ lostResponses: 1, messagesInLostReceives: 1 });

      proxy.setEnabled(false);
      const again = await client.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 3, MessageSystemAttributeNames: ["All"] }),
      );
      expect(again.Messages?.[0]?.Body).toBe("lost");
      expect(again.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe("2");
    } finally {
      client.destroy();
      await proxy.close();
    }
  });

  it("delivers a received message a second time, with its body and attributes, when duplicating", async () => {
    const queueUrl = await newQueue("proxy-dup");
    await direct.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: "twice",
        MessageAttributes: { correlationId: { DataType: "String", StringValue: "order-1" } },
      }),
    );
    const proxy = await startFaultProxy({ upstream: peer.endpoint, duplicateRate: 1 });
    const client = clientThrough(proxy.url);
    try {
      const first = await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }));
      proxy.setEnabled(false);
      const second = await client.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 2, MessageAttributeNames: ["All"] }),
      );
      expect(first.Messages?.[0]?.Body).toBe("twice");
      expect(second.Messages?.[0]?.Body).toBe("twice");
      expect(second.Messages?.[0]?.MessageId).not.toBe(first.Messages?.[0]?.MessageId);
      expect(second.Messages?.[0]?.MessageAttributes?.correlationId?.StringValue).toBe("order-1");
      expect(proxy.stats().duplicatesSent).toBe(1);
    } finally {
      client.destroy();
      await proxy.close();
    }
  });
});
