import { randomBytes, randomUUID } from "node:crypto";
import type { LambdaContext } from "../events.js";

/**
 * A Lambda context shaped like the one the Node.js runtime passes: every field
 * `@types/aws-lambda`'s `Context` declares, so handlers typed with it accept it.
 */
export interface LocalLambdaContext extends LambdaContext {
  callbackWaitsForEmptyEventLoop: boolean;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  logGroupName: string;
  logStreamName: string;
  /** @deprecated The Node.js runtime's callback-era API; return a promise instead. Throws here. */
  done(error?: Error, result?: unknown): void;
  /** @deprecated Throws here; reject the returned promise instead. */
  fail(error: Error | string): void;
  /** @deprecated Throws here; resolve the returned promise instead. */
  succeed(messageOrObject: unknown): void;
}

/** Where a local invocation pretends to run. */
export interface LocalFunctionIdentity {
  functionName: string;
  region: string;
  accountId: string;
  memoryLimitInMB: number;
  /** The execution environment's log stream: one per simulated environment, as on Lambda. */
  logStreamName: string;
}

/** A log stream name in the runtime's format: `2026/11/23/[$LATEST]<32 hex chars>`. */
export function localLogStreamName(nowMs: number): string {
  const day = new Date(nowMs).toISOString().slice(0, 10).replaceAll("-", "/");
  return `${day}/[$LATEST]${randomBytes(16).toString("hex")}`;
}

/**
 * Builds the context of one local invocation. Its remaining time counts down from
 * `timeoutMs` on the given clock, as `getRemainingTimeInMillis()` does on Lambda.
 */
export function createLocalContext(
  identity: LocalFunctionIdentity,
  timeoutMs: number,
  now: () => number = Date.now,
): LocalLambdaContext {
  const deadline = now() + timeoutMs;
  const callbackApi = (): never => {
    throw new Error(
      "runLocally supports async handlers only: return a promise instead of calling context.done/fail/succeed",
    );
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: identity.functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:${identity.region}:${identity.accountId}:function:${identity.functionName}`,
    memoryLimitInMB: String(identity.memoryLimitInMB),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${identity.functionName}`,
    logStreamName: identity.logStreamName,
    getRemainingTimeInMillis: () => Math.max(0, deadline - now()),
    done: callbackApi,
    fail: callbackApi,
    succeed: callbackApi,
  };
}
