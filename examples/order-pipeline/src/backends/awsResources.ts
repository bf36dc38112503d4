/**
 * Creates and deletes the pipeline's resources with the AWS SDK: the orders topic, one queue per consumer
 * with its DLQ (RedrivePolicy), the subscriptions, the order table and the idempotency table. The `local`
 * backend runs it against the emulators at every start; `src/scripts/aws-resources.ts` runs it on a real
 * account. A deployed stack (CDK) declares the same names and settings from `pipelineConfig`.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DeleteTableCommand } from "@aws-sdk/client-dynamodb";
import {
  CreateTopicCommand,
  DeleteTopicCommand,
  ListSubscriptionsByTopicCommand,
  type SNSClient,
  SubscribeCommand,
  UnsubscribeCommand,
} from "@aws-sdk/client-sns";
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SetQueueAttributesCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { createIdempotencyTable } from "@resilient-jobs/core/dynamodb";
import { pipelineConfig } from "../config.js";
import { createOrdersTable } from "../orders/DynamoOrderStore.js";
import { QUEUE_NAMES, type QueueName } from "./Backend.js";

/** The SDK clients the resources are created with. */
export interface AwsClients {
  readonly sqs: SQSClient;
  readonly sns: SNSClient;
  readonly dynamo: DynamoDBClient;
}

/** Where the pipeline's resources are: what the `aws` backend reads from the environment. */
export interface PipelineResources {
  readonly topicArn: string;
  readonly queueUrls: Readonly<Record<QueueName, string>>;
  readonly ordersTable: string;
  readonly idempotencyTable: string;
}

/** Options of {@link createPipelineResources}. */
export interface CreateResourcesOptions {
  /** Prepended to every name, so several stacks can share an account. @defaultValue `""` */
  prefix?: string;
  /** Visibility timeout of each queue, in seconds. @defaultValue `pipelineConfig.visibilityTimeoutSeconds` */
  visibilitySeconds?: Partial<Record<QueueName, number>>;
}

/** The environment variables of the `aws` backend, by resource. */
export const RESOURCE_ENV = Object.freeze({
  topicArn: "ORDERS_TOPIC_ARN",
  queueUrls: Object.freeze({
    payment: "ORDERS_PAYMENT_QUEUE_URL",
    inventory: "ORDERS_INVENTORY_QUEUE_URL",
    notification: "ORDERS_NOTIFICATION_QUEUE_URL",
  }),
  ordersTable: "ORDERS_TABLE",
  idempotencyTable: "ORDERS_IDEMPOTENCY_TABLE",
});

/**
 * Creates every resource that does not exist yet (each call is idempotent: CreateTopic, CreateQueue and
 * Subscribe return the existing one) and returns where they are.
 */
export async function createPipelineResources(
  clients: AwsClients,
  options: CreateResourcesOptions = {},
): Promise<PipelineResources> {
  const prefix = options.prefix ?? "";
  const { TopicArn: topicArn } = await clients.sns.send(
    new CreateTopicCommand({ Name: prefix + pipelineConfig.topicName }),
  );
  if (!topicArn) throw new Error("CreateTopic returned no TopicArn");
  const queueUrls = {} as Record<QueueName, string>;
  await Promise.all(
    QUEUE_NAMES.map(async (name) => {
      const visibility = options.visibilitySeconds?.[name] ?? pipelineConfig.visibilityTimeoutSeconds;
      queueUrls[name] = await createQueueWithDlq(clients, topicArn, prefix + pipelineConfig.queues[name], visibility);
    }),
  );
  const ordersTable = prefix + pipelineConfig.tables.orders;
  const idempotencyTable = prefix + pipelineConfig.tables.idempotency;
  await Promise.all([
    createOrdersTable(clients.dynamo, ordersTable),
    createIdempotencyTable(clients.dynamo, idempotencyTable),
  ]);
  return { topicArn, queueUrls, ordersTable, idempotencyTable };
}

async function createQueueWithDlq(
  clients: AwsClients,
  topicArn: string,
  name: string,
  visibilitySeconds: number,
): Promise<string> {
  const dlqUrl = await createQueue(clients.sqs, name + pipelineConfig.deadLetterSuffix, {
    // Keep dead letters as long as SQS allows (14 days), for an operator to look at and replay.
    MessageRetentionPeriod: String(14 * 24 * 3600),
  });
  const dlqArn = await queueArn(clients.sqs, dlqUrl);
  const url = await createQueue(clients.sqs, name, {
    VisibilityTimeout: String(visibilitySeconds),
    ReceiveMessageWaitTimeSeconds: "20",
    RedrivePolicy: JSON.stringify({
      deadLetterTargetArn: dlqArn,
      maxReceiveCount: pipelineConfig.maxReceiveCount,
    }),
  });
  const arn = await queueArn(clients.sqs, url);
  // On AWS the topic may deliver to the queue only if the queue's policy allows it (the emulator does not check).
  await clients.sqs.send(
    new SetQueueAttributesCommand({
      QueueUrl: url,
      Attributes: {
        Policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { Service: "sns.amazonaws.com" },
              Action: "sqs:SendMessage",
              Resource: arn,
              Condition: { ArnEquals: { "aws:SourceArn": topicArn } },
            },
          ],
        }),
      },
    }),
  );
  await clients.sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: "sqs", Endpoint: arn }));
  return url;
}

async function createQueue(sqs: SQSClient, name: string, attributes: Record<string, string>): Promise<string> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  if (!QueueUrl) throw new Error(`CreateQueue returned no QueueUrl for ${name}`);
  return QueueUrl;
}

async function queueArn(sqs: SQSClient, queueUrl: string): Promise<string> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }),
  );
  if (!Attributes?.QueueArn) throw new Error(`GetQueueAttributes returned no QueueArn for ${queueUrl}`);
  return Attributes.QueueArn;
}

/** Deletes what {@link createPipelineResources} created with the same prefix; missing resources are skipped. */
export async function deletePipelineResources(
  clients: AwsClients,
  options: { prefix?: string } = {},
): Promise<string[]> {
  const prefix = options.prefix ?? "";
  const deleted: string[] = [];
  const { TopicArn: topicArn } = await clients.sns.send(
    new CreateTopicCommand({ Name: prefix + pipelineConfig.topicName }),
  );
  if (topicArn) {
    const { Subscriptions = [] } = await clients.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
    for (const subscription of Subscriptions) {
      if (subscription.SubscriptionArn?.startsWith("arn:")) {
        await clients.sns.send(new UnsubscribeCommand({ SubscriptionArn: subscription.SubscriptionArn }));
      }
    }
    await clients.sns.send(new DeleteTopicCommand({ TopicArn: topicArn }));
    deleted.push(topicArn);
  }
  for (const name of QUEUE_NAMES) {
    for (const queueName of [
      prefix + pipelineConfig.queues[name],
      prefix + pipelineConfig.queues[name] + pipelineConfig.deadLetterSuffix,
    ]) {
      const url = await clients.sqs.send(new GetQueueUrlCommand({ QueueName: queueName })).then(
        (out) => out.QueueUrl,
        (err: Error) => {
          if (err.name === "QueueDoesNotExist" || err.name.includes("NonExistentQueue")) return undefined;
          throw err;
        },
      );
      if (url) {
        await clients.sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
        deleted.push(url);
      }
    }
  }
  for (const table of [prefix + pipelineConfig.tables.orders, prefix + pipelineConfig.tables.idempotency]) {
    try {
      await clients.dynamo.send(new DeleteTableCommand({ TableName: table }));
      deleted.push(table);
    } catch (err) {
      if ((err as Error).name !== "ResourceNotFoundException") throw err;
    }
  }
  return deleted;
}

/**
 * Reads the resources of the `aws` backend from the environment.
 * @throws Error naming every variable that is missing, and how to create the resources.
 */
export function resourcesFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): PipelineResources {
  const missing: string[] = [];
  const read = (name: string): string => {
    const value = env[name];
    if (value === undefined || value === "") missing.push(name);
    return value ?? "";
  };
  const resources: PipelineResources = {
    topicArn: read(RESOURCE_ENV.topicArn),
    queueUrls: {
      payment: read(RESOURCE_ENV.queueUrls.payment),
      inventory: read(RESOURCE_ENV.queueUrls.inventory),
      notification: read(RESOURCE_ENV.queueUrls.notification),
    },
    ordersTable: env[RESOURCE_ENV.ordersTable] || pipelineConfig.tables.orders,
    idempotencyTable: env[RESOURCE_ENV.idempotencyTable] || pipelineConfig.tables.idempotency,
  };
  if (missing.length > 0) {
    throw new Error(
      `The aws backend needs ${missing.join(", ")}. Create the resources with ` +
        "`npm run aws-resources -w examples/order-pipeline -- create` and export the variables it prints.",
    );
  }
  return resources;
}

/** The `export NAME=value` lines for a shell, one per resource. */
export function resourcesAsEnv(resources: PipelineResources): string[] {
  return [
    `export ${RESOURCE_ENV.topicArn}=${resources.topicArn}`,
    ...QUEUE_NAMES.map((name) => `export ${RESOURCE_ENV.queueUrls[name]}=${resources.queueUrls[name]}`),
    `export ${RESOURCE_ENV.ordersTable}=${resources.ordersTable}`,
    `export ${RESOURCE_ENV.idempotencyTable}=${resources.idempotencyTable}`,
  ];
}
