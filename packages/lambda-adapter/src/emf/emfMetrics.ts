/**
 * CloudWatch Embedded Metric Format for Lambda handlers, for teams without an OpenTelemetry collector: one JSON
 * line per invocation on stdout, which CloudWatch Logs turns into metrics (no agent, no API call, no dependency).
 * Per record would cost a log line per message; per invocation, the per-record queue times travel as one array.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
import type { LambdaContext, SnsEvent, SqsBatchResponse, SqsEvent } from "../events.js";

/** Options of {@link withEmfMetrics}. */
export interface EmfMetricsOptions {
  /** The CloudWatch namespace of the metrics (e.g. `"OrderPipeline"`). */
  namespace: string;
  /**
   * Extra dimensions, added to `FunctionName` (each dimension set multiplies the metrics' cost: keep it small).
   * @defaultValue `{}`
   */
  dimensions?: Readonly<Record<string, string>>;
  /**
   * Where the line goes.
   * @defaultValue `process.stdout.write(line + "\n")` (Lambda sends stdout to CloudWatch Logs)
   */
  write?: (line: string) => void;
  /** The clock, epoch milliseconds. @defaultValue `Date.now` */
  now?: () => number;
}

/** The metrics of one invocation, as written in its EMF line. */
export const EMF_METRICS = Object.freeze([
  { Name: "Records", Unit: "Count" },
  { Name: "Succeeded", Unit: "Count" },
  { Name: "Failed", Unit: "Count" },
  { Name: "Redelivered", Unit: "Count" },
  { Name: "InvocationDuration", Unit: "Milliseconds" },
  { Name: "QueueTime", Unit: "Milliseconds" },
] as const);

// EMF takes at most 100 values per metric in one line.
const MAX_VALUES = 100;

type AnyEvent = SqsEvent | SnsEvent;
type Handler<E extends AnyEvent, R> = (event: E, context: LambdaContext) => Promise<R>;

/**
 * Wraps a handler made by `sqsHandler` / `snsHandler` (or their traced versions) so that each invocation writes
 * one EMF line: records, succeeded, failed (reported in `batchItemFailures`, or all when the invocation threw),
 * redelivered (receive count above 1), the invocation's duration, and each record's queue time (now - sent).
 *
 * @example
 * ```ts
 * export const handler = withEmfMetrics(sqsHandler(charge), { namespace: "OrderPipeline" });
 * ```
 */
export function withEmfMetrics<E extends AnyEvent, R>(
  handler: Handler<E, R>,
  options: EmfMetricsOptions,
): Handler<E, R> {
  const now = options.now ?? Date.now;
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const extra = options.dimensions ?? {};
  const dimensionNames = ["FunctionName", ...Object.keys(extra)];
  return async (event, context) => {
    const startedAt = now();
    let failed = 0;
    let threw = false;
    try {
      const response = await handler(event, context);
      failed = (response as SqsBatchResponse | undefined)?.batchItemFailures?.length ?? 0;
      return response;
    } catch (error) {
      threw = true;
      throw error;
    } finally {
      const records = (event?.Records ?? []) as readonly unknown[];
      const { queueTimes, redelivered } = recordFigures(records, startedAt);
      if (threw) failed = records.length;
      const line = {
        _aws: {
          Timestamp: startedAt,
          CloudWatchMetrics: [{ Namespace: options.namespace, Dimensions: [dimensionNames], Metrics: EMF_METRICS }],
        },
        FunctionName: context?.functionName ?? "unknown",
        ...extra,
        Records: records.length,
        Succeeded: records.length - failed,
        Failed: failed,
        Redelivered: redelivered,
        InvocationDuration: now() - startedAt,
        QueueTime: queueTimes,
      };
      try {
        write(JSON.stringify(line));
      } catch {
        // Metrics must never fail an invocation.
      }
    }
  };
}

function recordFigures(records: readonly unknown[], at: number): { queueTimes: number[]; redelivered: number } {
  const queueTimes: number[] = [];
  let redelivered = 0;
  for (const record of records) {
    const sqs = (record as { attributes?: { SentTimestamp?: string; ApproximateReceiveCount?: string } }).attributes;
    const sns = (record as { Sns?: { Timestamp?: string } }).Sns;
    const sentAt = sqs?.SentTimestamp !== undefined ? Number(sqs.SentTimestamp) : Date.parse(sns?.Timestamp ?? "");
    if (Number.isFinite(sentAt) && queueTimes.length < MAX_VALUES) queueTimes.push(Math.max(0, at - sentAt));
    if (Number(sqs?.ApproximateReceiveCount) > 1) redelivered++;
  }
  return { queueTimes, redelivered };
}
