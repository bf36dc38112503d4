/**
 * Claim check on the way out: after a message is encoded (and validated), a body that does not fit (or that
 * `thresholdBytes` says to move) goes to the payload store and the message carries the extended clients'
 * pointer and `ExtendedPayloadSize`. Runs before any send, so a failed upload fails the call with nothing sent.
 */
import { type LargePayloads, PAYLOAD_ATTRIBUTES_RESERVE_BYTES } from "@resilient-jobs/core";
import type { EncodedMessage, EncodeRules } from "./encodeMessage.js";
import { InvalidMessageError, MessageTooLargeError } from "./errors.js";
import { byteLength, encodeAttribute } from "./messageAttributes.js";

/** What the offload step needs of a publisher's config. */
export interface OffloadConfig {
  readonly payloads: LargePayloads | undefined;
  readonly maxMessageBytes: number;
  readonly maxAttributes: number;
  readonly concurrency: number;
}

/** Encode rules: with `payloads`, a body may exceed the message limit until it is offloaded. */
export function encodeRulesFor(config: OffloadConfig, fifo: boolean): EncodeRules {
  const maxMessageBytes = config.payloads === undefined ? config.maxMessageBytes : Number.MAX_SAFE_INTEGER;
  return { maxMessageBytes, maxAttributes: config.maxAttributes, fifo };
}

/**
 * Offloads (and compresses) the bodies `config.payloads` says to, `concurrency` uploads at a time; returns the
 * entries as they go out. Without `payloads`, the entries as they are.
 * @throws MessageTooLargeError when the attributes alone leave no room; InvalidMessageError when the payload
 * attributes take the count over `maxAttributes`; PayloadStoreError when an upload fails.
 */
export async function offloadAll(
  entries: EncodedMessage[],
  config: OffloadConfig,
  signal: AbortSignal | undefined,
): Promise<EncodedMessage[]> {
  const { payloads } = config;
  if (payloads === undefined) return entries;
  const out: EncodedMessage[] = new Array(entries.length);
  for (let start = 0; start < entries.length; start += config.concurrency) {
    const slice = entries.slice(start, start + config.concurrency);
    const done = await Promise.all(slice.map((entry) => offloadOne(entry, payloads, config, signal)));
    done.forEach((entry, i) => {
      out[start + i] = entry;
    });
  }
  return out;
}

async function offloadOne(
  entry: EncodedMessage,
  payloads: LargePayloads,
  config: OffloadConfig,
  signal: AbortSignal | undefined,
): Promise<EncodedMessage> {
  const location = { index: entry.index, id: entry.id };
  const attributeBytes = entry.sizeBytes - byteLength(entry.body);
  const maxBodyBytes = config.maxMessageBytes - attributeBytes - PAYLOAD_ATTRIBUTES_RESERVE_BYTES;
  if (maxBodyBytes < 200) throw new MessageTooLargeError(entry.sizeBytes, config.maxMessageBytes, location);
  const offloaded = await payloads.offload(entry.body, { maxBodyBytes, ...(signal ? { signal } : {}) });
  if (offloaded.body === entry.body) return entry;
  const size = { bytes: attributeBytes + byteLength(offloaded.body) };
  const attributes = { ...entry.attributes };
  for (const [name, value] of Object.entries(offloaded.attributes) as [string, string | number][]) {
    attributes[name] = encodeAttribute(name, value, location, size);
  }
  const count = Object.keys(attributes).length;
  if (count > config.maxAttributes) {
    throw new InvalidMessageError(
      "attributes",
      `holds ${count} attributes with the large-payload ones (${Object.keys(offloaded.attributes).join(", ")}); at most ${config.maxAttributes} are allowed`,
      location,
    );
  }
  if (size.bytes > config.maxMessageBytes) throw new MessageTooLargeError(size.bytes, config.maxMessageBytes, location);
  return { ...entry, body: offloaded.body, attributes, sizeBytes: size.bytes };
}
