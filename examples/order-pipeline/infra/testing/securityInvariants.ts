/**
 * The security checks every processor variant must pass: cdk-nag's AwsSolutions rules, and what each accepted
 * finding's reason claims (infra/nagSuppressions.ts), checked on the template so a reason cannot go stale.
 */
import type { CfnElement } from "aws-cdk-lib";
import { FactName, RegionInfo } from "aws-cdk-lib/region-info";
import { describe, expect, it } from "vitest";
import { ELB_LOG_DELIVERY_SERVICE } from "../constructs/elbLogDelivery.js";
import { API_PORT } from "../constructs/OrderServices.js";
import { ACCEPTED_FINDINGS } from "../nagSuppressions.js";
import { PIPELINE_ENV } from "../outputs.js";
import { actionsOnEveryResource, iamScopeProblems } from "./iamScope.js";
import { RESOURCE_WILDCARD_ACTIONS, resourcesOf, type Statement, type SynthesizedPipeline } from "./synthPipeline.js";

/** The variables a container may get: where the resources are, and plain settings. Never a secret. */
const CONTAINER_ENV_NAMES = new Set([
  PIPELINE_ENV.topicArn,
  ...Object.values(PIPELINE_ENV.queueUrls),
  PIPELINE_ENV.ordersTable,
  PIPELINE_ENV.idempotencyTable,
  "ORDERS_PROCESSOR",
  "ORDERS_PAYMENT_WORKERS",
  "AWS_REGION",
  "PORT",
  "HOST",
]);

interface Rule {
  readonly CidrIp?: string;
  readonly CidrIpv6?: string;
  readonly FromPort?: number;
  readonly ToPort?: number;
  readonly SourceSecurityGroupId?: unknown;
  readonly GroupId?: unknown;
}

/** Checks every variant of the stack must pass; each variant's test file calls this once. */
export function describeSecurityInvariants(pipeline: () => SynthesizedPipeline): void {
  describe("security checks every variant passes", () => {
    it("passes cdk-nag's AwsSolutions checks with no unsuppressed finding", () => {
      const { findings } = pipeline();
      expect(findings.open.map((f) => `${f.ruleId} ${f.findingId} on ${f.path}`)).toEqual([]);
    });

    it("suppresses only the accepted findings, each with its reason", () => {
      const accepted = new Map(ACCEPTED_FINDINGS.map((finding) => [finding.ruleId, finding.reason]));
      for (const finding of pipeline().findings.suppressed) {
        // cdk-nag puts the finding (`[Resource::*] `) before the reason of a suppression with appliesTo.
        expect(finding.suppressedBecause, `${finding.ruleId} on ${finding.path}`).toContain(
          accepted.get(finding.ruleId),
        );
      }
    });

    it("scopes every SQS, SNS, DynamoDB, S3, logs and KMS action to resources of this stack; * only where AWS requires it", () => {
      const { template } = pipeline();
      expect(iamScopeProblems(template)).toEqual([]);
      // Each action on "*" is named, with why: the IAM5 suppression covers nothing else.
      for (const action of actionsOnEveryResource(template))
        expect(Object.keys(RESOURCE_WILDCARD_ACTIONS)).toContain(action);
      for (const [id, role] of Object.entries(resourcesOf(template, "AWS::IAM::Role"))) {
        expect(role.Properties.ManagedPolicyArns, `${id} has no managed (broad) policies`).toBeUndefined();
      }
    });

    it("lets the internet reach the load balancer on its listener's port only, and the API tasks only from it", () => {
      const { template, stack } = pipeline();
      const groups = resourcesOf(template, "AWS::EC2::SecurityGroup");
      const ingress: { group: unknown; rule: Rule }[] = [
        ...Object.entries(groups).flatMap(([id, group]) =>
          ((group.Properties.SecurityGroupIngress ?? []) as Rule[]).map((rule) => ({ group: id, rule })),
        ),
        ...Object.values(resourcesOf(template, "AWS::EC2::SecurityGroupIngress")).map((resource) => ({
          group: (resource.Properties.GroupId as { "Fn::GetAtt": [string] })["Fn::GetAtt"][0],
          rule: resource.Properties as Rule,
        })),
      ];
      const lbGroup = stack.getLogicalId(
        stack.services.api.loadBalancer.connections.securityGroups[0]!.node.defaultChild as CfnElement,
      );
      const fromAddresses = ingress.filter(({ rule }) => rule.CidrIp !== undefined || rule.CidrIpv6 !== undefined);
      expect(fromAddresses).toEqual([{ group: lbGroup, rule: expect.objectContaining({ CidrIp: "0.0.0.0/0" }) }]);
      expect(fromAddresses[0]?.rule).toMatchObject({ FromPort: 80, ToPort: 80 });
      const rest = ingress.filter(({ rule }) => rule.CidrIp === undefined && rule.CidrIpv6 === undefined);
      for (const { rule } of rest) {
        expect(rule).toMatchObject({
          FromPort: API_PORT,
          ToPort: API_PORT,
          SourceSecurityGroupId: { "Fn::GetAtt": [lbGroup, "GroupId"] },
        });
      }
    });

    it("gives the containers only resource locations and plain settings as variables, no secret", () => {
      for (const task of Object.values(resourcesOf(pipeline().template, "AWS::ECS::TaskDefinition"))) {
        for (const container of task.Properties.ContainerDefinitions as { Environment?: { Name: string }[] }[]) {
          for (const { Name } of container.Environment ?? []) expect([...CONTAINER_ENV_NAMES]).toContain(Name);
        }
      }
    });

    it("logs every accepted and rejected flow of the VPC to a log group kept a week", () => {
      const { template, stack } = pipeline();
      const logGroup = stack.networkLogs.flowLogGroup;
      expect(logGroup).toBeDefined();
      template.hasResourceProperties("AWS::EC2::FlowLog", {
        ResourceType: "VPC",
        ResourceId: stack.resolve(stack.services.vpc.vpcId),
        TrafficType: "ALL",
        LogDestinationType: "cloud-watch-logs",
        LogGroupName: stack.resolve(logGroup!.logGroupName),
      });
      const { Ref: logGroupId } = stack.resolve(logGroup!.logGroupName) as { Ref: string };
      expect(resourcesOf(template, "AWS::Logs::LogGroup")[logGroupId]?.Properties.RetentionInDays).toBe(7);
    });

    it("writes the load balancer's access logs to a private, TLS-only bucket only ELB log delivery may write to", () => {
      const { template, stack } = pipeline();
      const bucket = stack.networkLogs.accessLogBucket;
      expect(bucket).toBeDefined();
      const bucketRef = stack.resolve(bucket!.bucketName);
      const [lb] = Object.values(resourcesOf(template, "AWS::ElasticLoadBalancingV2::LoadBalancer"));
      expect(lb?.Properties.LoadBalancerAttributes).toEqual(
        expect.arrayContaining([
          { Key: "access_logs.s3.enabled", Value: "true" },
          { Key: "access_logs.s3.bucket", Value: bucketRef },
        ]),
      );
      template.hasResourceProperties("AWS::S3::Bucket", {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
      });
      const [policy] = Object.values(resourcesOf(template, "AWS::S3::BucketPolicy"));
      const statements = (policy!.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
      expect(
        statements.some((s) => s.Effect === "Deny" && JSON.stringify(s.Condition).includes("aws:SecureTransport")),
      ).toBe(true);
      const allows = statements.filter((s) => s.Effect === "Allow");
      expect(allows).toHaveLength(1);
      expect(allows[0]?.Action).toBe("s3:PutObject");
      expect(JSON.stringify(allows[0]?.Resource)).toMatch(/"\/AWSLogs\/",\{"Ref":"AWS::AccountId"\},"\/\*"/);
      const principal = JSON.stringify(allows[0]?.Principal);
      expect(principal).toContain(ELB_LOG_DELIVERY_SERVICE);
      expect(principal).toContain('"Fn::FindInMap"');
    });

    it("gives ELB's own account as the log writer in the Regions that need it, and the service principal elsewhere", () => {
      const json = pipeline().template.toJSON() as {
        Mappings: Record<string, Record<string, { account: string }>>;
        Conditions: Record<string, unknown>;
      };
      const [accounts] = Object.values(json.Mappings);
      expect(accounts).toEqual(
        Object.fromEntries(
          Object.entries(RegionInfo.regionMap(FactName.ELBV2_ACCOUNT)).map(([region, account]) => [
            region,
            { account },
          ]),
        ),
      );
      const [condition] = Object.values(json.Conditions);
      const regions = [...JSON.stringify(condition).matchAll(/"Ref":"AWS::Region"\},"([a-z0-9-]+)"/g)].map((m) => m[1]);
      expect(regions.sort()).toEqual(Object.keys(accounts!).sort());
    });
  });
}
