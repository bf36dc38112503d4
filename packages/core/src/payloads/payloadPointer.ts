/**
 * The claim-check pointer AWS's extended clients write (Java `amazon-sqs-java-extended-client-lib`, Python
 * `amazon-sqs-python-extended-client`, the SNS extended client): the body is
 * `["software.amazon.payloadoffloading.PayloadS3Pointer",{"s3BucketName":"b","s3Key":"k"}]` and the message
 * carries the payload's size in bytes as the `ExtendedPayloadSize` attribute (`SQSLargePayloadSize` before
 * version 2). Writing and reading exactly this shape is what lets their producers and our workers (and the
 * reverse) share a queue.
 */

/** Where an offloaded body is stored. */
export interface PayloadPointer {
  /** The bucket (AWS's `s3BucketName`). */
  readonly bucket: string;
  /** The object key (AWS's `s3Key`). */
  readonly key: string;
}

/** The class name the extended clients put first in a pointer body. */
export const PAYLOAD_POINTER_CLASS = "software.amazon.payloadoffloading.PayloadS3Pointer";

/** Message attributes of offloaded and compressed messages. */
export const PAYLOAD_ATTRIBUTES = Object.freeze({
  /** The offloaded body's size in bytes (a Number attribute), as the extended clients write it. */
  size: "ExtendedPayloadSize",
  /** The name the extended clients used before version 2; read, never written. */
  legacySize: "SQSLargePayloadSize",
  /**
   * How the body (inline, base64) or the stored object is compressed: `gzip` or `zstd`. Ours: the extended
   * clients neither write nor read it, so compression is off unless asked for.
   */
  encoding: "resilient-jobs.encoding",
} as const);

/** The pointer body of `pointer`, byte for byte what the extended clients write. */
export function formatPayloadPointer(pointer: PayloadPointer): string {
  return JSON.stringify([PAYLOAD_POINTER_CLASS, { s3BucketName: pointer.bucket, s3Key: pointer.key }]);
}

/**
 * The pointer in a body, or `undefined` when the body is not one. Cheap on ordinary bodies: it parses only
 * text that starts with `[` and names the pointer class.
 */
export function parsePayloadPointer(body: string): PayloadPointer | undefined {
  if (!/^\s*\[/.test(body) || !body.includes(PAYLOAD_POINTER_CLASS)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || value.length !== 2 || value[0] !== PAYLOAD_POINTER_CLASS) return undefined;
  const fields = value[1] as { s3BucketName?: unknown; s3Key?: unknown } | null;
  if (typeof fields?.s3BucketName !== "string" || typeof fields.s3Key !== "string") return undefined;
  return { bucket: fields.s3BucketName, key: fields.s3Key };
}

/**
 * Where a decoder reads a message's attributes: a `QueueMessage` or `SnsNotification` (`attributes`, values as
 * strings), or a Lambda SQS record (`messageAttributes`, `{ stringValue }`; its `attributes` are SQS's system
 * attributes, which never carry the names read here).
 */
export interface MessageAttributesSource {
  readonly attributes?: object;
  readonly messageAttributes?: Readonly<Record<string, { readonly stringValue?: string } | undefined>>;
}

/** One attribute's string value from any {@link MessageAttributesSource}. */
export function attributeOf(source: MessageAttributesSource | undefined, name: string): string | undefined {
  const value = (source?.attributes as Readonly<Record<string, unknown>> | undefined)?.[name];
  return typeof value === "string" ? value : source?.messageAttributes?.[name]?.stringValue;
}
