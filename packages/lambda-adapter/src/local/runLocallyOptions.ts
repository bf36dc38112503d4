/**
 * Options of `runLocally`, their defaults (declared once, in RUN_LOCALLY_DEFAULTS) and their validation.
 */
import { createJsonLogger, InvalidOptionError, type Logger, type MessageSource } from "@resilient-jobs/core";
import type { SqsBatchResponse, SqsEvent } from "../events.js";
import type { LocalLambdaContext } from "./localContext.js";

/** The callback the Node.js runtime passes as a handler's third argument (callback-style handlers). */
// biome-ignore lint/suspicious/noConfusingVoidType: matches @types/aws-lambda's Callback<SQSBatchResponse | void>.
export type LocalCallback = (error?: Error | string | null, result?: SqsBatchResponse | void | null) => void;

/**
 * A Lambda function for SQS events: what `sqsHandler` returns, or any handler typed with
 * `@types/aws-lambda`'s `SQSHandler`.
 */
export type LocalSqsFunction = (
  event: SqsEvent,
  context: LocalLambdaContext,
  callback: LocalCallback,
  // biome-ignore lint/suspicious/noConfusingVoidType: `SQSHandler` returns Promise<SQSBatchResponse | void>.
) => Promise<SqsBatchResponse | void | null | undefined> | void;

/** Options of `runLocally`. */
export interface RunLocallyOptions {
  /** Where records come from: an `InMemoryQueue`, an `SqsSource`, or any other `MessageSource`. */
  source: MessageSource;
  /** The function to invoke, e.g. the `handler` your Lambda module exports. */
  handler: LocalSqsFunction;
  /**
   * Most records per invocation (the mapping's `BatchSize`). Above 10 it needs `batchWindowMs`, as on AWS.
   * @defaultValue 10
   */
  batchSize?: number;
  /**
   * How long to gather records before invoking (the mapping's `MaximumBatchingWindowInSeconds`, in ms).
   * 0 invokes with what one receive returned.
   * @defaultValue 0
   */
  batchWindowMs?: number;
  /**
   * The function's timeout: `getRemainingTimeInMillis()` counts down from it, and an invocation still running
   * when it passes counts as failed, so none of its records is deleted (as on Lambda).
   * @defaultValue 3,000 (Lambda's default)
   */
  functionTimeoutMs?: number;
  /**
   * Most invocations running at once (the mapping's `ScalingConfig.MaximumConcurrency`).
   * @defaultValue 2
   */
  maxConcurrency?: number;
  /**
   * The queue's ARN as records name it (`eventSourceARN`). A name ending in `.fifo` makes `sqsHandler` treat
   * the batch as FIFO.
   * @defaultValue derived from the source's `queueUrl` (SqsSource) or `name` (InMemoryQueue), in `us-east-1`
   */
  eventSourceArn?: string;
  /** The function name in the context. @defaultValue `"local-function"` */
  functionName?: string;
  /** The memory size in the context. @defaultValue 128 */
  memoryLimitInMB?: number;
  /**
   * Long-poll wait of one receive, in milliseconds.
   * @defaultValue 20,000
   */
  receiveWaitTimeMs?: number;
  /**
   * Where the runner logs invocation errors, timeouts and failed deletes (ids only).
   * @defaultValue `createJsonLogger({ level: "info", base: { component: "runLocally" } })`
   */
  logger?: Logger;
  /** The clock, in epoch milliseconds (the context's remaining time reads it). @defaultValue `Date.now` */
  now?: () => number;
}

/** The defaults of {@link RunLocallyOptions}, declared once. */
export const RUN_LOCALLY_DEFAULTS = Object.freeze({
  batchSize: 10,
  batchWindowMs: 0,
  functionTimeoutMs: 3_000,
  maxConcurrency: 2,
  functionName: "local-function",
  memoryLimitInMB: 128,
  receiveWaitTimeMs: 20_000,
  region: "us-east-1",
  accountId: "123456789012",
  queueName: "local-queue",
  senderId: "AIDALOCALRUNNER000000",
});

/** The validated, frozen configuration of `runLocally`. */
export interface RunLocallyConfig {
  readonly source: MessageSource;
  readonly handler: LocalSqsFunction;
  readonly batchSize: number;
  readonly batchWindowMs: number;
  readonly functionTimeoutMs: number;
  readonly maxConcurrency: number;
  readonly eventSourceArn: string;
  readonly region: string;
  readonly accountId: string;
  readonly functionName: string;
  readonly memoryLimitInMB: number;
  readonly receiveWaitTimeMs: number;
  readonly logger: Logger;
  readonly now: () => number;
}

/** Applies the defaults and validates every option. @throws InvalidOptionError naming the first invalid option. */
export function resolveRunLocallyOptions(options: RunLocallyOptions): RunLocallyConfig {
  if (typeof options !== "object" || options === null) throw new InvalidOptionError("options", "an object", options);
  const d = RUN_LOCALLY_DEFAULTS;
  const { source, handler } = options;
  if (typeof source?.receive !== "function" || typeof source.ack !== "function") {
    throw new InvalidOptionError("source", "a MessageSource (receive, ack, ...)", source);
  }
  if (typeof handler !== "function") throw new InvalidOptionError("handler", "a Lambda handler function", handler);
  const batchWindowMs = number("batchWindowMs", options.batchWindowMs ?? d.batchWindowMs, 0, 300_000);
  const batchSize = integer("batchSize", options.batchSize ?? d.batchSize, 1, 10_000);
  if (batchSize > 10 && batchWindowMs === 0) {
    // As on AWS: a batch size above 10 needs a batching window.
    throw new InvalidOptionError(
      "batchSize",
      "at most 10 without a `batchWindowMs` (AWS requires a batching window above 10)",
      batchSize,
    );
  }
  const eventSourceArn = options.eventSourceArn ?? arnOfSource(source);
  const arn = /^arn:aws[a-z-]*:sqs:([a-z0-9-]+):(\d{12}):([\w.-]+)$/.exec(eventSourceArn);
  if (arn === null)
    throw new InvalidOptionError(
      "eventSourceArn",
      "an SQS queue ARN (arn:aws:sqs:region:account:name)",
      eventSourceArn,
    );
  const logger = options.logger ?? createJsonLogger({ level: "info", base: { component: "runLocally" } });
  if (typeof logger.warn !== "function") throw new InvalidOptionError("logger", "a Logger", logger);
  const now = options.now ?? Date.now;
  if (typeof now !== "function") throw new InvalidOptionError("now", "a function", now);
  const functionName = options.functionName ?? d.functionName;
  if (typeof functionName !== "string" || !/^[\w-]{1,64}$/.test(functionName)) {
    throw new InvalidOptionError(
      "functionName",
      "a Lambda function name (letters, digits, - and _; up to 64)",
      functionName,
    );
  }
  return Object.freeze({
    source,
    handler,
    batchSize,
    batchWindowMs,
    functionTimeoutMs: number("functionTimeoutMs", options.functionTimeoutMs ?? d.functionTimeoutMs, 1, 900_000),
    maxConcurrency: integer("maxConcurrency", options.maxConcurrency ?? d.maxConcurrency, 1, 1_000),
    eventSourceArn,
    region: arn[1]!,
    accountId: arn[2]!,
    functionName,
    memoryLimitInMB: integer("memoryLimitInMB", options.memoryLimitInMB ?? d.memoryLimitInMB, 128, 10_240),
    receiveWaitTimeMs: number("receiveWaitTimeMs", options.receiveWaitTimeMs ?? d.receiveWaitTimeMs, 0, 20_000),
    logger,
    now,
  });
}

/**
 * The ARN a source's queue would have on AWS: from an SQS URL (`https://sqs.<region>.amazonaws.com/<account>/<name>`,
 * or an emulator's `http://host:port/<account>/<name>`), else from an in-memory queue's `name` and `fifo`.
 */
export function arnOfSource(source: MessageSource): string {
  const d = RUN_LOCALLY_DEFAULTS;
  const { queueUrl, name, fifo } = source as { queueUrl?: unknown; name?: unknown; fifo?: unknown };
  if (typeof queueUrl === "string") {
    const url = parseUrl(queueUrl);
    const [account, queueName] = url?.pathname.split("/").filter(Boolean) ?? [];
    const region = /^sqs\.([a-z0-9-]+)\./.exec(url?.hostname ?? "")?.[1] ?? d.region;
    if (account !== undefined && /^\d{12}$/.test(account) && queueName !== undefined) {
      return `arn:aws:sqs:${region}:${account}:${queueName}`;
    }
  }
  let queueName = typeof name === "string" && /^[\w.-]{1,80}$/.test(name) ? name : d.queueName;
  if (fifo === true && !queueName.endsWith(".fifo")) queueName += ".fifo";
  return `arn:aws:sqs:${d.region}:${d.accountId}:${queueName}`;
}

function integer(option: string, value: unknown, min: number, max: number): number {
  if (typeof value === "number" && Number.isInteger(value) && value >= min && value <= max) return value;
  throw new InvalidOptionError(option, `an integer from ${min} to ${max}`, value);
}

function number(option: string, value: unknown, min: number, max: number): number {
  if (typeof value === "number" && value >= min && value <= max) return value;
  throw new InvalidOptionError(option, `a number of milliseconds from ${min} to ${max}`, value);
}

function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}
