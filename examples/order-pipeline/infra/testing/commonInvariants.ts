/** The checks every processor variant of the stack must pass; each variant's test file runs them once. */
import type { CfnElement } from "aws-cdk-lib";
import { Match } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { pipelineConfig } from "../../src/config.js";
import { resourcesOf, type Statement, type SynthesizedPipeline } from "./synthPipeline.js";

/** Checks every variant of the stack must pass; each variant's test file calls this once. */
export function describeCommonInvariants(pipeline: () => SynthesizedPipeline): void {
  describe("settings every variant shares", () => {
    it("synthesizes well under the 60 s budget (bundle included)", () => {
      expect(pipeline().seconds).toBeLessThan(60);
    });

    it("gives every consumer queue a DLQ with the config's maxReceiveCount, and DLQs keep messages 14 days", () => {
      const queues = resourcesOf(pipeline().template, "AWS::SQS::Queue");
      const deadLetterIds = new Set<string>();
      for (const name of Object.values(pipelineConfig.queues)) {
        const [, queue] = Object.entries(queues).find(([, q]) => q.Properties.QueueName === name) ?? [];
        expect(queue, `queue ${name}`).toBeDefined();
        const redrive = queue!.Properties.RedrivePolicy as {
          deadLetterTargetArn: { "Fn::GetAtt": [string] };
          maxReceiveCount: number;
        };
        expect(redrive.maxReceiveCount).toBe(pipelineConfig.maxReceiveCount);
        const dlqId = redrive.deadLetterTargetArn["Fn::GetAtt"][0];
        deadLetterIds.add(dlqId);
        expect(queues[dlqId]?.Properties.QueueName).toBe(name + pipelineConfig.deadLetterSuffix);
        expect(queues[dlqId]?.Properties.MessageRetentionPeriod).toBe(14 * 24 * 3600);
      }
      // Every queue is a consumer queue with a redrive policy or a dead-letter destination of some kind.
      for (const [id, queue] of Object.entries(queues)) {
        const isDeadLetterDestination =
          deadLetterIds.has(id) || String(queue.Properties.QueueName).endsWith("-failures");
        expect(isDeadLetterDestination || queue.Properties.RedrivePolicy !== undefined, `queue ${id}`).toBe(true);
      }
    });

    it("encrypts every queue, topic and table at rest", () => {
      const { template } = pipeline();
      for (const [id, queue] of Object.entries(resourcesOf(template, "AWS::SQS::Queue"))) {
        expect(
          queue.Properties.SqsManagedSseEnabled === true || queue.Properties.KmsMasterKeyId !== undefined,
          id,
        ).toBe(true);
      }
      for (const [id, topic] of Object.entries(resourcesOf(template, "AWS::SNS::Topic"))) {
        expect(topic.Properties.KmsMasterKeyId, id).toBeDefined();
      }
      for (const [id, table] of Object.entries(resourcesOf(template, "AWS::DynamoDB::Table"))) {
        expect(table.Properties.SSESpecification, id).toEqual({ SSEEnabled: true });
      }
    });

    it("lets only the orders topic send to the queues it feeds, and only over TLS", () => {
      const { template, stack } = pipeline();
      const topicId = stack.resolve(stack.messaging.topic.topicArn) as { Ref: string };
      for (const [id, policy] of Object.entries(resourcesOf(template, "AWS::SQS::QueuePolicy"))) {
        const statements = (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
        const allows = statements.filter((s) => s.Effect === "Allow");
        for (const allow of allows) {
          expect(allow.Principal, id).toEqual({ Service: "sns.amazonaws.com" });
          expect(allow.Action, id).toBe("sqs:SendMessage");
          expect(allow.Condition, id).toEqual({ ArnEquals: { "aws:SourceArn": topicId } });
        }
        expect(
          statements.some((s) => s.Effect === "Deny" && JSON.stringify(s.Condition).includes("aws:SecureTransport")),
          `${id} denies plain HTTP`,
        ).toBe(true);
      }
    });

    it("subscribes the queues with raw delivery", () => {
      const subscriptions = resourcesOf(pipeline().template, "AWS::SNS::Subscription");
      const toQueues = Object.values(subscriptions).filter((s) => s.Properties.Protocol === "sqs");
      expect(toQueues.length).toBeGreaterThanOrEqual(2);
      for (const subscription of toQueues) expect(subscription.Properties.RawMessageDelivery).toBe(true);
    });

    it("creates both tables on demand, with point-in-time recovery, TTL and the keys the stores use", () => {
      const { template } = pipeline();
      const keys = { [pipelineConfig.tables.orders]: "orderId", [pipelineConfig.tables.idempotency]: "id" };
      for (const [tableName, key] of Object.entries(keys)) {
        template.hasResourceProperties("AWS::DynamoDB::Table", {
          TableName: tableName,
          BillingMode: "PAY_PER_REQUEST",
          KeySchema: [{ AttributeName: key, KeyType: "HASH" }],
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          TimeToLiveSpecification: { AttributeName: "expiration", Enabled: true },
        });
      }
    });

    it("runs every task and function on ARM64", () => {
      const { template } = pipeline();
      const tasks = resourcesOf(template, "AWS::ECS::TaskDefinition");
      expect(Object.keys(tasks)).toHaveLength(2);
      for (const task of Object.values(tasks)) {
        expect(task.Properties.RuntimePlatform).toEqual({ CpuArchitecture: "ARM64", OperatingSystemFamily: "LINUX" });
      }
      for (const fn of Object.values(resourcesOf(template, "AWS::Lambda::Function"))) {
        expect(fn.Properties.Architectures).toEqual(["arm64"]);
      }
      const images = Object.values(pipeline().assetManifest.dockerImages);
      expect(images).toHaveLength(1);
      expect(images[0]?.source.platform).toBe("linux/arm64");
    });

    it("sizes both Fargate tasks at the smallest ARM size, 0.25 vCPU and 0.5 GB", () => {
      for (const task of Object.values(resourcesOf(pipeline().template, "AWS::ECS::TaskDefinition"))) {
        expect([task.Properties.Cpu, task.Properties.Memory]).toEqual(["256", "512"]);
      }
    });

    it("gives every container a stop timeout at least the consumer's drain deadline", () => {
      for (const task of Object.values(resourcesOf(pipeline().template, "AWS::ECS::TaskDefinition"))) {
        for (const container of task.Properties.ContainerDefinitions as { StopTimeout: number }[]) {
          expect(container.StopTimeout).toBeGreaterThanOrEqual(pipelineConfig.drainTimeoutMs / 1000);
          expect(container.StopTimeout).toBeLessThanOrEqual(120);
        }
      }
    });

    it("runs the processor on a Spot mix with one on-demand task as its base", () => {
      const { template, stack } = pipeline();
      const processorId = stack.getLogicalId(stack.services.processor.node.defaultChild as CfnElement);
      const service = resourcesOf(template, "AWS::ECS::Service")[processorId];
      expect(service?.Properties.CapacityProviderStrategy).toEqual([
        { CapacityProvider: "FARGATE", Base: 1, Weight: 1 },
        { CapacityProvider: "FARGATE_SPOT", Weight: 3 },
      ]);
      template.hasResourceProperties("AWS::ECS::ClusterCapacityProviderAssociations", {
        CapacityProviders: Match.arrayWith(["FARGATE", "FARGATE_SPOT"]),
      });
    });

    it("alarms on every DLQ holding a message, sending to the encrypted alarm topic", () => {
      const { template, stack } = pipeline();
      const alarms = Object.values(resourcesOf(template, "AWS::CloudWatch::Alarm"));
      const deadLetterRefs = Object.values(stack.messaging.queues).map((q) =>
        stack.resolve(q.deadLetterQueue.queueName),
      );
      for (const ref of deadLetterRefs) {
        const alarm = alarms.find(
          (a) =>
            a.Properties.MetricName === "ApproximateNumberOfMessagesVisible" &&
            JSON.stringify(a.Properties.Dimensions) === JSON.stringify([{ Name: "QueueName", Value: ref }]),
        );
        expect(alarm?.Properties).toMatchObject({ Threshold: 0, ComparisonOperator: "GreaterThanThreshold" });
      }
      const alarmTopic = stack.resolve(stack.alarms.topic.topicArn);
      for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([alarmTopic]);
    });

    it("counts the processors' error log lines into the alarmed ProcessorErrors metric", () => {
      const { template } = pipeline();
      template.hasResourceProperties("AWS::Logs::MetricFilter", {
        FilterPattern: '{ $.level = "error" }',
        MetricTransformations: [Match.objectLike({ MetricName: "ProcessorErrors", MetricValue: "1" })],
      });
      template.hasResourceProperties("AWS::CloudWatch::Alarm", {
        MetricName: "ProcessorErrors",
        Namespace: "OrderPipeline",
      });
    });

    it("stays environment-agnostic: no account id or region baked in, AZs resolved at deploy", () => {
      const template = pipeline().template.toJSON() as Record<string, unknown>;
      // Mappings and Conditions hold only AWS's per-Region log delivery accounts, looked up by AWS::Region.
      const json = JSON.stringify({ Resources: template.Resources, Outputs: template.Outputs });
      expect(json).not.toMatch(/\b\d{12}\b/);
      expect(json).not.toMatch(/\b(us|eu|ap|sa|ca|me|af)-(east|west|north|south|central|northeast|southeast)-\d\b/);
      expect(json).toContain("Fn::GetAZs");
      for (const id of Object.keys(template.Mappings ?? {})) expect(id).toMatch(/^NetworkLogsElbLogDeliveryAccounts/);
    });
  });
}
