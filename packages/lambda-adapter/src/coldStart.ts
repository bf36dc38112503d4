import { type Logger, withFields } from "@resilient-jobs/core";
import type { LambdaContext } from "./events.js";

/**
 * Tells each invocation whether it is the execution environment's first (a cold start) and gives it a
 * logger with `awsRequestId` and `coldStart` on every line. Create one per handler, at init: Lambda creates
 * the handler once per execution environment, so the first call is the cold one.
 */
export function createInvocationLogs(logger: Logger): (context: LambdaContext) => Logger {
  // With provisioned concurrency the environment was initialised ahead of the request: no cold start to see.
  let coldStart = process.env.AWS_LAMBDA_INITIALIZATION_TYPE !== "provisioned-concurrency";
  return (context) => {
    const log = withFields(logger, { awsRequestId: context.awsRequestId, coldStart });
    coldStart = false;
    return log;
  };
}
