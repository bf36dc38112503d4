/**
 * The CDK app of one variant: bundles the app's entry points, then synthesizes the stack with cdk-nag's
 * AwsSolutions checks into infra/cdk.out. Run by the CDK CLI (`cdk deploy`, through cdk.json), which refuses
 * to deploy while cdk-nag reports an unsuppressed error. `npm run synth` runs synth.ts instead (every variant).
 * Context, as `-c key=value`: `processor` (ecs | lambda | lambda-sns), `prefix`, `alarmEmail`, `vpcFlowLogs`,
 * `albAccessLogs` (see pipelineContext.ts).
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { App } from "aws-cdk-lib";
import { bundleAssets } from "./assets.js";
import { formatNagSummary } from "./nagFindings.js";
import { parseContextArgs, readPipelineContext } from "./pipelineContext.js";
import { synthesizePipeline } from "./synthesize.js";

const { values } = parseArgs({ options: { context: { type: "string", short: "c", multiple: true } } });
// The CLI passes its output directory in CDK_OUTDIR (and its context in CDK_CONTEXT_JSON, read by App).
const app = new App({
  outdir: process.env.CDK_OUTDIR ?? join(fileURLToPath(new URL(".", import.meta.url)), "cdk.out"),
  context: parseContextArgs(values.context ?? []),
});
const context = readPipelineContext(app);
// No `env`: the stack is environment-agnostic, so synthesis needs no credentials and makes no lookups;
// `cdk deploy` takes the account and region from the standard AWS environment.
const { assembly, findings } = synthesizePipeline(app, { ...context, assets: await bundleAssets() });
if (!process.env.CDK_OUTDIR) {
  process.stdout.write(
    `Synthesized ${context.stackName} into ${assembly.directory} (processor: ${context.processor})\n` +
      `${formatNagSummary(`processor ${context.processor}`, findings)}\n`,
  );
}
