import type { CfnElement } from "aws-cdk-lib";
import { Match } from "aws-cdk-lib/assertions";
import type { IRole } from "aws-cdk-lib/aws-iam";
import { describe, expect, it } from "vitest";
import { RESOURCE_ENV } from "../src/backends/awsResources.js";
import { pipelineConfig } from "../src/config.js";
import { OUTPUT_KEYS, PIPELINE_ENV } from "./outputs.js";
import { processorScaling } from "./processorSizing.js";
import { describeCommonInvariants } from "./testing/commonInvariants.js";
import { describeSecurityInvariants } from "./testing/securityInvariants.js";
import { actionsOfRole, resourcesOf, synthesizeOnce } from "./testing/synthPipeline.js";

// The default deployment: the processor service on Fargate consumes all three queues.
const pipeline = synthesizeOnce("ecs");

describeCommonInvariants(pipeline);
describeSecurityInvariants(pipeline);

describe("OrderPipelineStack with the ECS processor", () => {
  it("gives the worker queues the config's visibility timeout and long polling", () => {
    const { template } = pipeline();
    for (const name of Object.values(pipelineConfig.queues)) {
      template.hasResourceProperties("AWS::SQS::Queue", {
        QueueName: name,
        VisibilityTimeout: pipelineConfig.visibilityTimeoutSeconds,
        ReceiveMessageWaitTimeSeconds: 20,
      });
    }
  });

  it("subscribes all three queues to the orders topic", () => {
    const { template, stack } = pipeline();
    const topic = stack.resolve(stack.messaging.topic.topicArn);
    for (const consumer of Object.values(stack.messaging.queues)) {
      template.hasResourceProperties("AWS::SNS::Subscription", {
        Protocol: "sqs",
        TopicArn: topic,
        Endpoint: stack.resolve(consumer.queue.queueArn),
      });
    }
    expect(Object.keys(resourcesOf(template, "AWS::Lambda::Function"))).toHaveLength(0);
  });

  it("scales the processor on payment backlog per task, up to the study's workers >= arrival x service time", () => {
    const { template, stack } = pipeline();
    const scaling = processorScaling("ecs");
    // 51 orders/s x 3 s = 153 workers; 20 per task -> 8 tasks. 20 workers x 30 s / 3 s = 200 messages per task.
    expect(scaling).toMatchObject({ workersNeeded: 153, maxTasks: 8, backlogPerTaskTarget: 200 });
    template.hasResourceProperties("AWS::ApplicationAutoScaling::ScalableTarget", {
      MinCapacity: 1,
      MaxCapacity: scaling.maxTasks,
      ScalableDimension: "ecs:service:DesiredCount",
    });
    template.hasResourceProperties("AWS::ApplicationAutoScaling::ScalingPolicy", {
      PolicyType: "TargetTrackingScaling",
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        TargetValue: scaling.backlogPerTaskTarget,
        CustomizedMetricSpecification: {
          Metrics: Match.arrayWith([
            Match.objectLike({
              Id: "visible",
              MetricStat: Match.objectLike({
                Metric: Match.objectLike({
                  MetricName: "ApproximateNumberOfMessagesVisible",
                  Dimensions: [
                    { Name: "QueueName", Value: stack.resolve(stack.messaging.queues.payment.queue.queueName) },
                  ],
                }),
              }),
            }),
            Match.objectLike({
              Id: "tasks",
              MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: "RunningTaskCount" }) }),
            }),
            Match.objectLike({
              Id: "backlogPerTask",
              Expression: Match.stringLikeRegexp("visible / .*tasks"),
              ReturnData: true,
            }),
          ]),
        },
      }),
    });
  });

  it("tells the processor container how many payment workers to run and that it owns the payment queue", () => {
    const { template } = pipeline();
    template.hasResourceProperties("AWS::ECS::TaskDefinition", {
      ContainerDefinitions: [
        Match.objectLike({
          Command: ["processor.mjs"],
          Environment: Match.arrayWith([
            { Name: "ORDERS_PROCESSOR", Value: "ecs" },
            { Name: "ORDERS_PAYMENT_WORKERS", Value: String(processorScaling("ecs").workersPerTask) },
          ]),
        }),
      ],
    });
  });

  it("gives both containers the resource variables the app's aws backend reads", () => {
    expect(PIPELINE_ENV).toEqual(RESOURCE_ENV);
    const { template } = pipeline();
    const names = [
      PIPELINE_ENV.topicArn,
      ...Object.values(PIPELINE_ENV.queueUrls),
      PIPELINE_ENV.ordersTable,
      PIPELINE_ENV.idempotencyTable,
      "AWS_REGION",
    ];
    for (const task of Object.values(resourcesOf(template, "AWS::ECS::TaskDefinition"))) {
      const [container] = task.Properties.ContainerDefinitions as { Environment: { Name: string }[] }[];
      expect(container!.Environment.map((e) => e.Name)).toEqual(expect.arrayContaining(names));
    }
  });

  it("lets the API publish and the processor consume, and neither do the other's job", () => {
    const { stack, template } = pipeline();
    const roleId = (role: IRole) => stack.getLogicalId(role.node.defaultChild as CfnElement);
    const api = actionsOfRole(template, roleId(stack.services.api.taskDefinition.taskRole));
    const processor = actionsOfRole(template, roleId(stack.services.processor.taskDefinition.taskRole));
    expect(api).toContain("sns:Publish");
    expect(api).not.toContain("sqs:ReceiveMessage");
    expect(processor).toEqual(
      expect.arrayContaining(["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"]),
    );
    expect(processor).not.toContain("sns:Publish");
    expect([...api, ...processor]).not.toContain("dynamodb:Scan");
  });

  it("lets the processor send a poison message to each queue's DLQ, and to nothing else", () => {
    const { stack, template } = pipeline();
    const processorRole = stack.resolve(stack.services.processor.taskDefinition.taskRole.roleName);
    const sendStatements = Object.values(resourcesOf(template, "AWS::IAM::Policy"))
      .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(JSON.stringify(processorRole)))
      .flatMap(
        (policy) =>
          (policy.Properties.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] }).Statement,
      )
      .filter((statement) => JSON.stringify(statement.Action).includes("sqs:SendMessage"));
    const allowed = JSON.stringify(sendStatements.map((statement) => statement.Resource));
    for (const consumer of Object.values(stack.messaging.queues)) {
      expect(allowed).toContain(JSON.stringify(stack.resolve(consumer.deadLetterQueue.queueArn)));
      expect(allowed).not.toContain(JSON.stringify(stack.resolve(consumer.queue.queueArn)));
    }
  });

  it("alarms on the age of the oldest message in each consumed queue", () => {
    const { template, stack } = pipeline();
    for (const consumer of Object.values(stack.messaging.queues)) {
      template.hasResourceProperties("AWS::CloudWatch::Alarm", {
        MetricName: "ApproximateAgeOfOldestMessage",
        Dimensions: [{ Name: "QueueName", Value: stack.resolve(consumer.queue.queueName) }],
        ComparisonOperator: "GreaterThanThreshold",
      });
    }
  });

  it("puts the API behind a public load balancer that checks /health and drains for the stop timeout", () => {
    const { template } = pipeline();
    template.hasResourceProperties("AWS::ElasticLoadBalancingV2::TargetGroup", {
      HealthCheckPath: "/health",
      TargetGroupAttributes: Match.arrayWith([
        { Key: "deregistration_delay.timeout_seconds", Value: String(pipelineConfig.ecsStopTimeoutSeconds) },
      ]),
    });
    template.hasResourceProperties("AWS::ElasticLoadBalancingV2::LoadBalancer", { Scheme: "internet-facing" });
    expect(Object.keys(resourcesOf(template, "AWS::EC2::NatGateway"))).toHaveLength(0);
  });

  it("outputs every key the app's outputs reader looks up", () => {
    const outputs = pipeline().template.toJSON().Outputs as Record<string, unknown>;
    const keys = Object.values(OUTPUT_KEYS).flatMap((value) =>
      typeof value === "string" ? [value] : Object.values(value),
    );
    for (const key of keys) expect(outputs, key).toHaveProperty(key);
  });
});
