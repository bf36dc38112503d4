/**
 * The SNS envelope: what an SQS queue subscribed to an SNS topic receives as its body when
 * raw message delivery is off (the default). The publisher's message is the `Message` string.
 */

import { DecodeError } from "../errors.js";
import type { DecodedBody, Decoder } from "./decode.js";
import { json, parseJson, THE_BODY } from "./formats.js";

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
      "check the publisher, or stop unwrapping envelopes (`unwrapSns: false`, or a decoder without `snsEnvelope`) to receive such bodies as they are.",
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

/**
 * A decoder that unwraps SNS notification envelopes (an SQS queue subscribed to a topic without raw message
 * delivery) and decodes the notification's `Message` with `inner`; `sns` is then the notification. Bodies that
 * are not envelopes are decoded by `inner` as they are, so one decoder serves both deliveries.
 *
 * @example
 * ```ts
 * sqsHandler(handler, { decode: snsEnvelope(json) });
 * ```
 */
export function snsEnvelope<T>(inner: Decoder<T>): Decoder<T> {
  if (typeof inner !== "function") throw new TypeError("snsEnvelope(inner): `inner` must be a decoder such as `json`");
  const decoder = (raw: string, from?: object) => {
    let sns: SnsNotification | undefined;
    if (inner === json) {
      // Parsed once; an envelope is recognised on the parsed value, which costs two property reads.
      const value = parseJson(raw);
      sns = parseSnsEnvelope(value);
      if (sns === undefined) return { body: value as T, sns };
    } else if (mayBeSnsEnvelope(raw)) {
      // Other formats: parsed as JSON only when the body may be an envelope.
      sns = envelopeOf(raw);
    }
    if (sns === undefined) return inner(raw, from);
    const notification = sns;
    const named = (error: unknown): never => {
      throw renamed(error, notification);
    };
    let decoded: DecodedBody<T> | Promise<DecodedBody<T>>;
    try {
      decoded = inner(sns.message, sns);
    } catch (error) {
      return named(error);
    }
    return decoded instanceof Promise
      ? decoded.then(({ body }) => ({ body, sns: notification }), named)
      : { body: decoded.body, sns: notification };
  };
  return Object.assign(decoder, { unwrapsSns: true as const });
}

/**
 * The inner decoder's error about "the message body", naming the SNS message instead (its ids, never its
 * content), so a bad payload can be found from the topic's side. Anything else is left as it is.
 */
function renamed(error: unknown, sns: SnsNotification): unknown {
  if (!(error instanceof DecodeError) || !error.message.startsWith(THE_BODY)) return error;
  const message = `The SNS message ${sns.messageId} from ${sns.topicArn}${error.message.slice(THE_BODY.length)}`;
  return new DecodeError(message, { cause: error.cause });
}

/** A cheap pre-test before parsing a non-JSON body as JSON: starts with `{` and mentions `"TopicArn"`. */
function mayBeSnsEnvelope(raw: string): boolean {
  return /^[ \t\n\r]*\{/.test(raw) && raw.includes('"TopicArn"');
}

function envelopeOf(raw: string): SnsNotification | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined; // not JSON, so not an envelope: a text body that happens to start with `{`
  }
  return parseSnsEnvelope(value);
}
