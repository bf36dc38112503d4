import type { CfnElement } from "aws-cdk-lib";
import { Match } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { pipelineConfig } from "../src/config.js";
import { PAYMENT_FUNCTION_MEMORY_MB } from "./constructs/PaymentFunctions.js";
import { processorScaling } from "./processorSizing.js";
import { describeCommonInvariants } from "./testing/commonInvariants.js";
import { describeSecurityInvariants } from "./testing/securityInvariants.js";
import { actionsOfRole, resourcesOf, synthesizeOnce } from "./testing/synthPipeline.js";

// `-c processor=lambda`: an SQS event source mapping feeds the payment function; the service keeps the rest.
const pipeline = synthesizeOnce("lambda");

describeCommonInvariants(pipeline);
describeSecurityInvariants(pipeline);

describe("OrderPipelineStack with the Lambda (SQS event source) payment processor", () => {
  it("maps the payment queue to the function with partial batch responses, batch size, window and max concurrency", () => {
    const { template, stack } = pipeline();
    const { batchSize, maximumBatchingWindowSeconds, maximumConcurrency } = pipelineConfig.lambda;
    template.resourceCountIs("AWS::Lambda::EventSourceMapping", 1);
    template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      EventSourceArn: stack.resolve(stack.messaging.queues.payment.queue.queueArn),
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      BatchSize: batchSize,
      MaximumBatchingWindowInSeconds: maximumBatchingWindowSeconds,
      ScalingConfig: { MaximumConcurrency: maximumConcurrency },
    });
  });

  it("keeps the payment queue's visibility timeout at least six times the function timeout", () => {
    const { template, stack } = pipeline();
    const [fn] = Object.values(resourcesOf(template, "AWS::Lambda::Function"));
    const paymentId = stack.getLogicalId(stack.messaging.queues.payment.queue.node.defaultChild as CfnElement);
    const queue = resourcesOf(template, "AWS::SQS::Queue")[paymentId];
    expect(fn?.Properties.Timeout).toBe(pipelineConfig.lambda.timeoutSeconds);
    expect(queue?.Properties.VisibilityTimeout).toBe(pipelineConfig.lambda.queueVisibilityTimeoutSeconds);
    expect(queue?.Properties.VisibilityTimeout as number).toBeGreaterThanOrEqual(
      6 * (fn?.Properties.Timeout as number),
    );
  });

  it("runs the function on Node.js 24, ARM64, with the bundled handler and a small memory size", () => {
    pipeline().template.hasResourceProperties("AWS::Lambda::Function", {
      Runtime: "nodejs24.x",
      Architectures: ["arm64"],
      Handler: "sqsPayment.handler",
      MemorySize: PAYMENT_FUNCTION_MEMORY_MB,
      Environment: {
        Variables: Match.objectLike({ ORDERS_PROCESSOR: "lambda", NODE_OPTIONS: "--enable-source-maps" }),
      },
    });
    const files = Object.values(pipeline().assetManifest.files).map((file) => file.source);
    expect(files.some((source) => source.packaging === "zip")).toBe(true);
  });

  it("leaves the payment queue to the function: the processor service neither receives from it nor scales on it", () => {
    const { template, stack } = pipeline();
    expect(stack.services.processorQueues).toEqual(["inventory", "notification"]);
    const role = stack.services.processor.taskDefinition.taskRole;
    const processorRoleId = stack.getLogicalId(role.node.defaultChild as CfnElement);
    const paymentArn = JSON.stringify(stack.resolve(stack.messaging.queues.payment.queue.queueArn));
    for (const policy of Object.values(resourcesOf(template, "AWS::IAM::Policy"))) {
      if (!(policy.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === processorRoleId)) continue;
      for (const statement of (
        policy.Properties.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] }
      ).Statement) {
        if (JSON.stringify(statement.Action).includes("sqs:ReceiveMessage")) {
          expect(JSON.stringify(statement.Resource)).not.toContain(paymentArn);
        }
      }
    }
    const scaling = processorScaling("lambda");
    expect(scaling.queue).toBe("inventory");
    template.hasResourceProperties("AWS::ApplicationAutoScaling::ScalableTarget", { MaxCapacity: scaling.maxTasks });
  });

  it("gives the function its own role: its log group, the two tables, the mapping's queue calls, nothing else", () => {
    const { template, stack } = pipeline();
    const role = stack.payments!.function.role!;
    const roleId = stack.getLogicalId(role.node.defaultChild as CfnElement);
    const actions = actionsOfRole(template, roleId);
    expect(new Set(actions)).toEqual(
      new Set([
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "dynamodb:DescribeTable",
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "sqs:ReceiveMessage",
        "sqs:ChangeMessageVisibility",
        "sqs:GetQueueUrl",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
      ]),
    );
  });

  it("alarms on function errors", () => {
    pipeline().template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      MetricName: "Errors",
      Namespace: "AWS/Lambda",
      Threshold: 0,
    });
  });
});
