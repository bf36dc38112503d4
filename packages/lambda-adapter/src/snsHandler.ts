import type { ConsumerMessage } from "@resilient-jobs/core";
import { SnsNotificationFailedError } from "./errors.js";
import type { LambdaContext, SnsEvent, SnsEventRecord } from "./events.js";
import type { LambdaMessageHandler } from "./handlerTypes.js";
import { resolveSnsHandlerOptions, type SnsHandlerOptions } from "./options.js";
import { snsNotificationOf, snsRecordMessage } from "./recordMessage.js";
import { type RecordKind, runLambdaBatch } from "./runLambdaBatch.js";

/** A Lambda function handler for an SNS subscription. */
export type SnsLambdaHandler = (event: SnsEvent, context: LambdaContext) => Promise<void>;

const snsMessageIdOf = (record: SnsEventRecord): string => record?.Sns?.MessageId;

/**
 * Wraps a message handler (the same one the ECS consumer runs) into a Lambda handler for an SNS subscription.
 * The notification's `Message` is decoded (`decode`: `json` by default, `withSchema(schema)` to validate) and
 * handed to the handler with the SNS message id as `message.id` and the notification in `message.sns`.
 *
 * SNS invokes Lambda asynchronously: when the handler fails, this function throws
 * ({@link SnsNotificationFailedError}), Lambda retries the event twice, then sends it to the function's
 * on-failure destination or DLQ. A retry runs the handler again for the same notification, so effects must be
 * idempotent (see `makeIdempotent`). A permanent failure (bad input, or `deadLetter.retryable` says so) goes to
 * `deadLetter` when set, and the invocation succeeds instead of retrying input that cannot succeed.
 *
 * @throws InvalidOptionError when an option is invalid (at creation, not per invocation).
 */
export function snsHandler<T = unknown>(
  handler: LambdaMessageHandler<T>,
  options: SnsHandlerOptions<T> = {},
): SnsLambdaHandler {
  const config = resolveSnsHandlerOptions<T>(handler, options);
  const decode = config.decode;
  const kind: RecordKind<T, SnsEventRecord> = {
    source: "aws:sns",
    id: snsMessageIdOf,
    toMessage(record) {
      const sns = snsNotificationOf(record);
      const decoded = decode(sns.message, sns);
      if (decoded instanceof Promise) {
        return decoded.then(({ body }): ConsumerMessage<T> => snsRecordMessage(record, body, sns));
      }
      return snsRecordMessage(record, decoded.body, sns);
    },
  };

  return async (event, context) => {
    // By SNS message id: a record that failed is reported again, with the deadline's error, if time runs out.
    const failures = new Map<string, unknown>();
    const { batchItemFailures } = await runLambdaBatch(event?.Records, {
      config,
      handler,
      kind,
      // SNS invokes a function with one record per event; should there be more, they run in order.
      concurrency: 1,
      fifo: false,
      context,
      onReported: (record, error) => {
        const messageId = snsMessageIdOf(record);
        if (!failures.has(messageId)) failures.set(messageId, error);
      },
    });
    if (batchItemFailures.length > 0) {
      throw new SnsNotificationFailedError(Array.from(failures, ([messageId, error]) => ({ messageId, error })));
    }
  };
}
