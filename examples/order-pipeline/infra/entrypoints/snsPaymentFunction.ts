/**
 * The payment function subscribed to the orders topic (`snsPayment.handler`), the study's first serverless
 * design: `snsHandler` runs the payment handler for the notification and throws when it fails, so Lambda
 * retries the event twice and then sends it to the on-failure destination the stack configures.
 */
import { snsHandler, withSchema } from "@resilient-jobs/lambda-adapter";
import { orderPlacedSchema } from "../../src/orders/orderSchema.js";
import { createPaymentHandler } from "../../src/workers/handlers.js";
import { deployedLogger } from "./deployedPipeline.js";
import { paymentHandlerDeps } from "./paymentFunctionDeps.js";

const logger = deployedLogger("payment-function");

/** The Lambda handler. */
export const handler = snsHandler(createPaymentHandler(paymentHandlerDeps()), {
  decode: withSchema(orderPlacedSchema),
  logger,
});
