/**
 * The contract between the deployed stack and the app's `aws` backend: the stack's output keys, the
 * environment variables its containers and functions get, and a reader for the file
 * `cdk deploy --outputs-file` writes. No AWS CDK import here, so the app can load it cheaply.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { PipelineResources } from "../src/backends/awsResources.js";
import { RESOURCE_ENV } from "../src/backends/awsResources.js";

/** The stack's name, as `npm run deploy` deploys it (and the key of its section in the outputs file). */
export const STACK_NAME = "OrderPipeline";

/**
 * Where `npm run deploy -w examples/order-pipeline` writes the stack outputs (`cdk deploy --outputs-file`):
 * examples/order-pipeline/infra/dist/cdk-outputs.json, git-ignored. Found from this module's location, which
 * also works once the app is bundled into examples/order-pipeline/dist/.
 */
export function defaultOutputsFile(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 4; depth++) {
    if (existsSync(join(dir, "infra", "cdk.json"))) return join(dir, "infra", OUTPUTS_FILE_IN_INFRA);
    dir = dirname(dir);
  }
  return resolve("infra", OUTPUTS_FILE_IN_INFRA);
}

/** The outputs file, relative to the infra directory (the `deploy` script passes it to `cdk deploy`). */
export const OUTPUTS_FILE_IN_INFRA = "dist/cdk-outputs.json";

/** The stack's CloudFormation output keys, by what they hold. */
export const OUTPUT_KEYS = Object.freeze({
  region: "Region",
  topicArn: "OrdersTopicArn",
  queueUrls: Object.freeze({
    payment: "PaymentQueueUrl",
    inventory: "InventoryQueueUrl",
    notification: "NotificationQueueUrl",
  }),
  deadLetterQueueUrls: Object.freeze({
    payment: "PaymentDeadLetterQueueUrl",
    inventory: "InventoryDeadLetterQueueUrl",
    notification: "NotificationDeadLetterQueueUrl",
  }),
  ordersTable: "OrdersTableName",
  idempotencyTable: "IdempotencyTableName",
  apiUrl: "OrderApiUrl",
  processor: "PaymentProcessor",
});

/**
 * The variables the `aws` backend reads (`RESOURCE_ENV` in src/backends/awsResources.ts, the one list). The stack
 * sets them on the API and processor containers and on the Lambda functions.
 */
export const PIPELINE_ENV = RESOURCE_ENV;

/** A deployed pipeline: what the `aws` backend connects to, where, and the API's address. */
export interface DeployedPipeline {
  /** The resources, in the shape `connectAwsBackend` takes. */
  readonly resources: PipelineResources;
  /** The region the stack was deployed to: give it to the SDK clients. */
  readonly region: string;
  /** The order API behind the load balancer, e.g. `http://OrderP-Api-123.us-east-1.elb.amazonaws.com`. */
  readonly apiUrl: string;
  /** The payment queue's DLQ and the others', for the operator's tools (redrive, stats). */
  readonly deadLetterQueueUrls: PipelineResources["queueUrls"];
  /** Which processor the stack deployed for the payment queue. */
  readonly processor: string;
}

/** The outputs file is missing, unreadable or lacks the stack's section: the stack was not deployed (yet). */
export class DeployedPipelineNotFoundError extends Error {
  override readonly name = "DeployedPipelineNotFoundError";
  readonly code = "DEPLOYED_PIPELINE_NOT_FOUND";
}

/** Options of {@link readDeployedPipeline}. */
export interface ReadDeployedPipelineOptions {
  /**
   * The file `cdk deploy --outputs-file` wrote.
   * @defaultValue {@link defaultOutputsFile}()
   */
  file?: string;
  /**
   * The stack whose outputs to read.
   * @defaultValue {@link STACK_NAME}
   */
  stackName?: string;
}

/**
 * Reads the deployed stack's outputs (from `npm run deploy`) into the `aws` backend's resources.
 * @throws DeployedPipelineNotFoundError when the file or the stack's section is missing, or an output is absent.
 */
export function readDeployedPipeline(options: ReadDeployedPipelineOptions = {}): DeployedPipeline {
  const file = options.file ?? defaultOutputsFile();
  const stackName = options.stackName ?? STACK_NAME;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (cause) {
    throw new DeployedPipelineNotFoundError(
      `Cannot read the stack outputs in ${file}: deploy first with \`npm run deploy\` (it writes that file).`,
      { cause },
    );
  }
  const outputs = (parsed as Record<string, unknown> | null)?.[stackName];
  if (typeof outputs !== "object" || outputs === null) {
    throw new DeployedPipelineNotFoundError(`${file} has no outputs for the stack ${stackName}.`);
  }
  return deployedPipelineFromOutputs(outputs as Record<string, unknown>, `${file} (${stackName})`);
}

/**
 * Maps one stack's outputs (key -> value, as in the outputs file or `DescribeStacks`) to a {@link DeployedPipeline}.
 * @param where Named in the error when an output is missing.
 */
export function deployedPipelineFromOutputs(outputs: Record<string, unknown>, where = "the stack outputs") {
  const missing: string[] = [];
  const read = (key: string): string => {
    const value = outputs[key];
    if (typeof value !== "string" || value === "") missing.push(key);
    return typeof value === "string" ? value : "";
  };
  const urls = (keys: { payment: string; inventory: string; notification: string }) => ({
    payment: read(keys.payment),
    inventory: read(keys.inventory),
    notification: read(keys.notification),
  });
  const pipeline: DeployedPipeline = {
    resources: {
      topicArn: read(OUTPUT_KEYS.topicArn),
      queueUrls: urls(OUTPUT_KEYS.queueUrls),
      ordersTable: read(OUTPUT_KEYS.ordersTable),
      idempotencyTable: read(OUTPUT_KEYS.idempotencyTable),
    },
    region: read(OUTPUT_KEYS.region),
    apiUrl: read(OUTPUT_KEYS.apiUrl),
    deadLetterQueueUrls: urls(OUTPUT_KEYS.deadLetterQueueUrls),
    processor: read(OUTPUT_KEYS.processor),
  };
  if (missing.length > 0) {
    throw new DeployedPipelineNotFoundError(
      `${where} lacks ${missing.join(", ")}: redeploy with \`npm run deploy\` to refresh the outputs file.`,
    );
  }
  return pipeline;
}

/**
 * The environment the `aws` backend reads (`resourcesFromEnv`), plus `AWS_REGION`: merge it into
 * `process.env` (or pass it as `env`) to run the app on a laptop against the deployed stack.
 */
export function deployedPipelineEnv(pipeline: DeployedPipeline): Record<string, string> {
  const { resources } = pipeline;
  return {
    AWS_REGION: pipeline.region,
    [PIPELINE_ENV.topicArn]: resources.topicArn,
    [PIPELINE_ENV.queueUrls.payment]: resources.queueUrls.payment,
    [PIPELINE_ENV.queueUrls.inventory]: resources.queueUrls.inventory,
    [PIPELINE_ENV.queueUrls.notification]: resources.queueUrls.notification,
    [PIPELINE_ENV.ordersTable]: resources.ordersTable,
    [PIPELINE_ENV.idempotencyTable]: resources.idempotencyTable,
  };
}
