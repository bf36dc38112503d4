/**
 * Creates or deletes the pipeline's AWS resources with the SDK, in the account and region of the standard
 * AWS environment (AWS_PROFILE / AWS_REGION / credentials):
 *
 *   npm run aws-resources -w examples/order-pipeline -- create [--prefix dev-]
 *   npm run aws-resources -w examples/order-pipeline -- delete [--prefix dev-]
 *
 * `create` prints the `export ORDERS_...=` lines the `aws` backend reads. It costs a few cents at most
 * (on-demand tables, standard queues); `delete` removes everything it created.
 */
import { parseArgs } from "node:util";
import { createAwsClients } from "../backends/awsBackend.js";
import { createPipelineResources, deletePipelineResources, resourcesAsEnv } from "../backends/awsResources.js";

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { prefix: { type: "string", default: "" } },
});
const command = positionals[0];
if (command !== "create" && command !== "delete") {
  process.stderr.write("Usage: aws-resources create|delete [--prefix <name prefix>]\n");
  process.exit(2);
}

const clients = createAwsClients();
try {
  if (command === "create") {
    const resources = await createPipelineResources(clients, { prefix: values.prefix });
    process.stdout.write(`${resourcesAsEnv(resources).join("\n")}\n`);
  } else {
    const deleted = await deletePipelineResources(clients, { prefix: values.prefix });
    process.stdout.write(deleted.length === 0 ? "Nothing to delete\n" : `Deleted:\n  ${deleted.join("\n  ")}\n`);
  }
} finally {
  clients.sqs.destroy();
  clients.sns.destroy();
  clients.dynamo.destroy();
}
