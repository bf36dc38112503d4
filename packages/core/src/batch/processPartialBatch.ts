/**
 * Partial batch responses: run a handler over a batch of records and report only the
 * records that failed, so the queue deletes the rest (SQS + Lambda `ReportBatchItemFailures`).
 */

import { checkOption } from "../errors.js";
import { isBatchItemIdentifier } from "./batchItemIdentifier.js";
import { runBatch } from "./runBatch.js";

/** One record the queue must deliver again, by its id. */
export interface BatchItemFailure {
  /** The failed record's id (the SQS `messageId` for SQS records). */
  itemIdentifier: string;
}

/** The partial batch response Lambda expects from an SQS (or Kinesis, DynamoDB stream) handler. */
export interface PartialBatchResponse {
  /** The failed records, in record order. Empty when every record succeeded. */
  batchItemFailures: BatchItemFailure[];
}

/** Options of {@link processPartialBatch}. */
export interface ProcessPartialBatchOptions<R> {
  /**
   * Most records handled at the same time. Ignored with FIFO scope `"batch"`, which runs one
   * record at a time because order is the point; with scope `"group"` it bounds how many
   * message groups run at once (each group still runs in order).
   * @defaultValue all records at once
   */
  concurrency?: number;
  /**
   * FIFO mode: stop at the first failure and report it with the records after it, unstarted.
   * - `true` or `{ scope: "batch" }`: stop the whole batch. This is what AWS asks of Lambda
   *   functions on SQS FIFO queues ("stop processing messages after the first failure and return
   *   all failed and unprocessed messages"): a record may depend on an earlier one of any group.
   * - `{ scope: "group" }`: stop only the failed record's message group; other groups go on
   *   (like Powertools' `skipGroupOnError`). Order within each group still holds, and fewer
   *   records are delivered again, when your records only depend on their own group.
   * Records without a group id (see `getGroupId`) are never skipped for another record's failure in scope "group".
   * @defaultValue `false`
   */
  fifo?: boolean | { scope: "batch" | "group" };
  /**
   * The id reported for a failed record. Only called for failed records.
   * @defaultValue `record.messageId` (SQS records as Lambda delivers them)
   */
  getId?: (record: R) => string;
  /**
   * The FIFO message group of a record; read only with FIFO scope "group".
   * @defaultValue `record.attributes?.MessageGroupId` (SQS records as Lambda delivers them)
   */
  getGroupId?: (record: R) => string | undefined;
  /**
   * Checked before starting each record: a remaining-time guard. Once it returns false (or
   * throws), no further record is started; those not started are reported as failures with a
   * `RecordNotStartedError`, so the queue delivers them again instead of the
   * invocation timing out with all of them in flight.
   * @defaultValue always true
   */
  canStart?: () => boolean;
  /**
   * Called once per failed record, as soon as it fails: the handler's error, or a
   * `RecordNotStartedError` for a record that was not started. Use it to log ids.
   * Errors it throws are ignored, so logging cannot fail the batch.
   * @defaultValue none
   */
  onFailure?: (record: R, error: unknown) => void;
}

const DEFAULTS = {
  concurrency: Number.POSITIVE_INFINITY,
  getId: (record: unknown): string => (record as { messageId?: string } | null | undefined)?.messageId as string,
  getGroupId: (record: unknown): string | undefined =>
    (record as { attributes?: { MessageGroupId?: string } } | null | undefined)?.attributes?.MessageGroupId,
} as const;

const FUNCTION_OPTIONS = ["getId", "getGroupId", "canStart", "onFailure"] as const;

/**
 * Runs `handler` over `records` and resolves with the records that failed, for a partial
 * batch response. A handler's error (thrown or rejected) never escapes: its record is reported.
 *
 * @example
 * ```ts
 * export const handler = (event: SQSEvent) =>
 *   processPartialBatch(event.Records, async (record) => placeOrder(JSON.parse(record.body)), { concurrency: 5 });
 * ```
 * @returns `{ batchItemFailures }` in record order.
 * @throws (rejects with) InvalidOptionError for invalid arguments, or when `getId` returns
 *   no id for a failed record: failing the invocation makes the queue deliver the whole batch
 *   again, which loses nothing.
 */
export async function processPartialBatch<R>(
  records: readonly R[],
  handler: (record: R, index: number) => Promise<unknown>,
  options: ProcessPartialBatchOptions<R> = {},
): Promise<PartialBatchResponse> {
  checkOption(Array.isArray(records), "records", "an array of records", records);
  checkOption(typeof handler === "function", "handler", "a function", handler);
  checkOption(typeof options === "object" && options !== null, "options", "an object", options);
  const concurrency = options.concurrency ?? DEFAULTS.concurrency;
  checkOption(
    concurrency >= 1 && (Number.isInteger(concurrency) || concurrency === Number.POSITIVE_INFINITY),
    "concurrency",
    "an integer >= 1 (or Infinity)",
    concurrency,
  );
  const fifo = fifoScopeOf(options.fifo);
  for (const name of FUNCTION_OPTIONS) {
    checkOption(options[name] === undefined || typeof options[name] === "function", name, "a function", options[name]);
  }
  const getId = options.getId ?? DEFAULTS.getId;
  const failed = await runBatch(records, handler, {
    concurrency,
    fifo,
    getGroupId: options.getGroupId ?? DEFAULTS.getGroupId,
    canStart: options.canStart,
    onFailure: options.onFailure,
  });
  const batchItemFailures: BatchItemFailure[] = [];
  for (const index of failed) {
    const itemIdentifier = getId(records[index] as R);
    checkOption(
      isBatchItemIdentifier(itemIdentifier),
      "getId",
      "a function returning each failed record's id, a non-empty string (the default reads `record.messageId`)",
      itemIdentifier,
    );
    batchItemFailures.push({ itemIdentifier });
  }
  return { batchItemFailures };
}

function fifoScopeOf(fifo: unknown): "batch" | "group" | undefined {
  if (fifo === undefined || fifo === false) return undefined;
  const scope = fifo === true ? "batch" : (fifo as { scope?: unknown } | null)?.scope;
  checkOption(scope === "batch" || scope === "group", "fifo", 'true, false or { scope: "batch" | "group" }', fifo);
  return scope as "batch" | "group";
}
