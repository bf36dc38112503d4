import type * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as sqs from "aws-cdk-lib/aws-sqs";

/**
 * Least-privilege grants, one per thing the app does, each naming exactly the API calls the SDK's adapters
 * make (the CDK's `grantReadWriteData`-style helpers add calls the app never makes, such as Scan or BatchWrite).
 */

/**
 * `DynamoDBIdempotencyStore`: one conditional PutItem to claim, GetItem, UpdateItem to complete, DeleteItem to
 * release, and DescribeTable, which its `check()` calls once before the first use (and a consumer's `checks`
 * before resuming after a store failure) to say clearly when the table is missing or keyed differently.
 */
export function grantIdempotencyStore(grantee: iam.IGrantable, table: dynamodb.ITable): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: [
        "dynamodb:DescribeTable",
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
      ],
      resources: [table.tableArn],
    }),
  );
}

/**
 * `DynamoOrderStore` in the services: PutItem (the API creates orders), GetItem and UpdateItem (conditional
 * status changes). Not Scan: only the operator's tools count orders by status, with the operator's credentials.
 */
export function grantOrderStore(grantee: iam.IGrantable, table: dynamodb.ITable): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
      resources: [table.tableArn],
    }),
  );
}

/**
 * `SqsSource` consuming a queue: receive, batch delete (DeleteMessage), visibility changes for heartbeats and
 * retries (ChangeMessageVisibility), and GetQueueAttributes, read once at start. With its dead-letter queue,
 * also what `SqsSource.deadLetter` needs to move a poison message there at once with its reason: GetQueueUrl
 * (resolved once from the RedrivePolicy's ARN) and SendMessage, on that DLQ only.
 */
export function grantConsumeQueue(grantee: iam.IGrantable, queue: sqs.IQueue, deadLetterQueue?: sqs.IQueue): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"],
      resources: [queue.queueArn],
    }),
  );
  if (deadLetterQueue === undefined) return;
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ["sqs:GetQueueUrl", "sqs:SendMessage"],
      resources: [deadLetterQueue.queueArn],
    }),
  );
}

/**
 * Reading queue depths (`getQueueStats`, and the VisibilityTimeout every `SqsSource` reads at start): only
 * GetQueueAttributes, on the queues and their DLQs.
 */
export function grantQueueStats(grantee: iam.IGrantable, queues: readonly sqs.IQueue[]): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ["sqs:GetQueueAttributes"], resources: queues.map((queue) => queue.queueArn) }),
  );
}
