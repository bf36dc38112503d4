/**
 * The SNS envelope: what an SQS queue subscribed to an SNS topic receives as its body when
 * raw message delivery is off (the default). The publisher's message is the `Message` string.
 */

import { DecodeError } from "../errors.js";

/** An SNS notification unwrapped from an SQS body. */
export interface SnsNotification {
  /** The topic the message was published to. */
  topicArn: string;
  /** SNS's message id (not the SQS message id). */
  messageId: string;
  /** The subject given at publish time, if any. */
  subject?: string;
  /** When SNS accepted the message, ISO 8601. */
  timestamp: string;
  /** The published message, as the publisher sent it. */
  message: string;
  /** The SNS message attributes' values, by name (binary ones stay base64). */
  attributes: Record<string, string>;
}

/**
 * Reads an SNS Notification envelope from the parsed JSON of an SQS body.
 *
 * @param value - the result of `JSON.parse` on the SQS body.
 * @returns the notification, or `undefined` when `value` is not one (raw message delivery,
 *   any other JSON, or another SNS message type such as `SubscriptionConfirmation`).
 * @throws DecodeError when `value` claims to be a notification (`Type` "Notification" and a
 *   `TopicArn`) but a required field is missing or not a string.
 */
export function parseSnsEnvelope(value: unknown): SnsNotification | undefined {
  // The cheap test first: on raw delivery this is all the work done per message.
  const envelope = value as Record<string, unknown> | null;
  if (envelope?.Type !== "Notification" || typeof envelope.TopicArn !== "string") return undefined;

  const notification: SnsNotification = {
    topicArn: envelope.TopicArn,
    messageId: requireString(envelope, "MessageId"),
    message: requireString(envelope, "Message"),
    timestamp: requireString(envelope, "Timestamp"),
    attributes: readAttributes(envelope.MessageAttributes),
  };
  // SNS leaves `Subject` out (or null) when none was given.
  if (typeof envelope.Subject === "string") notification.subject = envelope.Subject;
  return notification;
}

function requireString(envelope: Record<string, unknown>, field: string): string {
  const value = envelope[field];
  if (typeof value === "string") return value;
  throw new DecodeError(
    `The body is an SNS notification from ${envelope.TopicArn} whose \`${field}\` is ${value === undefined ? "missing" : `a ${typeof value}, not a string`}; ` +
      "check the publisher, or set `unwrapSns: false` to receive such bodies as they are.",
  );
}

/** `{ name: { Type, Value } }` to `{ name: Value }`; entries without a string `Value` are skipped. */
function readAttributes(raw: unknown): Record<string, string> {
  const attributes: Record<string, string> = {};
  const entries = (raw ?? {}) as Record<string, { Value?: unknown } | null>;
  for (const name of Object.keys(entries)) {
    const value = entries[name]?.Value;
    if (typeof value !== "string") continue;
    // A plain assignment to "__proto__" would replace the prototype instead of adding a key.
    if (name === "__proto__")
      Object.defineProperty(attributes, name, { value, enumerable: true, writable: true, configurable: true });
    else attributes[name] = value;
  }
  return attributes;
}
