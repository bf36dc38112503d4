import type { App } from "aws-cdk-lib";
import type { CloudAssembly } from "aws-cdk-lib/cx-api";
import { addNagChecks, type NagFindings } from "./nagFindings.js";
import { suppressAcceptedFindings } from "./nagSuppressions.js";
import type { OrderPipelineStackProps } from "./OrderPipelineStack.js";
import { OrderPipelineStack } from "./OrderPipelineStack.js";

/** What {@link synthesizePipeline} builds: the stack's name and props (a `PipelineContext` fits). */
export interface SynthesizePipelineOptions
  extends Pick<OrderPipelineStackProps, "assets" | "processor" | "prefix" | "alarmEmail" | "logs"> {
  readonly stackName: string;
}

/** One synthesized variant of the stack, with what cdk-nag found in it. */
export interface SynthesizedVariant {
  readonly stack: OrderPipelineStack;
  readonly assembly: CloudAssembly;
  readonly findings: NagFindings;
}

/**
 * Builds the stack into `app` with cdk-nag's AwsSolutions checks and the accepted findings, and synthesizes it.
 * The one path for `cdk deploy`, `npm run synth` and the tests, so all three see the same checks.
 */
export function synthesizePipeline(app: App, options: SynthesizePipelineOptions): SynthesizedVariant {
  const findings = addNagChecks(app);
  const stack = new OrderPipelineStack(app, options.stackName, {
    assets: options.assets,
    processor: options.processor,
    prefix: options.prefix,
    alarmEmail: options.alarmEmail,
    logs: options.logs,
    description: "resilient-jobs example: the flash-sale order pipeline (SNS, SQS, DynamoDB, ECS Fargate, Lambda)",
  });
  suppressAcceptedFindings(stack);
  return { stack, assembly: app.synth(), findings };
}
