/**
 * The payment handler's dependencies inside Lambda: the two tables, straight from the `ORDERS_*` variables.
 * Not the whole `aws` backend, which opens a source per queue and would need permissions on all three, nor
 * `resourcesFromEnv`, whose module loads the SNS and SQS clients: a cold start should load only DynamoDB's.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBIdempotencyStore } from "@resilient-jobs/core/dynamodb";
import { DynamoOrderStore } from "../../src/orders/DynamoOrderStore.js";
import type { HandlerDeps } from "../../src/workers/handlers.js";
import { PIPELINE_ENV } from "../outputs.js";
import { deployedPaymentService, realTime } from "./deployedPipeline.js";

/** Built once per execution environment (module scope of the handler). */
export function paymentHandlerDeps(): HandlerDeps {
  const dynamo = new DynamoDBClient({});
  const idempotency = new DynamoDBIdempotencyStore({
    client: dynamo,
    tableName: tableFromEnv(PIPELINE_ENV.idempotencyTable),
  });
  return {
    orders: new DynamoOrderStore({ client: dynamo, tableName: tableFromEnv(PIPELINE_ENV.ordersTable) }),
    payments: deployedPaymentService(idempotency),
    timeScale: realTime,
  };
}

function tableFromEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`The payment function needs ${name} (the stack sets it)`);
  return value;
}
