/**
 * docs/deploy.md: connect the example's `aws` backend to the deployed stack, from the outputs file that
 * `npm run deploy` writes, and print the queue depths. Run after a deploy (credentials from the standard
 * AWS environment): `npm run build && npx node --import ./examples/order-pipeline/infra/tsResolve.ts docs/snippets/deploy.ts`
 */
import { createJsonLogger } from "@resilient-jobs/core";
import { readDeployedPipeline } from "../../examples/order-pipeline/infra/outputs.js";
import { connectAwsBackend, createAwsClients } from "../../examples/order-pipeline/src/backends/awsBackend.js";

// examples/order-pipeline/infra/dist/cdk-outputs.json, section "OrderPipeline" (pass { file, stackName } to change).
const deployed = readDeployedPipeline();
process.env.AWS_REGION ??= deployed.region;

const backend = await connectAwsBackend({
  name: "aws",
  clients: createAwsClients(),
  resources: deployed.resources,
  logger: createJsonLogger({ level: "warn" }),
});
console.log(`API: ${deployed.apiUrl} (payment processor: ${deployed.processor})`);
console.log(await backend.queueCounts());
await backend.close();
