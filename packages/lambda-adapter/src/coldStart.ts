import { type Logger, withFields } from "@resilient-jobs/core";
import type { LambdaContext } from "./events.js";

/** What a handler keeps for its invocations' logs: its logger, and whether the next invocation is a cold start. */
export interface InvocationLogs {
  readonly logger: Logger;
  coldStart: boolean;
}

/**
 * An invocation's logger, with `awsRequestId` and `coldStart` on every line. `logs` is the handler's: Lambda
 * creates the handler once per execution environment, so its first invocation is the cold one (with provisioned
 * concurrency the environment was initialised ahead of the request: no cold start to see).
 */
export function invocationLog(logs: InvocationLogs, context: LambdaContext): Logger {
  const log = withFields(logs.logger, { awsRequestId: context.awsRequestId, coldStart: logs.coldStart });
  logs.coldStart = false;
  return log;
}
