import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resourcesFromEnv } from "../src/backends/awsResources.js";
import {
  DeployedPipelineNotFoundError,
  defaultOutputsFile,
  deployedPipelineEnv,
  OUTPUT_KEYS,
  readDeployedPipeline,
  STACK_NAME,
} from "./outputs.js";

// What `cdk deploy --outputs-file` writes: { "<stack>": { "<output key>": "<value>" } }.
const deployedOutputs: Record<string, string> = {
  [OUTPUT_KEYS.region]: "eu-west-1",
  [OUTPUT_KEYS.topicArn]: "arn:aws:sns:eu-west-1:111122223333:orders",
  [OUTPUT_KEYS.queueUrls.payment]: "https://sqs.eu-west-1.amazonaws.com/111122223333/orders-payment",
  [OUTPUT_KEYS.queueUrls.inventory]: "https://sqs.eu-west-1.amazonaws.com/111122223333/orders-inventory",
  [OUTPUT_KEYS.queueUrls.notification]: "https://sqs.eu-west-1.amazonaws.com/111122223333/orders-notification",
  [OUTPUT_KEYS.deadLetterQueueUrls.payment]: "https://sqs.eu-west-1.amazonaws.com/111122223333/orders-payment-dlq",
  [OUTPUT_KEYS.deadLetterQueueUrls.inventory]: "https://sqs.eu-west-1.amazonaws.com/111122223333/orders-inventory-dlq",
  [OUTPUT_KEYS.deadLetterQueueUrls.notification]:
    "https://sqs.eu-west-1.amazonaws.com/111122223333/orders-notification-dlq",
  [OUTPUT_KEYS.ordersTable]: "orders",
  [OUTPUT_KEYS.idempotencyTable]: "orders-idempotency",
  [OUTPUT_KEYS.apiUrl]: "http://OrderP-Api-1.eu-west-1.elb.amazonaws.com",
  [OUTPUT_KEYS.processor]: "ecs",
};

let dir: string;
const write = async (name: string, content: unknown) => {
  const file = join(dir, name);
  await writeFile(file, typeof content === "string" ? content : JSON.stringify(content));
  return file;
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "order-pipeline-outputs-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("readDeployedPipeline", () => {
  it("reads the stack's section of the outputs file into the aws backend's resources", async () => {
    const file = await write("ok.json", { Other: {}, [STACK_NAME]: deployedOutputs });

    const pipeline = readDeployedPipeline({ file });

    expect(pipeline.resources).toEqual({
      topicArn: deployedOutputs[OUTPUT_KEYS.topicArn],
      queueUrls: {
        payment: deployedOutputs[OUTPUT_KEYS.queueUrls.payment],
        inventory: deployedOutputs[OUTPUT_KEYS.queueUrls.inventory],
        notification: deployedOutputs[OUTPUT_KEYS.queueUrls.notification],
      },
      ordersTable: "orders",
      idempotencyTable: "orders-idempotency",
    });
    expect(pipeline).toMatchObject({
      region: "eu-west-1",
      apiUrl: deployedOutputs[OUTPUT_KEYS.apiUrl],
      processor: "ecs",
    });
    expect(pipeline.deadLetterQueueUrls.payment).toBe(deployedOutputs[OUTPUT_KEYS.deadLetterQueueUrls.payment]);
  });

  it("produces the variables the app's resourcesFromEnv reads back to the same resources", async () => {
    const file = await write("env.json", { [STACK_NAME]: deployedOutputs });
    const pipeline = readDeployedPipeline({ file });

    const env = deployedPipelineEnv(pipeline);

    expect(env.AWS_REGION).toBe("eu-west-1");
    expect(resourcesFromEnv(env)).toEqual(pipeline.resources);
  });

  it("reads another stack's section when asked", async () => {
    const file = await write("named.json", { "dev-OrderPipeline": deployedOutputs });
    expect(readDeployedPipeline({ file, stackName: "dev-OrderPipeline" }).resources.ordersTable).toBe("orders");
  });

  it("tells the operator to deploy when the file is missing", () => {
    const read = () => readDeployedPipeline({ file: join(dir, "missing.json") });
    expect(read).toThrow(DeployedPipelineNotFoundError);
    expect(read).toThrow(/npm run deploy/);
  });

  it("names the stack when the file has no section for it", async () => {
    const file = await write("other.json", { SomethingElse: deployedOutputs });
    expect(() => readDeployedPipeline({ file })).toThrow(new RegExp(`no outputs for the stack ${STACK_NAME}`));
  });

  it("names every missing output", async () => {
    const { [OUTPUT_KEYS.topicArn]: _topic, [OUTPUT_KEYS.ordersTable]: _table, ...partial } = deployedOutputs;
    const file = await write("partial.json", { [STACK_NAME]: partial });
    expect(() => readDeployedPipeline({ file })).toThrow(`lacks ${OUTPUT_KEYS.topicArn}, ${OUTPUT_KEYS.ordersTable}`);
  });

  it("rejects a file that is not JSON", async () => {
    const file = await write("broken.json", "{ not json");
    expect(() => readDeployedPipeline({ file })).toThrow(DeployedPipelineNotFoundError);
  });
});

describe("defaultOutputsFile", () => {
  it("points at infra/dist/cdk-outputs.json, where the deploy script writes", () => {
    expect(defaultOutputsFile()).toMatch(/examples[\\/]order-pipeline[\\/]infra[\\/]dist[\\/]cdk-outputs\.json$/);
  });
});
