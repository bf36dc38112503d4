import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { GetSubscriptionAttributesCommand, ListSubscriptionsByTopicCommand, SNSClient } from "@aws-sdk/client-sns";
import { GetQueueAttributesCommand, ListQueuesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningPeer, startDynamoPeer, startSqsPeer } from "../../../../test-support/peers.js";
import { pipelineConfig } from "../config.js";
import { type AwsClients, createPipelineResources, deletePipelineResources } from "./awsResources.js";

let sqsPeer: RunningPeer;
let dynamoPeer: RunningPeer;
let clients: AwsClients;

beforeAll(async () => {
  [sqsPeer, dynamoPeer] = await Promise.all([startSqsPeer(), startDynamoPeer()]);
  clients = {
    sqs: new SQSClient(sqsPeer.clientConfig),
    sns: new SNSClient(sqsPeer.clientConfig),
    dynamo: new DynamoDBClient(dynamoPeer.clientConfig),
  };
});
afterAll(async () => {
  clients?.sqs.destroy();
  clients?.sns.destroy();
  clients?.dynamo.destroy();
  await Promise.all([sqsPeer?.stop(), dynamoPeer?.stop()]);
});

describe("pipeline resources", () => {
  it("creates the topic, each queue with its DLQ redrive policy and subscription, and the tables; a second create changes nothing", async () => {
    const created = await createPipelineResources(clients, { prefix: "t1-", visibilitySeconds: { payment: 7 } });
    const again = await createPipelineResources(clients, { prefix: "t1-", visibilitySeconds: { payment: 7 } });

    expect(again).toEqual(created);
    const { Attributes } = await clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: created.queueUrls.payment, AttributeNames: ["All"] }),
    );
    expect(Attributes?.VisibilityTimeout).toBe("7");
    expect(JSON.parse(Attributes?.RedrivePolicy ?? "{}")).toEqual({
      deadLetterTargetArn: expect.stringMatching(/:t1-orders-payment-dlq$/),
      maxReceiveCount: pipelineConfig.maxReceiveCount,
    });
    const { Subscriptions = [] } = await clients.sns.send(
      new ListSubscriptionsByTopicCommand({ TopicArn: created.topicArn }),
    );
    const endpoints = await Promise.all(
      Subscriptions.map(async (subscription) => {
        const out = await clients.sns.send(
          new GetSubscriptionAttributesCommand({ SubscriptionArn: subscription.SubscriptionArn }),
        );
        return out.Attributes?.Endpoint;
      }),
    );
    expect(endpoints.sort()).toEqual([
      expect.stringMatching(/:t1-orders-inventory$/),
      expect.stringMatching(/:t1-orders-notification$/),
      expect.stringMatching(/:t1-orders-payment$/),
    ]);
    const { TableNames } = await clients.dynamo.send(new ListTablesCommand({}));
    expect(TableNames).toEqual(expect.arrayContaining(["t1-orders", "t1-orders-idempotency"]));
  });

  it("deletes everything it created", async () => {
    await createPipelineResources(clients, { prefix: "t2-" });

    const deleted = await deletePipelineResources(clients, { prefix: "t2-" });

    expect(deleted).toHaveLength(1 + 6 + 2);
    const { QueueUrls = [] } = await clients.sqs.send(new ListQueuesCommand({ QueueNamePrefix: "t2-" }));
    expect(QueueUrls).toEqual([]);
    const { TableNames = [] } = await clients.dynamo.send(new ListTablesCommand({}));
    expect(TableNames.filter((name) => name.startsWith("t2-"))).toEqual([]);
  });
});
