import { Duration, Stack } from "aws-cdk-lib";
import * as kms from "aws-cdk-lib/aws-kms";
import * as sns from "aws-cdk-lib/aws-sns";
import * as subscriptions from "aws-cdk-lib/aws-sns-subscriptions";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { QUEUE_NAMES, type QueueName } from "../../src/backends/Backend.js";
import { queueVisibilitySeconds } from "../../src/backends/queueSettings.js";
import { pipelineConfig } from "../../src/config.js";
import type { PaymentProcessorKind } from "./processorKind.js";

/** Props of {@link OrderMessaging}. */
export interface OrderMessagingProps {
  /** Prepended to every name (as the app's `createPipelineResources` does). */
  readonly prefix: string;
  /** Who consumes payment orders: it sets the payment queue's visibility timeout, and `lambda-sns` bypasses it. */
  readonly processor: PaymentProcessorKind;
}

/** One consumer's queue and the DLQ its redrive policy moves poison messages to. */
export interface ConsumerQueue {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
}

/**
 * The fan-out: the orders topic and one queue per consumer subscribed to it, each with a DLQ. Names, the
 * redrive's maxReceiveCount and the visibility timeouts come from `pipelineConfig` / `queueVisibilitySeconds`,
 * the same functions the app's local and memory backends use, so the deployed queues behave as tested.
 */
export class OrderMessaging extends Construct {
  readonly topic: sns.Topic;
  readonly queues: Readonly<Record<QueueName, ConsumerQueue>>;

  constructor(scope: Construct, id: string, props: OrderMessagingProps) {
    super(scope, id);
    const { prefix, processor } = props;

    // SSE with the AWS managed key aws/sns: no key to pay for, and principals of this account that may publish
    // need no kms: permission of their own (the key policy admits them through SNS).
    this.topic = new sns.Topic(this, "OrdersTopic", {
      topicName: prefix + pipelineConfig.topicName,
      masterKey: kms.Alias.fromAliasName(this, "SnsManagedKey", "alias/aws/sns"),
      enforceSSL: true,
    });

    const queues = {} as Record<QueueName, ConsumerQueue>;
    for (const name of QUEUE_NAMES) {
      queues[name] = this.#consumerQueue(name, prefix, processor);
    }
    this.queues = queues;
  }

  #consumerQueue(name: QueueName, prefix: string, processor: PaymentProcessorKind): ConsumerQueue {
    const queueName = prefix + pipelineConfig.queues[name];
    const deadLetterName = queueName + pipelineConfig.deadLetterSuffix;
    const id = name[0]!.toUpperCase() + name.slice(1);
    const deadLetterQueue = new sqs.Queue(this, `${id}DeadLetterQueue`, {
      queueName: deadLetterName,
      // Dead letters wait for an operator as long as SQS keeps anything (14 days).
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Only this consumer's queue may redrive into it. Its ARN is built from the known name, because
      // referencing the queue itself would make the two queues depend on each other.
      redriveAllowPolicy: {
        redrivePermission: sqs.RedrivePermission.BY_QUEUE,
        sourceQueues: [
          sqs.Queue.fromQueueArn(
            this,
            `${id}SourceQueueRef`,
            Stack.of(this).formatArn({ service: "sqs", resource: queueName }),
          ),
        ],
      },
    });
    const queue = new sqs.Queue(this, `${id}Queue`, {
      queueName,
      visibilityTimeout: Duration.seconds(queueVisibilitySeconds(name, processor === "ecs" ? "ecs" : "lambda")),
      // Long polling by default: a receive waits up to 20 s for a message instead of returning empty.
      receiveMessageWaitTime: Duration.seconds(20),
      // SSE-SQS, not a KMS key: SNS can deliver to it without a key policy, and it costs nothing.
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: pipelineConfig.maxReceiveCount },
    });
    // The SNS-triggered variant takes payment orders from the topic directly: a subscribed payment queue
    // would fill with messages nobody reads.
    if (!(name === "payment" && processor === "lambda-sns")) {
      // The subscription also writes the queue policy: sqs:SendMessage for sns.amazonaws.com, only when the
      // source is this topic. Raw delivery: the consumers decode the body as is (they would also unwrap an
      // SNS envelope), and it saves the envelope's ~1 KB per message.
      this.topic.addSubscription(new subscriptions.SqsSubscription(queue, { rawMessageDelivery: true }));
    }
    return { queue, deadLetterQueue };
  }
}
