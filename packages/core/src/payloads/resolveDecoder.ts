import type { ConsumerOptions } from "../consumer/options.js";
import { createDecoder, DECODERS, type Decoder } from "../decode/decode.js";
import { checkOption } from "../errors.js";

/** The consumer's options that say how a body is decoded. */
export type ConsumerDecodeOptions<T> = Pick<
  ConsumerOptions<T>,
  "decode" | "format" | "unwrapSns" | "schema" | "payloads"
>;

/**
 * The options `decode` replaced, each with how to say it in the decoder: given together with `decode`, one of them
 * would be silently ignored or half-applied, so the error says where it goes instead.
 */
const REPLACED_BY_DECODE = {
  format: "read the body in the decoder instead (`snsEnvelope(text)`, `snsEnvelope(parseWith(parse))`)",
  unwrapSns: "say it in the decoder instead (`snsEnvelope(...)` unwraps SNS envelopes, a decoder without it does not)",
  schema: "validate in the decoder instead (`withSchema(schema, snsEnvelope(json))`)",
} as const;

/**
 * The consumer's decoder: `decode`, else one built by `createDecoder` from the deprecated `format`, `unwrapSns`
 * and `schema`, else `fallback` (the consumer's default); with `payloads`, wrapped to resolve offloaded and
 * compressed bodies first (it looks for pointers in SNS envelopes when the decoder unwraps them, `unwrapsSns`).
 * @throws InvalidOptionError when `decode` is not a function, is given with a deprecated option, or `payloads` is
 * not a `LargePayloads` (the deprecated options are validated by `createDecoder`).
 */
export function resolveDecoder<T>(options: ConsumerDecodeOptions<T>, fallback: Decoder<unknown>): Decoder<T> {
  const { decode, payloads } = options;
  checkOption(
    payloads === undefined || typeof payloads?.decoder === "function",
    "payloads",
    "s3Payloads({ client, bucket }) (from @resilient-jobs/core/s3) or createLargePayloads(store)",
    payloads,
  );
  let decoder: Decoder<T>;
  if (decode !== undefined) {
    checkOption(typeof decode === "function", "decode", `a decoder: ${DECODERS}`, decode);
    for (const name of ["format", "unwrapSns", "schema"] as const) {
      const value = options[name];
      checkOption(value === undefined, name, `left out when \`decode\` is given: ${REPLACED_BY_DECODE[name]}`, value);
    }
    decoder = decode;
  } else if (options.format === undefined && options.unwrapSns === undefined && options.schema === undefined) {
    decoder = fallback as Decoder<T>;
  } else {
    decoder = createDecoder<T>({ format: options.format, unwrapSns: options.unwrapSns, schema: options.schema });
  }
  return payloads === undefined ? decoder : payloads.decoder<T>(decoder);
}
