/**
 * Every cdk-nag finding the stack accepts instead of fixing, each on the exact resources it concerns, with the
 * reason a reviewer reads. docs/deploy.md#security lists the same rules and reasons (a test compares them), and
 * the tests check what each reason claims.
 */
import { NagSuppressions } from "cdk-nag";
import type { IConstruct } from "constructs";
import type { OrderPipelineStack } from "./OrderPipelineStack.js";

/** One accepted finding. */
export interface AcceptedFinding {
  /** The cdk-nag rule, e.g. `AwsSolutions-ECS2`. */
  readonly ruleId: string;
  /** Which findings of the rule, when not all (IAM5's `Resource::*`). */
  readonly appliesTo?: readonly string[];
  /** Where, in words (the docs' table repeats it). */
  readonly where: string;
  /** Why it is accepted: one line. */
  readonly reason: string;
  /** The resources it applies to in `stack`; none means it does not apply there. */
  readonly targets: (stack: OrderPipelineStack) => readonly (IConstruct | undefined)[];
  /** Also to the targets' children (a role's default policy). @defaultValue false */
  readonly withChildren?: boolean;
}

/** The CloudFormation resource of an L2 construct, so a suppression lands on it and nothing beside it. */
const cfn = (construct: IConstruct | undefined): IConstruct | undefined => construct?.node.defaultChild;

/** The accepted findings, in the order docs/deploy.md lists them. */
export const ACCEPTED_FINDINGS: readonly AcceptedFinding[] = Object.freeze([
  {
    ruleId: "AwsSolutions-IAM5",
    appliesTo: ["Resource::*"],
    where: "the two task execution roles",
    reason:
      "The only `*` is ecr:GetAuthorizationToken, which AWS grants on no narrower resource; the image pull and log actions name their repository and log group.",
    // The role and its default policy, which holds the statements.
    targets: (stack) => [
      stack.services.api.taskDefinition.executionRole,
      stack.services.processor.taskDefinition.executionRole,
    ],
    withChildren: true,
  },
  {
    ruleId: "AwsSolutions-ECS2",
    where: "the API and processor task definitions",
    reason:
      "The variables say where the topic, queues and tables are (names, URLs, an ARN) and hold plain settings, no secret; a test keeps them to that list.",
    targets: (stack) => [cfn(stack.services.api.taskDefinition), cfn(stack.services.processor.taskDefinition)],
  },
  {
    ruleId: "AwsSolutions-EC23",
    where: "the load balancer's security group",
    reason:
      "The order API is public: anyone may reach the load balancer, on its listener's port 80 only; the tasks accept only the load balancer.",
    targets: (stack) => stack.services.api.loadBalancer.connections.securityGroups.map(cfn),
  },
  {
    ruleId: "AwsSolutions-S1",
    where: "the access-log bucket",
    reason:
      "It is the log bucket: only ELB log delivery writes to it, and logging its own access would need one more bucket with the same finding.",
    targets: (stack) => [cfn(stack.networkLogs.accessLogBucket)],
  },
  {
    ruleId: "AwsSolutions-SQS3",
    where: "the on-failure queue (`-c processor=lambda-sns`)",
    reason:
      "It is a dead-letter destination itself: Lambda sends it the events it gave up on, and an alarm fires on its first message.",
    targets: (stack) => [cfn(stack.payments?.failureQueue)],
  },
  {
    ruleId: "AwsSolutions-VPC7",
    where: "the VPC, with `-c vpcFlowLogs=false` only",
    reason: "Flow logs were turned off on purpose with -c vpcFlowLogs=false (their cost: docs/deploy.md#security).",
    targets: (stack) => (stack.networkLogs.flowLogGroup ? [] : [cfn(stack.services.vpc)]),
  },
  {
    ruleId: "AwsSolutions-ELB2",
    where: "the load balancer, with `-c albAccessLogs=false` only",
    reason: "Access logs were turned off on purpose with -c albAccessLogs=false (their cost: docs/deploy.md#security).",
    targets: (stack) => (stack.networkLogs.accessLogBucket ? [] : [cfn(stack.services.api.loadBalancer)]),
  },
]);

/** Applies every {@link ACCEPTED_FINDINGS} entry that concerns `stack` (before it synthesizes). */
export function suppressAcceptedFindings(stack: OrderPipelineStack): void {
  for (const accepted of ACCEPTED_FINDINGS) {
    const targets = accepted.targets(stack).filter((target): target is IConstruct => target !== undefined);
    if (targets.length === 0) continue;
    const suppression = { id: accepted.ruleId, reason: accepted.reason };
    NagSuppressions.addResourceSuppressions(
      targets,
      [accepted.appliesTo ? { ...suppression, appliesTo: [...accepted.appliesTo] } : suppression],
      accepted.withChildren ?? false,
    );
  }
}
