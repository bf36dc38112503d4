/**
 * Who consumes the payment orders in the deployed stack:
 * - `ecs`: the order processor service on Fargate (the app's `--processor ecs`);
 * - `lambda`: a function fed by an SQS event source mapping on the payment queue (the app's `--processor lambda`);
 * - `lambda-sns`: a function subscribed to the topic itself, the study's first serverless design, with an
 *   on-failure destination for the events SNS and Lambda gave up on.
 * The inventory and notification consumers run in the processor service in every case.
 */
export type PaymentProcessorKind = "ecs" | "lambda" | "lambda-sns";

/** Every {@link PaymentProcessorKind}, for validation and tests. */
export const PAYMENT_PROCESSOR_KINDS: readonly PaymentProcessorKind[] = Object.freeze(["ecs", "lambda", "lambda-sns"]);

/**
 * Reads the `processor` context value (`cdk deploy -c processor=lambda`).
 * @throws Error naming the accepted values when `value` is none of them.
 */
export function parsePaymentProcessorKind(value: unknown): PaymentProcessorKind {
  if (value === undefined) return "ecs";
  if (typeof value === "string" && (PAYMENT_PROCESSOR_KINDS as readonly string[]).includes(value)) {
    return value as PaymentProcessorKind;
  }
  throw new Error(`Expected \`processor\` to be one of ${PAYMENT_PROCESSOR_KINDS.join(", ")}, got ${String(value)}`);
}
