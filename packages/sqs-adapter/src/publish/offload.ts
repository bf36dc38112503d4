/**
 * Claim check on the way out: after a message is encoded (and validated), a body that does not fit (or that
 * `thresholdBytes` says to move) goes to the payload store and the message carries the extended clients'
 * pointer and `ExtendedPayloadSize`. Runs before any send, so a failed upload fails the call with nothing sent.
 */
import { type LargePayloads, PAYLOAD_ATTRIBUTES, PAYLOAD_ATTRIBUTES_RESERVE_BYTES } from "@resilient-jobs/core";
import type { EncodedMessage, EncodeRules } from "./encodeMessage.js";
import { InvalidMessageError, type MessageLocation, MessageTooLargeError } from "./errors.js";
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
  // A body that does not fit comes back changed, with at least one payload attribute (a pointer's size, or a
  // compressed body's encoding): when the count has no room for it, fail before anything is uploaded.
  if (byteLength(entry.body) > maxBodyBytes) {
    const has = (name: string) => Object.hasOwn(entry.attributes, name);
    const fewestAdded = has(PAYLOAD_ATTRIBUTES.size) || has(PAYLOAD_ATTRIBUTES.encoding) ? 0 : 1;
    const count = Object.keys(entry.attributes).length + fewestAdded;
    if (count > config.maxAttributes) throw tooManyAttributes(count, [PAYLOAD_ATTRIBUTES.size], config, location);
  }
  const offloaded = await payloads.offload(entry.body, { maxBodyBytes, ...(signal ? { signal } : {}) });
  if (offloaded.body === entry.body) return entry;
  try {
    const size = { bytes: attributeBytes + byteLength(offloaded.body) };
    const attributes = { ...entry.attributes };
    for (const [name, value] of Object.entries(offloaded.attributes) as [string, string | number][]) {
      attributes[name] = encodeAttribute(name, value, location, size);
    }
    const count = Object.keys(attributes).length;
    if (count > config.maxAttributes) {
      throw tooManyAttributes(count, Object.keys(offloaded.attributes), config, location);
    }
    if (size.bytes > config.maxMessageBytes) {
      throw new MessageTooLargeError(size.bytes, config.maxMessageBytes, location);
    }
    return { ...entry, body: offloaded.body, attributes, sizeBytes: size.bytes };
  } catch (error) {
    // Offloaded (a threshold, or compression) but not sendable after all: no message will point at the object.
    if (offloaded.pointer !== undefined) await payloads.store.delete(offloaded.pointer).catch(() => undefined);
    throw error;
  }
}

function tooManyAttributes(
  count: number,
  names: readonly string[],
  config: OffloadConfig,
  location: MessageLocation,
): InvalidMessageError {
  return new InvalidMessageError(
    "attributes",
    `holds ${count} attributes with the large-payload ones (${names.join(", ")}); at most ${config.maxAttributes} are allowed`,
    location,
  );
}
