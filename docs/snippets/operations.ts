// docs/operations.md: least-privilege IAM policies for the worker, the API and the Lambda function, the key
// policy statement SNS needs to deliver into a KMS-encrypted queue, and queues created with SSE-SQS / SSE-KMS.
// Run: npm run build && npx node docs/snippets/operations.ts
//   (prints the policies for an example account, then creates the queues on a local emulator, fauxqs, which
//    accepts the encryption attributes but does not enforce KMS).
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";

/** Where the pipeline's resources are. */
export interface PipelineArns {
  readonly account: string;
  readonly region: string;
  readonly topicArn: string;
  /** The queue a worker or function consumes, and its dead-letter queue. */
  readonly queueArn: string;
  readonly deadLetterQueueArn: string;
  readonly ordersTableArn: string;
  readonly idempotencyTableArn: string;
  /** The customer managed key of the queues (SSE-KMS); undefined with SSE-SQS. */
  readonly queueKeyArn: string | undefined;
  /** The customer managed key of the topic; undefined when the topic is not encrypted or uses aws/sns. */
  readonly topicKeyArn: string | undefined;
}

type Statement = { Sid: string; Effect: "Allow"; Action: string[]; Resource: string | string[] } & Record<
  string,
  unknown
>;

const policy = (statements: Array<Statement | undefined>) => ({
  Version: "2012-10-17",
  Statement: statements.filter((statement) => statement !== undefined),
});

/** The idempotency store's four calls: claim (conditional put), read, complete, release. */
const idempotencyStatement = (arns: PipelineArns): Statement => ({
  Sid: "IdempotencyStore",
  Effect: "Allow",
  Action: ["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"],
  Resource: arns.idempotencyTableArn,
});

/** The ECS worker (task role): consume one queue, update orders, idempotency. */
export function workerPolicy(arns: PipelineArns, options: { deadLetterWithReason: boolean }) {
  return policy([
    {
      Sid: "ConsumeQueue",
      Effect: "Allow",
      // GetQueueAttributes: the visibility timeout, read once at start (drop it if you pass visibilityTimeoutMs).
      Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"],
      Resource: arns.queueArn,
    },
    // createSqsSource parks poison itself, with its reason, in the DLQ its RedrivePolicy names (GetQueueUrl finds
    // the URL once); with `deadLetter: false` the redrive policy alone moves messages and this goes.
    options.deadLetterWithReason
      ? {
          Sid: "SendDeadLetters",
          Effect: "Allow",
          Action: ["sqs:SendMessage", "sqs:GetQueueUrl"],
          Resource: arns.deadLetterQueueArn,
        }
      : undefined,
    {
      Sid: "OrderTable",
      Effect: "Allow",
      Action: ["dynamodb:GetItem", "dynamodb:UpdateItem"],
      Resource: arns.ordersTableArn,
    },
    idempotencyStatement(arns),
    arns.queueKeyArn
      ? {
          Sid: "EncryptedQueues",
          Effect: "Allow",
          // Decrypt to receive; GenerateDataKey to send dead letters into a DLQ under the same key.
          Action: options.deadLetterWithReason ? ["kms:Decrypt", "kms:GenerateDataKey"] : ["kms:Decrypt"],
          Resource: arns.queueKeyArn,
        }
      : undefined,
  ]);
}

/** The API (task role): create orders, publish `order.placed`, remember Idempotency-Key headers. */
export function apiPolicy(arns: PipelineArns) {
  return policy([
    { Sid: "PublishOrders", Effect: "Allow", Action: ["sns:Publish"], Resource: arns.topicArn },
    {
      Sid: "OrderTable",
      Effect: "Allow",
      Action: ["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:UpdateItem"],
      Resource: arns.ordersTableArn,
    },
    idempotencyStatement(arns),
    arns.topicKeyArn
      ? {
          Sid: "PublishToEncryptedTopic",
          Effect: "Allow",
          Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
          Resource: arns.topicKeyArn,
        }
      : undefined,
  ]);
}

/**
 * The Lambda function behind an SQS event source mapping (execution role). The mapping polls with these
 * permissions; the function itself calls SQS only to park poison (`sqsDeadLetterQueue`).
 */
export function lambdaPolicy(arns: PipelineArns, functionName: string) {
  return policy([
    {
      Sid: "EventSourceMapping",
      Effect: "Allow",
      Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
      Resource: arns.queueArn,
    },
    { Sid: "SendDeadLetters", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: arns.deadLetterQueueArn },
    {
      Sid: "OrderTable",
      Effect: "Allow",
      Action: ["dynamodb:GetItem", "dynamodb:UpdateItem"],
      Resource: arns.ordersTableArn,
    },
    idempotencyStatement(arns),
    {
      Sid: "OwnLogs",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: `arn:aws:logs:${arns.region}:${arns.account}:log-group:/aws/lambda/${functionName}:*`,
    },
    arns.queueKeyArn
      ? { Sid: "ReadEncryptedMessages", Effect: "Allow", Action: ["kms:Decrypt"], Resource: arns.queueKeyArn }
      : undefined,
  ]);
}

/**
 * The statement to add to the queues' key policy so the topic can deliver into them: SNS encrypts each message
 * it sends with the queue's key. The AWS managed key `aws/sqs` cannot be used here (its policy cannot be edited).
 */
export function snsDeliveryKeyStatement(arns: PipelineArns) {
  return {
    Sid: "AllowOrdersTopicToDeliverToEncryptedQueues",
    Effect: "Allow",
    Principal: { Service: "sns.amazonaws.com" },
    Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
    Resource: "*",
    Condition: { ArnEquals: { "aws:SourceArn": arns.topicArn } },
  };
}

/** Creates a queue encrypted with SQS-owned keys (SSE-SQS) or, given a key, with your KMS key (SSE-KMS). */
export async function createEncryptedQueue(sqs: SQSClient, name: string, kmsKeyArn?: string): Promise<string> {
  const Attributes: Record<string, string> = kmsKeyArn
    ? // A data key is reused for up to 5 minutes: fewer KMS calls (cost, throttling) for a short exposure window.
      { KmsMasterKeyId: kmsKeyArn, KmsDataKeyReusePeriodSeconds: "300" }
    : { SqsManagedSseEnabled: "true" };
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes }));
  if (!QueueUrl) throw new Error(`CreateQueue returned no URL for ${name}`);
  return QueueUrl;
}

const account = "123456789012";
const region = "eu-west-1";
const keyArn = `arn:aws:kms:${region}:${account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const arns: PipelineArns = {
  account,
  region,
  topicArn: `arn:aws:sns:${region}:${account}:orders`,
  queueArn: `arn:aws:sqs:${region}:${account}:orders-payment`,
  deadLetterQueueArn: `arn:aws:sqs:${region}:${account}:orders-payment-dlq`,
  ordersTableArn: `arn:aws:dynamodb:${region}:${account}:table/orders`,
  idempotencyTableArn: `arn:aws:dynamodb:${region}:${account}:table/orders-idempotency`,
  queueKeyArn: keyArn,
  topicKeyArn: undefined,
};

const print = (title: string, value: unknown) =>
  process.stdout.write(`${title}\n${JSON.stringify(value, null, 2)}\n\n`);
print("Worker (ECS task role):", workerPolicy(arns, { deadLetterWithReason: true }));
print("API (ECS task role):", apiPolicy(arns));
print("Lambda execution role:", lambdaPolicy(arns, "order-processor"));
print("Key policy statement for SNS delivery:", snsDeliveryKeyStatement(arns));

// The queues, on a local emulator (fauxqs keeps the attributes; it reports SSE-SQS on as well, AWS would not).
const { buildApp } = await import("fauxqs");
const app = buildApp({ logger: false });
await app.listen({ port: 0, host: "127.0.0.1" });
const { port } = app.server.address() as { port: number };
const sqs = new SQSClient({
  endpoint: `http://127.0.0.1:${port}`,
  region: "us-east-1",
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
});
try {
  for (const [name, key] of [
    ["orders-inventory", undefined],
    ["orders-payment", keyArn],
  ] as const) {
    const url = await createEncryptedQueue(sqs, name, key);
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] }));
    print(`${name}:`, {
      SqsManagedSseEnabled: Attributes?.SqsManagedSseEnabled,
      KmsMasterKeyId: Attributes?.KmsMasterKeyId,
    });
  }
} finally {
  sqs.destroy();
  await app.close();
}
