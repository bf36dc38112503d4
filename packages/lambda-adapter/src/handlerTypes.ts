import type { ConsumerMessage, HandlerContext } from "@resilient-jobs/core";
import type { LambdaContext } from "./events.js";

/**
 * The second argument of a handler run by `sqsHandler` or `snsHandler`: the consumer's {@link HandlerContext}
 * plus the Lambda context. A handler written for the ECS consumer (`MessageHandler`) fits as it is.
 */
export interface LambdaHandlerContext extends HandlerContext {
  /** The invocation's Lambda context (request id, remaining time). */
  readonly lambdaContext: LambdaContext;
}

/**
 * Processes one record. Resolve to have it deleted; throw to have it delivered again or, for a permanent
 * failure with `deadLetter` set, sent to the dead-letter queue. Same shape as the consumer's `MessageHandler`.
 */
export type LambdaMessageHandler<T> = (
  message: ConsumerMessage<T>,
  context: LambdaHandlerContext,
) => Promise<void> | void;
