/**
 * Turns a raw queue body into the value a handler gets. A decoder is a value: `json`, `text`, `parseWith(parse)`,
 * wrapped by `snsEnvelope(...)` and `withSchema(...)`; the consumer's and the Lambda handlers' `decode` option
 * takes one, so a Lambda bundle carries only what it names. `createDecoder` builds one from the older options
 * (`format`, `unwrapSns`, `schema`) out of the same values. Runs once per message: the per-call path allocates
 * only its result.
 */

import { checkOption } from "../errors.js";
import type { MessageAttributesSource } from "../payloads/payloadPointer.js";
import { json, parseWith, text } from "./formats.js";
import { type SnsNotification, snsEnvelope } from "./snsEnvelope.js";
import { isStandardSchema, type StandardSchemaV1 } from "./standardSchema.js";
import { withSchema } from "./withSchema.js";

/** Options of {@link createDecoder}. */
export interface DecodeOptions<T = unknown> {
  /**
   * How to read a body (the SNS `Message`, when unwrapped): `"json"`, `"text"` (the string
   * as is), or your own synchronous parse function. Throw a `DecodeError` from it to say
   * what is wrong; anything else it throws is wrapped in one (and kept as `cause`).
   * @defaultValue `"json"`
   */
  format?: "json" | "text" | ((body: string) => unknown);
  /**
   * Unwrap SNS notification envelopes (an SQS queue subscribed to a topic without raw
   * message delivery). Bodies that are not envelopes are decoded as they are, so one
   * decoder serves both deliveries.
   * @defaultValue `true`
   */
  unwrapSns?: boolean;
  /**
   * A Standard Schema v1 (zod 4, valibot 1, arktype) the decoded body must pass; its output
   * becomes `body`. Failures throw `ValidationError` with every issue.
   * @defaultValue none: the body is not checked
   */
  schema?: StandardSchemaV1<unknown, T>;
}

/** A decoded message body, with the SNS notification it came in when there was one. */
export interface DecodedBody<T> {
  /** The decoded (and, with a schema, validated) body. */
  body: T;
  /** The SNS envelope's fields, when the body was one; `undefined` on raw delivery. */
  sns: SnsNotification | undefined;
}

/**
 * Decodes one raw body: `json`, `text`, `parseWith(parse)`, `snsEnvelope(inner)`, `withSchema(schema, from)`, or
 * your own function. Synchronous unless a schema validates asynchronously or the body is an offloaded payload.
 * Throws (or rejects with) `DecodeError` or `ValidationError` for bad input: both permanent.
 * `from` is where the body came from (the record, or the SNS notification it was unwrapped from): errors name
 * an SNS message by its ids, and a decoder that resolves large payloads reads its attributes.
 *
 * A type alias of an intersection, not an interface with a call signature, for inference: TypeScript defers a
 * generic call that returns a function type (`withSchema(Order)`) while an inline function beside it is
 * contextually typed, so `createConsumer({ decode: withSchema(Order), handler: (message) => ... })` typed
 * `message.body` as `unknown`. An intersection is not a function type to that check.
 */
export type Decoder<T> = ((raw: string, from?: MessageAttributesSource) => DecodedBody<T> | Promise<DecodedBody<T>>) & {
  /** True for `snsEnvelope(...)` (and a schema on it): large payloads then look for pointers in envelopes too. */
  readonly unwrapsSns?: true;
};

/**
 * What a `decode` option takes, for the errors that name it. The Lambda adapter words its own: importing this
 * would cost its size-critical bundle a module.
 */
export const DECODERS =
  "json, text, parseWith(parse), snsEnvelope(inner), withSchema(schema, from?) or your own (raw, from) => ({ body, sns }) function";

const DEFAULTS = { format: "json", unwrapSns: true } as const;

/**
 * Creates a decoder for message bodies from options (the consumer's deprecated `format`, `unwrapSns` and
 * `schema`). Options are validated here, once. The same as composing the decoder values:
 * `createDecoder({ schema })` is `withSchema(schema, snsEnvelope(json))`, `createDecoder()` is `snsEnvelope(json)`.
 *
 * @deprecated Compose the decoder values instead (`withSchema(schema, snsEnvelope(json))`): they are what the
 * consumer's and the Lambda handlers' `decode` option takes. Kept for code that calls it.
 *
 * @example
 * ```ts
 * const decode = createDecoder({ schema: z.object({ orderId: z.string() }) });
 * const { body, sns } = await decode(message.body);
 * ```
 * @throws InvalidOptionError when an option is invalid.
 */
export function createDecoder<T = unknown>(options: DecodeOptions<T> = {}): Decoder<T> {
  checkOption(typeof options === "object" && options !== null, "options", "an object", options);
  const format = options.format ?? DEFAULTS.format;
  const unwrapSns = options.unwrapSns ?? DEFAULTS.unwrapSns;
  const schema = options.schema;
  checkOption(
    format === "json" || format === "text" || typeof format === "function",
    "format",
    '"json", "text" or a parse function',
    format,
  );
  checkOption(typeof unwrapSns === "boolean", "unwrapSns", "a boolean", unwrapSns);
  checkOption(
    schema === undefined || isStandardSchema(schema),
    "schema",
    "a Standard Schema v1 (zod 4, valibot 1, arktype)",
    schema,
  );
  const read: Decoder<unknown> = format === "json" ? json : format === "text" ? text : parseWith(format);
  const unwrapped = unwrapSns ? snsEnvelope(read) : read;
  return schema === undefined ? (unwrapped as Decoder<T>) : withSchema(schema, unwrapped);
}
