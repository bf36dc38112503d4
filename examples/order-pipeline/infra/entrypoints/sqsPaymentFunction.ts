/**
 * The payment function behind the SQS event source mapping (`sqsPayment.handler`): the same payment handler
 * the ECS consumer runs, wrapped by `sqsHandler` (records processed concurrently, failures reported in
 * `batchItemFailures`). Everything is built once per execution environment, outside the handler.
 */
import { sqsHandler, withSchema } from "@resilient-jobs/lambda-adapter";
import { pipelineConfig } from "../../src/config.js";
import { orderPlacedSchema } from "../../src/orders/orderSchema.js";
import { createPaymentHandler } from "../../src/workers/handlers.js";
import { deployedLogger } from "./deployedPipeline.js";
import { paymentHandlerDeps } from "./paymentFunctionDeps.js";

const logger = deployedLogger("payment-function");

/** The Lambda handler. */
export const handler = sqsHandler(createPaymentHandler(paymentHandlerDeps()), {
  // The topic delivers to the queue with raw message delivery: the body is the order, no envelope to unwrap.
  decode: withSchema(orderPlacedSchema),
  concurrency: pipelineConfig.lambda.batchSize,
  logger,
});
