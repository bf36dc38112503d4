import type { CfnElement } from "aws-cdk-lib";
import { Match } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { pipelineConfig } from "../src/config.js";
import { SNS_FUNCTION_RETRY_ATTEMPTS } from "./constructs/PaymentFunctions.js";
import { describeCommonInvariants } from "./testing/commonInvariants.js";
import { describeSecurityInvariants } from "./testing/securityInvariants.js";
import { resourcesOf, synthesizeOnce } from "./testing/synthPipeline.js";

// `-c processor=lambda-sns`: the study's first serverless design, the function subscribed to the topic itself.
const pipeline = synthesizeOnce("lambda-sns");

describeCommonInvariants(pipeline);
describeSecurityInvariants(pipeline);

describe("OrderPipelineStack with the SNS-triggered payment function", () => {
  it("subscribes the function to the orders topic and lets only that topic invoke it", () => {
    const { template, stack } = pipeline();
    const topic = stack.resolve(stack.messaging.topic.topicArn);
    const fn = stack.resolve(stack.payments!.function.functionArn);
    template.hasResourceProperties("AWS::SNS::Subscription", { Protocol: "lambda", TopicArn: topic, Endpoint: fn });
    template.hasResourceProperties("AWS::Lambda::Permission", {
      Action: "lambda:InvokeFunction",
      Principal: "sns.amazonaws.com",
      SourceArn: topic,
    });
    template.hasResourceProperties("AWS::Lambda::Function", { Handler: "snsPayment.handler" });
    template.resourceCountIs("AWS::Lambda::EventSourceMapping", 0);
  });

  it("sends events Lambda gave up on, after two retries, to an encrypted on-failure queue that is alarmed", () => {
    const { template, stack } = pipeline();
    const failureQueue = stack.payments!.failureQueue!;
    template.hasResourceProperties("AWS::Lambda::EventInvokeConfig", {
      MaximumRetryAttempts: SNS_FUNCTION_RETRY_ATTEMPTS,
      DestinationConfig: { OnFailure: { Destination: stack.resolve(failureQueue.queueArn) } },
    });
    template.hasResourceProperties("AWS::SQS::Queue", {
      QueueName: `${pipelineConfig.queues.payment}-sns-failures`,
      SqsManagedSseEnabled: true,
    });
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      MetricName: "ApproximateNumberOfMessagesVisible",
      Dimensions: [{ Name: "QueueName", Value: stack.resolve(failureQueue.queueName) }],
      Threshold: 0,
    });
  });

  it("does not subscribe the payment queue, which nobody would read", () => {
    const { template, stack } = pipeline();
    const payment = stack.resolve(stack.messaging.queues.payment.queue.queueArn);
    const endpoints = Object.values(resourcesOf(template, "AWS::SNS::Subscription")).map((s) => s.Properties.Endpoint);
    expect(endpoints).not.toContainEqual(payment);
    const paymentId = stack.getLogicalId(stack.messaging.queues.payment.queue.node.defaultChild as CfnElement);
    // Its queue policy only denies plain HTTP: no statement lets SNS (or anyone) send to it.
    const policies = Object.values(resourcesOf(template, "AWS::SQS::QueuePolicy")).filter(
      (p) => JSON.stringify(p.Properties.Queues) === JSON.stringify([{ Ref: paymentId }]),
    );
    const statements = policies.flatMap(
      (p) => (p.Properties.PolicyDocument as { Statement: { Effect: string }[] }).Statement,
    );
    expect(statements.length).toBeGreaterThan(0);
    expect(statements.filter((statement) => statement.Effect === "Allow")).toEqual([]);
  });

  it("grants the function sqs:SendMessage on the failure queue only", () => {
    const { template, stack } = pipeline();
    template.hasResourceProperties("AWS::IAM::Policy", {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: Match.arrayWith(["sqs:SendMessage"]),
            Resource: stack.resolve(stack.payments!.failureQueue!.queueArn),
          }),
        ]),
      },
    });
  });
});
