/**
 * Turns a raw queue body into the value a handler gets: JSON by default, the SNS envelope
 * unwrapped, then an optional Standard Schema check. Runs once per message, so the decoder
 * is specialised at construction and the per-call path allocates only its result.
 */

import { checkOption, DecodeError, ValidationError } from "../errors.js";
import type { MessageAttributesSource } from "../payloads/payloadPointer.js";
import { parseSnsEnvelope, type SnsNotification } from "./snsEnvelope.js";
import { isStandardSchema, type StandardSchemaV1, toValidationIssues } from "./standardSchema.js";

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
 * Decodes one raw body. Synchronous unless the schema validates asynchronously or the body is an offloaded
 * payload. Throws (or rejects with) `DecodeError` or `ValidationError` for bad input: both permanent.
 * `message` is where the body came from: a decoder that resolves large payloads (`LargePayloads.decoder`)
 * reads its attributes; `createDecoder`'s ignores it.
 */
export type Decoder<T> = (raw: string, message?: MessageAttributesSource) => DecodedBody<T> | Promise<DecodedBody<T>>;

/** Reads a body after any unwrapping; `sns` is the envelope it came in, named in errors. */
type ParseBody = (text: string, sns: SnsNotification | undefined) => unknown;
type Read = (raw: string) => DecodedBody<unknown>;

const DEFAULTS = { format: "json", unwrapSns: true } as const;

/**
 * V8's `JSON.parse` messages that give a position are fixed phrases (`Expected ',' or '}' after property value
 * in JSON at position 9 (line 1 column 10)`); the others quote the text (`Unexpected token 'h', "hello" is not
 * valid JSON`). Only a fixed phrase is reused, so no part of a body reaches an error message.
 */
const LOCATED_PROBLEM = /^([A-Za-z ',:{}\]-]+) in JSON (at position \d+(?: \(line \d+ column \d+\))?)$/;

/**
 * Creates a decoder for message bodies. Options are validated here, once.
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

  const parse: ParseBody = format === "json" ? parseJson : format === "text" ? (text) => text : parserFor(format);
  const read: Read = (raw) => {
    let sns: SnsNotification | undefined;
    if (format === "json") {
      // Parsed once; an envelope is recognised on the parsed value, which costs two property reads.
      const value = parseJson(raw, undefined);
      sns = unwrapSns ? parseSnsEnvelope(value) : undefined;
      if (sns === undefined) return { body: value, sns };
    } else if (unwrapSns && mayBeSnsEnvelope(raw)) {
      // Other formats: parsed as JSON only when the body may be an envelope.
      sns = envelopeOf(raw);
    }
    return { body: parse(sns === undefined ? raw : sns.message, sns), sns };
  };
  // Read `~standard` once: some libraries (valibot) build it in a getter on every access.
  return schema === undefined ? (read as Decoder<T>) : withSchema(read, schema["~standard"]);
}

function parserFor(format: (body: string) => unknown): ParseBody {
  return (text, sns) => {
    try {
      return format(text);
    } catch (error) {
      if (error instanceof DecodeError || error instanceof ValidationError) throw error;
      // Only the thrown error's name: its message may quote the body.
      const thrown = error instanceof Error ? error.name : `a ${typeof error}`;
      throw new DecodeError(
        `${where(sns)} (${text.length} chars): the \`format\` function threw ${thrown} (throw DecodeError to reject it with your own message)`,
        { cause: error },
      );
    }
  };
}

function withSchema<T>(read: Read, props: StandardSchemaV1.Props<unknown, T>): Decoder<T> {
  return (raw) => {
    const decoded = read(raw) as DecodedBody<T>;
    const result = props.validate(decoded.body);
    if (typeof (result as { then?: unknown }).then === "function") {
      return Promise.resolve(result).then((settled) => applyResult(decoded, settled));
    }
    return applyResult(decoded, result as StandardSchemaV1.Result<T>);
  };
}

function applyResult<T>(decoded: DecodedBody<T>, result: StandardSchemaV1.Result<T>): DecodedBody<T> {
  if (result.issues) throw new ValidationError(toValidationIssues(result.issues));
  decoded.body = result.value;
  return decoded;
}

function parseJson(text: string, sns: SnsNotification | undefined): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    // V8's message may quote the text: only a fixed phrase of it is reused, and it is not kept as `cause`.
    const located = LOCATED_PROBLEM.exec((error as SyntaxError).message);
    const problem =
      located !== null && !located[1]!.includes("token")
        ? `${located[1]} ${located[2]}`
        : text.trim() === ""
          ? "it is empty"
          : "unexpected token or end";
    throw new DecodeError(
      `${where(sns)} is not valid JSON: ${problem} (${text.length} chars); for other bodies set \`format\`.`,
    );
  }
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

/** Which body an error is about, by its SNS ids when it came in an envelope: never its content. */
function where(sns: SnsNotification | undefined): string {
  return sns ? `The SNS message ${sns.messageId} from ${sns.topicArn}` : "The message body";
}
