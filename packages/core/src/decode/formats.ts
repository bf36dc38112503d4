/**
 * The body formats, as decoder values: `json`, `text` and `parseWith(parse)`. A Lambda handler is given one
 * (`decode: json`), so its bundle carries only the formats it names; `createDecoder` builds the consumer's
 * decoder from the same values. How a body is read, and how its errors are worded, lives here only.
 */

import { DecodeError, ValidationError } from "../errors.js";
import type { Decoder } from "./decode.js";

/**
 * V8's `JSON.parse` messages that give a position are fixed phrases (`Expected ',' or '}' after property value
 * in JSON at position 9 (line 1 column 10)`); the others quote the text (`Unexpected token 'h', "hello" is not
 * valid JSON`). Only a fixed phrase is reused, so no part of a body reaches an error message.
 */
const LOCATED_PROBLEM = /^([A-Za-z ',:{}\]-]+) in JSON (at position \d+(?: \(line \d+ column \d+\))?)$/;

/**
 * JSON bodies: `body` is the parsed value. Not valid JSON: a `DecodeError` (permanent) that names where the
 * problem is, never the body's content. SNS envelopes are not unwrapped: see `snsEnvelope(json)`.
 */
export const json: Decoder<unknown> = (raw) => ({ body: parseJson(raw), sns: undefined });

/** Text bodies: `body` is the string as it is. */
export const text: Decoder<string> = (raw) => ({ body: raw, sns: undefined });

/**
 * Bodies in your own format: `body` is what `parse` returns (synchronously). Throw a `DecodeError` from it to say
 * what is wrong; anything else it throws is wrapped in one (and kept as `cause`), its message left out as it may
 * quote the body.
 *
 * @example
 * ```ts
 * sqsHandler(handler, { decode: parseWith((body) => new URLSearchParams(body)) });
 * ```
 */
export function parseWith<T>(parse: (body: string) => T): Decoder<T> {
  // Checked here, once: `decode`'s own check sees a function whatever `parse` is.
  if (typeof parse !== "function") throw new TypeError("parseWith(parse): `parse` must be a function");
  return (raw) => {
    try {
      return { body: parse(raw), sns: undefined };
    } catch (error) {
      if (error instanceof DecodeError || error instanceof ValidationError) throw error;
      // Only the thrown error's name: its message may quote the body.
      const thrown = error instanceof Error ? error.name : `a ${typeof error}`;
      throw new DecodeError(
        `${THE_BODY} (${raw.length} chars): the parse function threw ${thrown} (throw DecodeError to reject it with your own message)`,
        { cause: error },
      );
    }
  };
}

/** `JSON.parse`, its error reworded so that no part of the text reaches it. */
export function parseJson(text: string): unknown {
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
    throw new DecodeError(`${THE_BODY} is not valid JSON: ${problem} (${text.length} chars)`);
  }
}

/** How the decoders name the body in their errors; `snsEnvelope` names an envelope's by its SNS ids instead. */
export const THE_BODY = "The message body";
