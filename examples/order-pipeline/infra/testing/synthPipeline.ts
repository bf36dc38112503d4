/**
 * Test support: one synthesis of the stack per test file (bundle, construct, synth into a temp directory), and
 * small readers of the template. The checks every variant must pass are in commonInvariants.ts.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, cx_api } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll } from "vitest";
import { bundleAssets } from "../assets.js";
import type { NetworkLogOptions } from "../constructs/NetworkLogs.js";
import type { PaymentProcessorKind } from "../constructs/processorKind.js";
import type { NagFindings } from "../nagFindings.js";
import type { OrderPipelineStack } from "../OrderPipelineStack.js";
import { STACK_NAME } from "../outputs.js";
import { synthesizePipeline } from "../synthesize.js";

/** One synthesized variant of the stack. */
export interface SynthesizedPipeline {
  readonly stack: OrderPipelineStack;
  readonly template: Template;
  /** The stack's asset manifest (`<stack>.assets.json`): what `cdk deploy` would build and upload. */
  readonly assetManifest: AssetManifest;
  /** What cdk-nag's AwsSolutions checks found, as `npm run synth` reports it. */
  readonly findings: NagFindings;
  /** Seconds the bundle + synthesis took. */
  readonly seconds: number;
}

/** The parts of an asset manifest the tests read. */
export interface AssetManifest {
  readonly files: Record<string, { source: { path: string; packaging?: string } }>;
  readonly dockerImages: Record<string, { source: { directory: string; platform?: string } }>;
}

/** A CloudFormation resource as the template holds it. */
export interface Resource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
}

/** An IAM policy statement as the template holds it. */
export interface Statement {
  readonly Effect: "Allow" | "Deny";
  readonly Action?: string | string[];
  readonly Resource?: unknown;
  readonly Principal?: unknown;
  readonly Condition?: Record<string, unknown>;
}

/**
 * Bundles the app's entry points and synthesizes the stack for `processor` once, in `beforeAll`, into a
 * temporary directory removed afterwards, the way `npm run synth` does (cdk-nag included). Returns a getter:
 * the result exists only once the hook ran.
 */
export function synthesizeOnce(
  processor: PaymentProcessorKind,
  options: { readonly logs?: NetworkLogOptions } = {},
): () => SynthesizedPipeline {
  let result: SynthesizedPipeline | undefined;
  let dir: string | undefined;
  beforeAll(async () => {
    const started = performance.now();
    dir = await mkdtemp(join(tmpdir(), "order-pipeline-synth-"));
    const assets = await bundleAssets({ outDir: join(dir, "assets") });
    const app = new App({ outdir: join(dir, "cdk.out") });
    const { stack, assembly, findings } = synthesizePipeline(app, {
      stackName: STACK_NAME,
      processor,
      logs: options.logs,
      assets,
    });
    const artifact = assembly.getStackByName(STACK_NAME);
    const manifestArtifact = artifact.dependencies.find(
      (dependency): dependency is cx_api.AssetManifestArtifact => dependency instanceof cx_api.AssetManifestArtifact,
    );
    if (!manifestArtifact) throw new Error("The stack has no asset manifest");
    const assetManifest = JSON.parse(await readFile(manifestArtifact.file, "utf8")) as AssetManifest;
    result = {
      stack,
      template: Template.fromJSON(artifact.template),
      assetManifest,
      findings,
      seconds: (performance.now() - started) / 1000,
    };
  }, 120_000);
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  return () => {
    if (!result) throw new Error("The stack was not synthesized: beforeAll failed");
    return result;
  };
}

/** Every resource of `type` in the template, by logical id. */
export function resourcesOf(template: Template, type: string): Record<string, Resource> {
  return template.findResources(type) as Record<string, Resource>;
}

/** The statements of every identity policy (AWS::IAM::Policy and roles' inline policies). */
export function identityStatements(template: Template): { id: string; statement: Statement }[] {
  const out: { id: string; statement: Statement }[] = [];
  for (const [id, policy] of Object.entries(resourcesOf(template, "AWS::IAM::Policy"))) {
    const document = policy.Properties.PolicyDocument as { Statement: Statement[] };
    for (const statement of document.Statement) out.push({ id, statement });
  }
  for (const [id, role] of Object.entries(resourcesOf(template, "AWS::IAM::Role"))) {
    const inline = (role.Properties.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[];
    for (const policy of inline) for (const statement of policy.PolicyDocument.Statement) out.push({ id, statement });
  }
  return out;
}

/** Every action the identity policies grant the role with logical id `roleId`. */
export function actionsOfRole(template: Template, roleId: string): string[] {
  const actions: string[] = [];
  for (const policy of Object.values(resourcesOf(template, "AWS::IAM::Policy"))) {
    const roles = policy.Properties.Roles as { Ref: string }[];
    if (!roles.some((role) => role.Ref === roleId)) continue;
    const document = policy.Properties.PolicyDocument as { Statement: Statement[] };
    for (const statement of document.Statement)
      if (statement.Effect === "Allow") actions.push(...asList(statement.Action));
  }
  return actions;
}

/** `value` as an array (IAM allows a single string or a list). */
export function asList<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/**
 * The actions an identity policy may grant on "*", each with the reason: AWS supports no resource-level
 * permission for them. CDK adds ecr:GetAuthorizationToken to the task execution roles (the image pull).
 */
export const RESOURCE_WILDCARD_ACTIONS: Readonly<Record<string, string>> = Object.freeze({
  "ecr:GetAuthorizationToken": "the registry token is per account and Region; IAM takes no resource for it",
});
