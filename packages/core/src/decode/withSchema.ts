import { ValidationError } from "../errors.js";
import type { DecodedBody, Decoder } from "./decode.js";
import { json } from "./formats.js";
import { isStandardSchema, type StandardSchemaV1, toValidationIssues } from "./standardSchema.js";

/**
 * A decoder whose bodies must pass `schema`, a Standard Schema v1 (zod 4, valibot 1, arktype): `from` decodes
 * the body (`json` when left out), then the schema's output becomes `body`. A failure throws (or rejects with) a
 * `ValidationError` naming every issue: permanent. The body's type is the schema's output.
 *
 * @example
 * ```ts
 * sqsHandler(placeOrder, { decode: withSchema(Order) });
 * sqsHandler(placeOrder, { decode: withSchema(Order, snsEnvelope(json)) });
 * ```
 */
export function withSchema<T>(schema: StandardSchemaV1<unknown, T>, from: Decoder<unknown> = json): Decoder<T> {
  if (!isStandardSchema(schema) || typeof from !== "function") {
    throw new TypeError("withSchema(schema, from?): `schema` must be a Standard Schema v1, `from` a decoder");
  }
  // Read `~standard` once: some libraries (valibot) build it in a getter on every access.
  const props = schema["~standard"];
  const check = (decoded: DecodedBody<unknown>): DecodedBody<T> | Promise<DecodedBody<T>> => {
    const result = props.validate(decoded.body);
    if (typeof (result as { then?: unknown }).then === "function") {
      return Promise.resolve(result).then((settled) => applyResult(decoded, settled));
    }
    return applyResult(decoded, result as StandardSchemaV1.Result<T>);
  };
  const decoder = (raw: string, source?: object) => {
    const decoded = from(raw, source);
    return decoded instanceof Promise ? decoded.then(check) : check(decoded);
  };
  return from.unwrapsSns === true ? Object.assign(decoder, { unwrapsSns: true as const }) : decoder;
}

function applyResult<T>(decoded: DecodedBody<unknown>, result: StandardSchemaV1.Result<T>): DecodedBody<T> {
  if (result.issues) throw new ValidationError(toValidationIssues(result.issues));
  return { body: result.value, sns: decoded.sns };
}
