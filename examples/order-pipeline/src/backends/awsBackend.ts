import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SNSClient } from "@aws-sdk/client-sns";
import type { Logger } from "@resilient-jobs/core";
import { DynamoDBIdempotencyStore } from "@resilient-jobs/core/dynamodb";
import {
  createSnsPublisher,
  createSqsClientFromEnv,
  createSqsSource,
  getQueueStats,
  type SqsSource,
} from "@resilient-jobs/sqs-adapter";
import { traceSnsPublisher } from "@resilient-jobs/sqs-adapter/otel";
import { DynamoOrderStore } from "../orders/DynamoOrderStore.js";
import { tracingEnabled } from "../telemetry/tracing.js";
import { type AwsClients, type PipelineResources, resourcesFromEnv } from "./awsResources.js";
import { type Backend, QUEUE_NAMES, type QueueCounts, type QueueName } from "./Backend.js";

/** Options of {@link connectAwsBackend}. */
export interface AwsBackendOptions {
  readonly name: "local" | "aws";
  readonly clients: AwsClients;
  readonly resources: PipelineResources;
  /** Where the SQS sources report batch retries. */
  readonly logger: Logger;
  /** Called by `close()` after the clients are destroyed (the local backend stops its emulators here). */
  readonly onClose?: () => Promise<void>;
}

/**
 * The pipeline on SQS, SNS and DynamoDB, through the SDK's adapters: an SNS publisher for the topic,
 * `SqsSource`s for the queues (each reads its queue's visibility timeout once), the DynamoDB idempotency
 * store and the order table. The `local` backend is this same code pointed at the emulators.
 */
export async function connectAwsBackend(options: AwsBackendOptions): Promise<Backend> {
  const { clients, resources, logger } = options;
  const untraced = createSnsPublisher({ client: clients.sns, topicArn: resources.topicArn });
  // With tracing on (npm start -- --trace), a PRODUCER span per publish whose context the message carries.
  const publisher = tracingEnabled() ? traceSnsPublisher(untraced) : untraced;
  const sourceList = await Promise.all(
    QUEUE_NAMES.map((name) => createSqsSource({ queueUrl: resources.queueUrls[name], client: clients.sqs, logger })),
  );
  const sources = Object.fromEntries(QUEUE_NAMES.map((name, i) => [name, sourceList[i]])) as Record<
    QueueName,
    SqsSource
  >;

  let published = 0;
  return {
    name: options.name,
    topic: {
      async publish(event) {
        await publisher.publish({ body: event, correlationId: event.orderId });
        published += 1;
      },
      get published() {
        return published;
      },
    },
    sources,
    orders: new DynamoOrderStore({ client: clients.dynamo, tableName: resources.ordersTable }),
    idempotency: new DynamoDBIdempotencyStore({ client: clients.dynamo, tableName: resources.idempotencyTable }),
    async queueCounts() {
      const stats = await Promise.all(
        QUEUE_NAMES.map((name) => getQueueStats(resources.queueUrls[name], { client: clients.sqs })),
      );
      const counts = {} as Record<QueueName, QueueCounts>;
      QUEUE_NAMES.forEach((name, i) => {
        const queue = stats[i]!;
        const dlq = queue.deadLetter;
        counts[name] = {
          visible: queue.visible + queue.delayed,
          inFlight: queue.inFlight,
          deadLettered: dlq ? dlq.visible + dlq.inFlight + dlq.delayed : 0,
        };
      });
      return counts;
    },
    async close() {
      clients.sqs.destroy();
      clients.sns.destroy();
      clients.dynamo.destroy();
      await options.onClose?.();
    },
  };
}

/**
 * The `aws` backend: clients from the standard AWS environment (region, credentials, profile) and the
 * resources named by the `ORDERS_*` variables (see `resourcesFromEnv`).
 */
export function createAwsBackend(options: { logger: Logger; env?: Readonly<Record<string, string | undefined>> }) {
  const resources = resourcesFromEnv(options.env);
  return connectAwsBackend({ name: "aws", clients: createAwsClients(), resources, logger: options.logger });
}

/** SDK clients for the three services, from the standard AWS environment (region, credentials, profile). */
export function createAwsClients(): AwsClients {
  // The SQS client honours AWS_ENDPOINT_URL_SQS (an emulator, a VPC endpoint) the way the adapter documents.
  return { sqs: createSqsClientFromEnv(), sns: new SNSClient({}), dynamo: new DynamoDBClient({}) };
}
