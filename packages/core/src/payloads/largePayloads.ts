/**
 * Large payloads by claim check: a publisher puts a body that does not fit in a message into a
 * {@link PayloadStore} and sends a pointer; a consumer resolves the pointer before decoding, so handlers (and
 * schemas) never see one. Optional compression comes first, so a compressible body may still travel inline.
 * Nothing here knows S3: `s3Payloads` on `@resilient-jobs/core/s3` is this with an S3 store.
 */
import { createDecoder, type DecodedBody, type DecodeOptions, type Decoder } from "../decode/decode.js";
import { parseSnsEnvelope, type SnsNotification } from "../decode/snsEnvelope.js";
import { checkOption, DecodeError } from "../errors.js";
import type { QueueMessage } from "../queue/MessageSource.js";
import { compress, decompress, isCompressionAvailable, type PayloadCompression } from "./compression.js";
import type { PayloadStore } from "./PayloadStore.js";
import {
  attributeOf,
  formatPayloadPointer,
  type MessageAttributesSource,
  PAYLOAD_ATTRIBUTES,
  PAYLOAD_POINTER_CLASS,
  type PayloadPointer,
  parsePayloadPointer,
} from "./payloadPointer.js";

/** Options of {@link createLargePayloads} (and of `s3Payloads`). */
export interface LargePayloadsOptions {
  /**
   * Publishers offload a body larger than this many bytes (UTF-8, after compression); `"always"` offloads
   * every body. A body that does not fit in the message is offloaded whatever this says.
   * @defaultValue what fits: the publisher's `maxMessageBytes` (1 MiB on SQS, 256 KiB on SNS) minus the
   * message's attributes and the room the payload attributes take
   */
  thresholdBytes?: number | "always";
  /**
   * Compress bodies of 1 KiB and more before the size check (`gzip`, or `zstd` where Node.js has it, from
   * 22.15), marking them with the `resilient-jobs.encoding` attribute; a compressed body that fits travels
   * inline, base64. Readers need this library (or to decompress themselves): leave it off when AWS's extended
   * clients read the queue.
   * @defaultValue `false`
   */
  compression?: PayloadCompression | false;
  /**
   * After the consumer has deleted (acked) a message, delete its object too. Off by default: a message can be
   * delivered twice (a lost delete, a redrive), and the second copy would find nothing; expire objects with a
   * bucket lifecycle rule instead (docs/large-messages.md). Dead-lettered messages always keep their object.
   * @defaultValue `false`
   */
  deleteAfterAck?: boolean;
}

/** Room a publisher has for a body, in bytes, and how to abort its upload. */
export interface OffloadLimits {
  /** The most body bytes that fit in the message beside its attributes and the payload attributes. */
  readonly maxBodyBytes: number;
  readonly signal?: AbortSignal;
}

/** An outgoing body after {@link LargePayloads.offload}. */
export interface OffloadedBody {
  /** The body to send: as given, compressed (base64), or a pointer. */
  readonly body: string;
  /** Attributes to add: `ExtendedPayloadSize` for a pointer, `resilient-jobs.encoding` when compressed. */
  readonly attributes: Readonly<Record<string, string | number>>;
  /** Where the body went, when it was offloaded. */
  readonly pointer: PayloadPointer | undefined;
}

/** The largest payload attributes a publisher adds, by name and value (`ExtendedPayloadSize` of 2 GiB, `zstd`). */
export const PAYLOAD_ATTRIBUTES_RESERVE_BYTES =
  PAYLOAD_ATTRIBUTES.size.length + "Number".length + 10 + PAYLOAD_ATTRIBUTES.encoding.length + "String".length + 4;

/** Bodies below this are never compressed: the base64 of a small gzip is often longer than the text. */
const MIN_COMPRESS_BYTES = 1024;

/**
 * Large-payload handling on one store: pass it as `payloads` to `createConsumer`, `createSqsConsumer`,
 * `sqsHandler`, `snsHandler` and both publishers.
 */
export interface LargePayloads {
  /** Where bodies go. */
  readonly store: PayloadStore;
  /** Whether consumers delete a message's object after acking it. */
  readonly deleteAfterAck: boolean;
  /**
   * Wraps a decoder (`json`, `snsEnvelope(json)`, `withSchema(...)`; or decode options, as `createDecoder` takes)
   * so that it first resolves pointers and compressed bodies: raw ones, and with a decoder that unwraps SNS
   * envelopes, those inside one. Options other than the decode options are ignored.
   */
  readonly decoder: <T = unknown>(from?: Decoder<T> | DecodeOptions<T>) => Decoder<T>;
  /** Compresses and offloads an outgoing body as the options say. */
  readonly offload: (body: string, limits: OffloadLimits) => Promise<OffloadedBody>;
  /**
   * The text of a body: fetched when it is a pointer, decompressed when marked. Bodies that are neither
   * (SNS envelopes included: see {@link LargePayloads.decoder}) come back as they are.
   */
  readonly resolve: (body: string, message?: MessageAttributesSource) => Promise<string>;
  /** The pointer a body carries, raw or in an SNS envelope; `undefined` when there is none. */
  readonly pointerOf: (body: string) => PayloadPointer | undefined;
  /** Deletes a message's object, if it has one (what `deleteAfterAck` does after each ack). */
  readonly release: (message: Pick<QueueMessage, "body">) => Promise<void>;
}

/**
 * Large-payload handling on any {@link PayloadStore}. For S3 use `s3Payloads({ client, bucket })` from
 * `@resilient-jobs/core/s3`.
 * @throws InvalidOptionError when an option is invalid (zstd on a Node.js without it included).
 */
export function createLargePayloads(store: PayloadStore, options: LargePayloadsOptions = {}): LargePayloads {
  checkOption(
    typeof store?.put === "function" && typeof store.get === "function" && typeof store.delete === "function",
    "store",
    "a PayloadStore (put, get, delete)",
    store,
  );
  checkOption(typeof options === "object" && options !== null, "options", "an object", options);
  const { thresholdBytes, compression = false, deleteAfterAck = false } = options;
  checkOption(
    thresholdBytes === undefined ||
      thresholdBytes === "always" ||
      (Number.isInteger(thresholdBytes) && thresholdBytes >= 0),
    "thresholdBytes",
    'an integer >= 0 or "always"',
    thresholdBytes,
  );
  checkOption(
    compression === false || isCompressionAvailable(compression),
    "compression",
    `false, "gzip" or "zstd" (zstd needs Node.js 22.15 or later; this is ${process.version})`,
    compression,
  );
  checkOption(typeof deleteAfterAck === "boolean", "deleteAfterAck", "a boolean", deleteAfterAck);

  const materialize = async (body: string, message: MessageAttributesSource | undefined) => {
    const encoding = attributeOf(message, PAYLOAD_ATTRIBUTES.encoding);
    const pointer = parsePayloadPointer(body);
    if (pointer === undefined && encoding === undefined) return undefined;
    let bytes: Uint8Array = pointer ? await store.get(pointer) : Buffer.from(body, "base64");
    if (encoding !== undefined) bytes = await decompress(bytes, encoding);
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
  };

  const resolve = async (body: string, message?: MessageAttributesSource) => (await materialize(body, message)) ?? body;

  const pointerOf = (body: string): PayloadPointer | undefined => {
    const pointer = parsePayloadPointer(body);
    if (pointer !== undefined || !body.includes(PAYLOAD_POINTER_CLASS)) return pointer;
    const sns = envelopeOf(body);
    return sns === undefined ? undefined : parsePayloadPointer(sns.message);
  };

  function createPayloadDecoder<T>(from: Decoder<T> | DecodeOptions<T> = {}): Decoder<T> {
    const decode = typeof from === "function" ? from : createDecoder<T>(from);
    const unwrapSns = decode.unwrapsSns === true;
    const resolveAndDecode = async (raw: string, message?: MessageAttributesSource): Promise<DecodedBody<T>> => {
      const own = await materialize(raw, message);
      if (own !== undefined) return decode(own);
      const sns = unwrapSns ? envelopeOf(raw) : undefined;
      if (sns !== undefined) {
        const inner = await materialize(sns.message, sns);
        if (inner !== undefined) {
          const { body } = await decode(inner);
          // The handler's `sns.message` is the payload too: it never sees a pointer.
          return { body, sns: { ...sns, message: inner } };
        }
      }
      return decode(raw, message);
    };
    return (raw, message) =>
      // Most messages are neither offloaded nor compressed: one substring search decides, no parse.
      attributeOf(message, PAYLOAD_ATTRIBUTES.encoding) === undefined &&
      !raw.includes(PAYLOAD_POINTER_CLASS) &&
      !(unwrapSns && raw.includes(PAYLOAD_ATTRIBUTES.encoding))
        ? decode(raw, message)
        : resolveAndDecode(raw, message);
  }

  return Object.freeze({
    store,
    deleteAfterAck,
    decoder: createPayloadDecoder,
    resolve,
    pointerOf,
    async offload(body: string, limits: OffloadLimits): Promise<OffloadedBody> {
      const bytes = Buffer.from(body, "utf8");
      const room = limits.maxBodyBytes;
      const limit = thresholdBytes === "always" ? -1 : Math.min(thresholdBytes ?? room, room);
      if (compression === false || bytes.byteLength < MIN_COMPRESS_BYTES) {
        if (bytes.byteLength <= limit) return { body, attributes: {}, pointer: undefined };
        const pointer = await store.put(bytes, { signal: limits.signal });
        return {
          body: formatPayloadPointer(pointer),
          attributes: { [PAYLOAD_ATTRIBUTES.size]: bytes.byteLength },
          pointer,
        };
      }
      const packed = await compress(bytes, compression);
      const inline = Buffer.from(packed.buffer, packed.byteOffset, packed.byteLength).toString("base64");
      if (inline.length <= limit) {
        return { body: inline, attributes: { [PAYLOAD_ATTRIBUTES.encoding]: compression }, pointer: undefined };
      }
      const pointer = await store.put(packed, { signal: limits.signal });
      return {
        body: formatPayloadPointer(pointer),
        attributes: { [PAYLOAD_ATTRIBUTES.size]: bytes.byteLength, [PAYLOAD_ATTRIBUTES.encoding]: compression },
        pointer,
      };
    },
    async release(message: Pick<QueueMessage, "body">): Promise<void> {
      const pointer = pointerOf(message.body);
      if (pointer !== undefined) await store.delete(pointer);
    },
  });
}

/** The SNS envelope of a body, or `undefined` when it is not one (or not JSON). */
function envelopeOf(raw: string): SnsNotification | undefined {
  if (!/^\s*\{/.test(raw)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  try {
    return parseSnsEnvelope(value);
  } catch (error) {
    if (error instanceof DecodeError) return undefined; // the decoder reports a broken envelope itself
    throw error;
  }
}
