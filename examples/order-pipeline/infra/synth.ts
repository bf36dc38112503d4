/**
 * `npm run synth`: bundles once, then synthesizes every processor variant (or the one `-c processor=` names)
 * into infra/cdk.out/<processor>/ with cdk-nag's AwsSolutions checks, prints each variant's summary, and exits
 * 1 when any variant has an unsuppressed error. Offline: no CDK CLI, no credentials, no Docker, no network.
 * Other context (`-c prefix=`, `-c vpcFlowLogs=false`, ...) applies to every variant.
 */
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { App } from "aws-cdk-lib";
import { bundleAssets } from "./assets.js";
import { PAYMENT_PROCESSOR_KINDS, parsePaymentProcessorKind } from "./constructs/processorKind.js";
import { formatNagSummary } from "./nagFindings.js";
import { parseContextArgs, readPipelineContext } from "./pipelineContext.js";
import { synthesizePipeline } from "./synthesize.js";

const started = performance.now();
const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(1);
const infraDir = fileURLToPath(new URL(".", import.meta.url));
const { values } = parseArgs({ options: { context: { type: "string", short: "c", multiple: true } } });
const argContext = parseContextArgs(values.context ?? []);
const processors =
  argContext.processor === undefined ? PAYMENT_PROCESSOR_KINDS : [parsePaymentProcessorKind(argContext.processor)];

const assets = await bundleAssets();
let failed = 0;
for (const processor of processors) {
  const variantStarted = performance.now();
  const app = new App({ outdir: join(infraDir, "cdk.out", processor), context: { ...argContext, processor } });
  const context = readPipelineContext(app);
  const { assembly, findings } = synthesizePipeline(app, { ...context, assets });
  process.stdout.write(
    `Synthesized ${context.stackName} (processor: ${processor}) into ${relative(process.cwd(), assembly.directory)} in ${seconds(variantStarted)} s\n` +
      `${formatNagSummary(`processor ${processor}`, findings)}\n`,
  );
  if (findings.open.some((finding) => finding.level === "Error")) failed++;
}
process.stdout.write(`${processors.length} variants in ${seconds(started)} s (bundle included)\n`);
if (failed > 0) {
  process.stderr.write(
    `cdk-nag: ${failed} variant(s) with unsuppressed errors. Fix the resource, or accept the finding in infra/nagSuppressions.ts with its reason and list it in docs/deploy.md#security.\n`,
  );
  process.exitCode = 1;
}
