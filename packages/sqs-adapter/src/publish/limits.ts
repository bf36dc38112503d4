/**
 * Service limits the publishers check before calling AWS. fauxqs enforces only some of them, so the
 * publishers validate all of them: a message AWS would reject fails the same way locally and in production.
 */

/** SQS's largest message, body plus attributes (raised from 256 KiB to 1 MiB in 2025). */
export const SQS_MAX_MESSAGE_BYTES = 1_048_576;
/** SNS's largest message, body plus attributes. */
export const SNS_MAX_MESSAGE_BYTES = 262_144;
/** Entries per SendMessageBatch / PublishBatch request. */
export const MAX_BATCH_ENTRIES = 10;
/** Message attributes per message (SQS; SNS raw delivery to SQS has the same limit). */
export const MAX_MESSAGE_ATTRIBUTES = 10;
/** Longest per-message delay SQS accepts (15 minutes). */
export const MAX_DELAY_SECONDS = 900;
