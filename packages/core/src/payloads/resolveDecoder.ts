import { createDecoder, type DecodeOptions, type Decoder } from "../decode/decode.js";
import { checkOption } from "../errors.js";
import type { LargePayloads } from "./largePayloads.js";

/**
 * The consumer's decoder: `createDecoder`, or with `payloads` the one that resolves offloaded and compressed
 * bodies first. Validates `payloads` (the decode options are validated by `createDecoder`).
 * @throws InvalidOptionError when `payloads` is not a `LargePayloads`.
 */
export function resolveDecoder<T>(options: DecodeOptions<T> & { payloads?: LargePayloads }): Decoder<T> {
  const { payloads } = options;
  checkOption(
    payloads === undefined || typeof payloads?.decoder === "function",
    "payloads",
    "s3Payloads({ client, bucket }) (from @resilient-jobs/core/s3) or createLargePayloads(store)",
    payloads,
  );
  const decodeOptions = { format: options.format, unwrapSns: options.unwrapSns, schema: options.schema };
  return payloads === undefined ? createDecoder<T>(decodeOptions) : payloads.decoder<T>(decodeOptions);
}
