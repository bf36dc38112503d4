/**
 * True when `id` can name a failed record in a partial batch response: a non-empty string. Lambda treats a
 * response with an empty or missing `itemIdentifier` as a failure of the whole batch only for SQS triggers; an
 * asynchronous invocation (SNS) ignores the response and the record is lost. So a failed record without one must
 * fail the invocation instead (`processPartialBatch` and the Lambda adapter throw), which loses nothing.
 * In a file of its own so a Lambda bundle that checks ids does not take `processPartialBatch`'s defaults along.
 */
export function isBatchItemIdentifier(id: unknown): id is string {
  return typeof id === "string" && id !== "";
}
