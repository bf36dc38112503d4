/**
 * Options of `sqsHandler` and `snsHandler`, their defaults (declared once, in LAMBDA_HANDLER_DEFAULTS) and
 * their validation: everything is checked when the handler is created, at init, never per invocation.
 */
import {
  checkOption,
  createJsonLogger,
  type Decoder,
  json,
  type LargePayloads,
  type Logger,
} from "@resilient-jobs/core";
import type { InvocationLogs } from "./coldStart.js";
import type { DeadLetterTarget } from "./deadLetter.js";
import type { SnsEventRecord, SqsRecord } from "./events.js";
import type { DeadlineMargins } from "./invocationDeadline.js";

/** What `sqsHandler` and `snsHandler` share. `T` is the decoded body's type (inferred from `schema`). */
export interface LambdaHandlerOptions<T = unknown> {
  /**
   * How bodies are decoded: a decoder value from `@resilient-jobs/core` (re-exported here), so the function's
   * bundle carries only the one it names. `json`; `text`; `parseWith(parse)` for your own format;
   * `snsEnvelope(json)` for a queue subscribed to an SNS topic without raw message delivery (`message.sns` is then
   * the notification); `withSchema(schema, from?)` for a Standard Schema v1 (zod 4, valibot 1, arktype) each body
   * must pass, which also types `message.body`. Bad input (`DecodeError`, `ValidationError`) is permanent.
   * @defaultValue `json`
   */
  decode?: Decoder<T>;
  /**
   * Large payloads: offloaded bodies (AWS's extended-client pointer) and compressed ones are resolved before
   * decoding, so the decoder and the handler see the payload. `s3Payloads({ client, bucket })` from
   * `@resilient-jobs/core/s3`: the S3 code is bundled only into functions that pass it. A missing object is a
   * permanent `PayloadNotFoundError` (to `deadLetter` when set); a failing store a transient `PayloadStoreError`.
   * Objects are never deleted here (the Lambda service deletes the messages, after the response): expire them
   * with a lifecycle rule.
   * @defaultValue none: bodies are decoded as they are
   */
  payloads?: LargePayloads;
  /**
   * Stop starting records when fewer than this many milliseconds of the invocation remain. The records not
   * started are reported as failures, so the queue delivers them again; none is dropped. Never more than half
   * of the time an invocation starts with, so a short function timeout still runs records (a warning is logged
   * once per execution environment when the margin is reduced).
   * @defaultValue 1,000
   */
  stopStartingBeforeTimeoutMs?: number;
  /**
   * The handlers' `signal` fires this many milliseconds before the invocation would time out, and the
   * records still running are reported as failures, so the response reaches Lambda before it kills the
   * invocation (a timed-out invocation retries the whole batch, successes included). At most
   * `stopStartingBeforeTimeoutMs`, and never more than a quarter of the time an invocation starts with.
   * @defaultValue 500
   */
  abortBeforeTimeoutMs?: number;
  /**
   * Where logs go. Every line carries `awsRequestId` and `coldStart`; lines about a record carry its
   * `messageId`. Bodies are never logged. Failures are logged at `warn`, per-record success at `debug`.
   * @defaultValue `createJsonLogger({ level: "info" })`
   */
  logger?: Logger;
}

/** Options of `sqsHandler`. */
export interface SqsHandlerOptions<T = unknown> extends LambdaHandlerOptions<T> {
  /**
   * Most records handled at once; 1 handles them one by one, in order. With FIFO scope `"group"` it bounds the
   * groups running at once; with FIFO scope `"batch"` records always run one by one.
   * @defaultValue 10
   */
  concurrency?: number;
  /**
   * FIFO handling. `"auto"`: FIFO when the records' `eventSourceARN` ends in `.fifo`. FIFO stops at the first
   * failure and reports it and every later record, as AWS requires; `{ scope: "group" }` stops only the failed
   * record's message group.
   * @defaultValue `"auto"`
   */
  fifo?: "auto" | boolean | { scope: "batch" | "group" };
  /**
   * Where permanently failing records go at once: `sqsDeadLetterQueue({ queueUrl, client })` for an SQS queue,
   * or `deadLetterTarget({ send, retryable })` for your own. Its `retryable` says which handler errors are
   * permanent; bad input always is. A record sent there counts as handled; if sending fails, it is reported
   * instead. Without it, every failure is reported and the queue's redrive policy moves a record after
   * `maxReceiveCount` receives.
   * @defaultValue none
   */
  deadLetter?: DeadLetterTarget<SqsRecord>;
}

/** Options of `snsHandler`. */
export interface SnsHandlerOptions<T = unknown> extends LambdaHandlerOptions<T> {
  /**
   * Where permanently failing notifications go instead of being retried by Lambda:
   * `sqsDeadLetterQueue({ queueUrl, client })`, or `deadLetterTarget({ send, retryable })`. Without it the handler
   * throws, Lambda retries the event twice, and then the function's on-failure destination (or DLQ) receives it.
   * @defaultValue none
   */
  deadLetter?: DeadLetterTarget<SnsEventRecord>;
}

/** The defaults of the handler options, declared once. */
export const LAMBDA_HANDLER_DEFAULTS = Object.freeze({
  decode: json,
  concurrency: 10,
  fifo: "auto",
  stopStartingBeforeTimeoutMs: 1_000,
  abortBeforeTimeoutMs: 500,
  logLevel: "info",
} as const);

/** What `decode` takes; named by the errors about it and about the options it replaced. */
const DECODERS = "json, text, parseWith(parse), snsEnvelope(json) or withSchema(schema)";
const USE_DECODE = `\`decode\` to ${DECODERS}`;

/**
 * Options that are gone, and what replaces each: refused at creation with an `InvalidOptionError` that says so,
 * never silently ignored.
 */
const REPLACED_OPTIONS = {
  format: USE_DECODE,
  unwrapSns: USE_DECODE,
  schema: USE_DECODE,
  // The consumer has a top-level `retryable`; here it belongs to the dead-letter target, the only one to ask it.
  retryable: "`deadLetter: deadLetterTarget({ send, retryable })`",
};

/** FIFO handling once resolved: `"auto"` is decided per invocation from the event source ARN. */
export type FifoMode = "auto" | false | "batch" | "group";

/**
 * The validated configuration shared by both handlers. One per handler, so once per execution environment:
 * `coldStart` and `warned`, its only fields that change, keep what must be seen once (the cold start, a margin
 * warning).
 */
export interface LambdaHandlerConfig<T, R> extends DeadlineMargins, InvocationLogs {
  readonly decode: Decoder<T>;
  readonly deadLetter: DeadLetterTarget<R> | undefined;
}

/** The resolved configuration of `sqsHandler`. */
export interface SqsHandlerConfig<T> extends LambdaHandlerConfig<T, SqsRecord> {
  readonly concurrency: number;
  readonly fifo: FifoMode;
}

/** Resolves and validates `sqsHandler`'s options. @throws InvalidOptionError naming the first invalid option. */
export function resolveSqsHandlerOptions<T>(handler: unknown, options: SqsHandlerOptions<T>): SqsHandlerConfig<T> {
  const config = resolveShared<T, SqsRecord>(handler, options) as LambdaHandlerConfig<T, SqsRecord> & {
    concurrency: number;
    fifo: FifoMode;
  };
  config.concurrency = optionOf(options, "concurrency", "an integer >= 1", 1, Number.MAX_SAFE_INTEGER, true);
  const { fifo } = options;
  // Left out (`undefined` or `null`), it is the default, "auto", with nothing to resolve. Set on the shared
  // config, not spread into a copy: a first spread costs its compilation at init, the cold start.
  config.fifo = fifo == null ? LAMBDA_HANDLER_DEFAULTS.fifo : resolveFifo(fifo);
  return config;
}

/** Resolves and validates `snsHandler`'s options. @throws InvalidOptionError naming the first invalid option. */
export function resolveSnsHandlerOptions<T>(
  handler: unknown,
  options: SnsHandlerOptions<T>,
): LambdaHandlerConfig<T, SnsEventRecord> {
  // The SNS event already carries the notification: its Message is the publisher's body, never an envelope.
  const { unwrapSns } = (options ?? {}) as { unwrapSns?: unknown };
  checkOption(
    unwrapSns === undefined,
    "unwrapSns",
    "left out: snsHandler always reads the notification's `Message`",
    unwrapSns,
  );
  return resolveShared<T, SnsEventRecord>(handler, options);
}

function resolveShared<T, R>(
  handler: unknown,
  options: LambdaHandlerOptions<T> & { deadLetter?: DeadLetterTarget<R> },
): LambdaHandlerConfig<T, R> {
  checkOption(typeof handler === "function", "handler", "a function", handler);
  checkOption(typeof options === "object" && options !== null, "options", "an object", options);
  const stopMs = optionOf(options, "stopStartingBeforeTimeoutMs", MILLISECONDS, 0, 900_000);
  const abortMs = optionOf(
    options,
    "abortBeforeTimeoutMs",
    `${MILLISECONDS}, at most \`stopStartingBeforeTimeoutMs\``,
    0,
    stopMs,
  );
  const { logger, deadLetter, decode = LAMBDA_HANDLER_DEFAULTS.decode as Decoder<T>, payloads } = options;
  for (const name in REPLACED_OPTIONS) {
    const value = (options as Record<string, unknown>)[name];
    checkOption(value === undefined, name, `left out: set ${REPLACED_OPTIONS[name as "retryable"]}`, value);
  }
  checkOption(typeof decode === "function", "decode", `a decoder: ${DECODERS}`, decode);
  checkOption(
    deadLetter === undefined || typeof deadLetter?.route === "function",
    "deadLetter",
    "sqsDeadLetterQueue(...) or deadLetterTarget(...)",
    deadLetter,
  );
  checkOption(logger === undefined || typeof logger?.warn === "function", "logger", "a Logger", logger);
  return {
    // With `payloads`, its decoder resolves pointers first; without, nothing of it is bundled or run.
    // A `payloads` value without a decoder fails here (not a function), instead of leaving pointers unresolved.
    decode: payloads ? payloads.decoder<T>(decode) : decode,
    deadLetter,
    // Read by startDeadline and invocationLog, plain values rather than closures made here: init runs (and
    // compiles) as little as possible, which is the cold start.
    stopMs,
    abortMs,
    warned: false,
    // The JSON logger's own default level is `LAMBDA_HANDLER_DEFAULTS.logLevel`.
    logger: logger ?? createJsonLogger(),
    // With provisioned concurrency the environment was initialised ahead of the request: no cold start to see.
    coldStart: process.env.AWS_LAMBDA_INITIALIZATION_TYPE !== "provisioned-concurrency",
  };
}

/** The options that are numbers. */
type NumberOption = "concurrency" | "stopStartingBeforeTimeoutMs" | "abortBeforeTimeoutMs";

/**
 * A number option's value, or its default when left out (`undefined` or `null`), checked to be within `min` and
 * `max` (and whole, if `integer`): each option's name is written once, so the one that reads it, its default and
 * its error cannot drift apart. No predicate functions: this runs once, at init, where each function called for
 * the first time costs its compilation (the cold start).
 */
function optionOf(
  options: { readonly [name in NumberOption]?: unknown },
  name: NumberOption,
  expected: string,
  min: number,
  max: number,
  integer = false,
): number {
  const value = options[name] ?? LAMBDA_HANDLER_DEFAULTS[name];
  checkOption(
    typeof value === "number" && value >= min && value <= max && (!integer || Number.isInteger(value)),
    name,
    expected,
    value,
  );
  return value;
}

const MILLISECONDS = "milliseconds from 0 to 900000";

function resolveFifo(fifo: unknown): FifoMode {
  if (fifo === "auto" || fifo === false) return fifo;
  const scope = fifo === true ? "batch" : (fifo as { scope?: unknown } | null)?.scope;
  checkOption(
    scope === "batch" || scope === "group",
    "fifo",
    '"auto", true, false or { scope: "batch" | "group" }',
    fifo,
  );
  return scope as "batch" | "group";
}
