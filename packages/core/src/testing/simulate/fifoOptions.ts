/**
 * What a FIFO simulation asks of its messages, faults and invariants, and what a standard one refuses; and how
 * a message is sent to the FIFO queue. Checked up front, so the error names `messages[i]` (the queue's own check
 * at send time could not say which message).
 */
import { checkOption, InvalidOptionError } from "../../errors.js";
import type { SendOptions } from "../../queue/inMemoryQueueOptions.js";
import type { SimMessage, SimulateOptions } from "./simulateOptions.js";

/** SQS's rule for MessageGroupId: 1 to 128 letters, digits or ASCII punctuation. */
const SQS_GROUP_ID = /^[\x21-\x7e]{1,128}$/;

/** Validates what depends on `queue.fifo`; the error names the option and what to do. */
export function checkQueueKind<T>(options: SimulateOptions<T>, fifo: boolean): void {
  options.messages.forEach((message, i) => {
    const { groupId, delayMs } = message;
    if (!fifo) {
      checkOption(
        groupId === undefined,
        `messages[${i}].groupId`,
        "undefined on a standard queue (set `queue: { fifo: true }` to simulate a FIFO queue with message groups)",
        groupId,
      );
      return;
    }
    checkOption(
      typeof groupId === "string" && SQS_GROUP_ID.test(groupId),
      `messages[${i}].groupId`,
      "a message group id on a FIFO queue (`queue.fifo`): 1 to 128 letters, digits or ASCII punctuation, e.g. the customer or account the message belongs to",
      groupId,
    );
    checkOption(
      delayMs === undefined || delayMs === 0,
      `messages[${i}].delayMs`,
      "0 or undefined on a FIFO queue (SQS FIFO queues have no per-message delay)",
      delayMs,
    );
  });
  if (!fifo) {
    const i = (options.invariants ?? []).indexOf("groupOrder");
    if (i !== -1)
      throw new InvalidOptionError(
        `invariants[${i}]`,
        "a check a standard queue has: `groupOrder` needs `queue.fifo`",
        "groupOrder",
      );
    return;
  }
  // Refused rather than skipped: SQS FIFO never delivers a sent message twice by itself, so a plan asking for
  // such copies describes a queue that does not exist; skipping it silently would pass a run the user believes
  // exercised duplicates. The redeliveries FIFO does have come from visibilityExpiry, ackFailure and crash.
  const duplicate = options.faults?.duplicate;
  checkOption(
    duplicate === undefined || duplicate === 0,
    "faults.duplicate",
    "0 or undefined on a FIFO queue: SQS FIFO does not deliver a message twice by itself (redeliveries come from visibilityExpiry, ackFailure and crash, which apply)",
    duplicate,
  );
}

/**
 * The send options of the `index`th message on a FIFO queue. Its deduplication id is its position, unique in a
 * run: the queue must not drop a message the run expects to settle (content-based deduplication would drop two
 * messages with equal bodies), and a user's message id may hold characters SQS refuses in one.
 */
export function fifoSendOptions(message: SimMessage, index: number): SendOptions {
  return { groupId: message.groupId, deduplicationId: `sim-${index + 1}` };
}
