import type { ConsumerMessage } from "@resilient-jobs/core";
import type { LambdaContext, SqsBatchResponse, SqsEvent, SqsRecord } from "./events.js";
import type { LambdaMessageHandler } from "./handlerTypes.js";
import { resolveSqsHandlerOptions, type SqsHandlerOptions } from "./options.js";
import { SqsRecordMessage } from "./recordMessage.js";
import { type RecordKind, runLambdaBatch } from "./runLambdaBatch.js";

/** A Lambda function handler for an SQS event source mapping with `ReportBatchItemFailures` on. */
export type SqsLambdaHandler = (event: SqsEvent, context: LambdaContext) => Promise<SqsBatchResponse>;

const messageIdOf = (record: SqsRecord): string => record?.messageId;
const messageGroupOf = (record: SqsRecord): string | undefined => record.attributes.MessageGroupId;

/**
 * Wraps a message handler (the same one the ECS consumer runs) into a Lambda handler for SQS triggers.
 * Records are decoded by `decode` (default `json`; `snsEnvelope(json)` for a topic's notifications without raw
 * delivery, `withSchema(schema)` to validate) and handled with bounded concurrency; the failed ones are
 * returned in `batchItemFailures`, so SQS deletes only the rest.
 * The event source mapping must have `ReportBatchItemFailures` on, or a partial failure retries the
 * whole batch.
 *
 * - FIFO queues (detected from the event source ARN): the first failure stops the batch; it and every later
 *   record are reported, so order holds.
 * - Remaining time: no record starts with less than `stopStartingBeforeTimeoutMs` left, and handlers'
 *   `signal` fires `abortBeforeTimeoutMs` before the timeout (both margins shrink to fit a short function
 *   timeout); what did not finish is reported, never dropped.
 * - Bad input (decode or schema failure) is permanent: sent to `deadLetter` when set, else reported and
 *   left to the queue's redrive policy.
 *
 * Create it once, at module scope: its first invocation is logged as the cold start.
 *
 * @example
 * ```ts
 * export const handler = sqsHandler<Order>(async (message, { signal, log }) => {
 *   await placeOrder(message.body, { signal });
 * }, { decode: withSchema(orderSchema) });
 * ```
 * @throws InvalidOptionError when an option is invalid (at creation, not per invocation).
 */
export function sqsHandler<T = unknown>(
  handler: LambdaMessageHandler<T>,
  options: SqsHandlerOptions<T> = {},
): SqsLambdaHandler {
  const config = resolveSqsHandlerOptions<T>(handler, options);
  const decode = config.decode;
  const kind: RecordKind<T, SqsRecord> = {
    source: "aws:sqs",
    id: messageIdOf,
    groupId: messageGroupOf,
    toMessage(record) {
      const decoded = decode(record.body, record);
      return decoded instanceof Promise
        ? decoded.then((settled): ConsumerMessage<T> => new SqsRecordMessage(record, settled))
        : new SqsRecordMessage(record, decoded);
    },
  };

  return async (event, context) => {
    const records = event?.Records;
    // FIFO queues' names end in `.fifo`; every record of an event comes from the same queue.
    const fifo =
      config.fifo === "auto" ? records?.[0]?.eventSourceARN?.endsWith(".fifo") === true && "batch" : config.fifo;
    return runLambdaBatch(records, {
      config,
      handler,
      kind,
      concurrency: config.concurrency,
      fifo,
      context,
    });
  };
}
