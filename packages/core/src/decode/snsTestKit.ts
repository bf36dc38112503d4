/**
 * Test helper of core's own tests (not exported from the package): an SQS body as SNS delivers it to a subscribed
 * queue without raw message delivery.
 */

/** The topic the test notifications come from. */
export const TEST_TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:orders";

/** The SNS Notification envelope of `message`; `fields` adds or replaces envelope fields (MessageAttributes...). */
export function snsNotificationBody(message: string, fields: Record<string, unknown> = {}): string {
  return JSON.stringify({
    Type: "Notification",
    MessageId: "sns-1",
    TopicArn: TEST_TOPIC_ARN,
    Message: message,
    Timestamp: "2026-11-23T10:00:00.000Z",
    ...fields,
  });
}
