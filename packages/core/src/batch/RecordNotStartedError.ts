import { TransientError } from "../errors.js";

/**
 * Why `processPartialBatch` did not start a record:
 * - `"out-of-time"`: `canStart` said no (or threw), e.g. too little Lambda time left;
 * - `"fifo-batch-stopped"`: FIFO scope "batch", and an earlier record of the batch failed;
 * - `"fifo-group-stopped"`: FIFO scope "group", and an earlier record of its message group failed.
 */
export type RecordNotStartedReason = "out-of-time" | "fifo-batch-stopped" | "fifo-group-stopped";

/**
 * A record `processPartialBatch` reported as failed without running it, so the queue
 * delivers it again. Transient: nothing is wrong with the record itself.
 * Passed to `onFailure`; `cause` holds what `canStart` threw, if it threw.
 */
export class RecordNotStartedError extends TransientError {
  override name = "RecordNotStartedError";
  /** Why the record was not started. */
  readonly reason: RecordNotStartedReason;

  constructor(reason: RecordNotStartedReason, options?: { cause?: unknown }) {
    // The reason names why; no sentence per reason, so a Lambda bundle carries none of them.
    super(`Record not started (${reason}): reported for redelivery`, options);
    this.reason = reason;
  }
}
