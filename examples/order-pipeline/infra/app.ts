/**
 * The CDK app: bundles the app's entry points, then synthesizes the stack into infra/cdk.out. Run through
 * main.ts, either by `npm run synth` (no CDK CLI, no credentials, no network) or by `cdk deploy` (cdk.json).
 * Context, as `-c key=value` on either: `processor` (ecs | lambda | lambda-sns), `prefix`, `alarmEmail`.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { App } from "aws-cdk-lib";
import { bundleAssets } from "./assets.js";
import { parsePaymentProcessorKind } from "./constructs/processorKind.js";
import { OrderPipelineStack } from "./OrderPipelineStack.js";
import { STACK_NAME } from "./outputs.js";

const { values } = parseArgs({ options: { context: { type: "string", short: "c", multiple: true } } });
const argContext: Record<string, string> = {};
for (const pair of values.context ?? []) {
  const at = pair.indexOf("=");
  if (at <= 0) throw new Error(`Expected \`-c\` to be key=value, got ${pair}`);
  argContext[pair.slice(0, at)] = pair.slice(at + 1);
}

// The CLI passes its output directory in CDK_OUTDIR (and its context in CDK_CONTEXT_JSON, read by App).
const app = new App({
  outdir: process.env.CDK_OUTDIR ?? join(fileURLToPath(new URL(".", import.meta.url)), "cdk.out"),
  context: argContext,
});
const context = (key: string): string | undefined => {
  const value: unknown = app.node.tryGetContext(key);
  return typeof value === "string" && value !== "" ? value : undefined;
};

const assets = await bundleAssets();
// No `env`: the stack is environment-agnostic, so synthesis needs no credentials and makes no lookups;
// `cdk deploy` takes the account and region from the standard AWS environment.
const prefix = context("prefix") ?? "";
// The prefix names the stack too, so `-c prefix=dev-` deploys a second copy beside the first.
const stackName = prefix + STACK_NAME;
new OrderPipelineStack(app, stackName, {
  assets,
  processor: parsePaymentProcessorKind(app.node.tryGetContext("processor")),
  prefix,
  alarmEmail: context("alarmEmail"),
  description: "resilient-jobs example: the flash-sale order pipeline (SNS, SQS, DynamoDB, ECS Fargate, Lambda)",
});
const assembly = app.synth();
if (!process.env.CDK_OUTDIR) {
  process.stdout.write(
    `Synthesized ${stackName} into ${assembly.directory} (processor: ${context("processor") ?? "ecs"})\n`,
  );
}
