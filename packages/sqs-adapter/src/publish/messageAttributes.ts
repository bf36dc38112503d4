import type { MessageLocation } from "./errors.js";
import { InvalidMessageError } from "./errors.js";

/**
 * A message attribute as callers write it: a string (DataType `String`), a finite number (`Number`),
 * bytes (`Binary`), or the explicit form for custom types (`Number.float`, SNS's `String.Array`).
 */
export type MessageAttributeValue = string | number | Uint8Array | { dataType: string; value: string | Uint8Array };

/** Message attributes by name. They travel beside the body and drive SNS subscription filter policies. */
export type MessageAttributes = Readonly<Record<string, MessageAttributeValue>>;

/** An attribute in the shape both the SQS and the SNS SDK take. */
export interface WireAttribute {
  DataType: string;
  StringValue?: string;
  BinaryValue?: Uint8Array;
}

// AWS: letters, digits, `_`, `-`, `.`; up to 256 characters; no leading/trailing/double period.
const ATTRIBUTE_NAME = /^(?!.*\.\.)[A-Za-z0-9_-](?:[A-Za-z0-9_.-]{0,254}[A-Za-z0-9_-])?$/;
const RESERVED_PREFIX = /^(?:aws|amazon)\./i;
const DATA_TYPE = /^(?:String|Number|Binary)(?:\.[A-Za-z0-9_.-]+)?$/;
// The characters SQS accepts in bodies and string values: #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF.
const INVALID_CHARACTER = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const NUMBER_VALUE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** UTF-8 length of a string, as AWS counts message sizes. */
export function byteLength(value: string): number {
  return Buffer.byteLength(value, "utf8");
}

/** The first character SQS would reject in a body or string value, or undefined. */
export function findInvalidCharacter(value: string): string | undefined {
  const match = INVALID_CHARACTER.exec(value);
  return match ? `U+${(match[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}` : undefined;
}

/**
 * Validates one attribute and converts it to the SDK shape, adding its size (name + data type + value,
 * as AWS counts) to `size.bytes`. Throws {@link InvalidMessageError} naming `attributes.<name>`.
 */
export function encodeAttribute(
  name: string,
  value: MessageAttributeValue,
  location: MessageLocation,
  size: { bytes: number },
): WireAttribute {
  const field = `attributes.${name}`;
  if (!ATTRIBUTE_NAME.test(name)) {
    throw new InvalidMessageError(
      field,
      "is not a valid attribute name: use 1-256 letters, digits, `_`, `-` or `.`, not starting or ending with `.` and without `..`",
      location,
    );
  }
  if (RESERVED_PREFIX.test(name)) {
    throw new InvalidMessageError(
      field,
      "uses a prefix AWS reserves (`AWS.`, `Amazon.`): rename the attribute",
      location,
    );
  }
  const wire = toWire(value, field, location);
  if (wire.DataType.length > 256 || !DATA_TYPE.test(wire.DataType)) {
    throw new InvalidMessageError(
      `${field}.dataType`,
      `must be String, Number or Binary, optionally with a custom label (\`Number.float\`), got ${JSON.stringify(wire.DataType)}`,
      location,
    );
  }
  const base = wire.DataType.split(".", 1)[0];
  if (base === "Binary") {
    if (!(wire.BinaryValue instanceof Uint8Array) || wire.BinaryValue.byteLength === 0) {
      throw new InvalidMessageError(field, "has DataType Binary and needs a non-empty Uint8Array value", location);
    }
    size.bytes += byteLength(name) + byteLength(wire.DataType) + wire.BinaryValue.byteLength;
    return wire;
  }
  const text = wire.StringValue;
  if (typeof text !== "string" || text.length === 0) {
    throw new InvalidMessageError(field, `has DataType ${base} and needs a non-empty string value`, location);
  }
  if (base === "Number") checkNumber(text, field, location);
  const invalid = findInvalidCharacter(text);
  if (invalid) throw new InvalidMessageError(field, `contains ${invalid}, which SQS rejects`, location);
  if (wire.DataType === "String.Array") checkStringArray(text, field, location);
  size.bytes += byteLength(name) + byteLength(wire.DataType) + byteLength(text);
  return wire;
}

function toWire(value: MessageAttributeValue, field: string, location: MessageLocation): WireAttribute {
  if (typeof value === "string") return { DataType: "String", StringValue: value };
  if (typeof value === "number") {
    if (!Number.isFinite(value))
      throw new InvalidMessageError(field, `must be a finite number, got ${value}`, location);
    return { DataType: "Number", StringValue: String(value) };
  }
  if (value instanceof Uint8Array) return { DataType: "Binary", BinaryValue: value };
  if (typeof value === "object" && value !== null && typeof value.dataType === "string") {
    return value.value instanceof Uint8Array
      ? { DataType: value.dataType, BinaryValue: value.value }
      : { DataType: value.dataType, StringValue: value.value };
  }
  throw new InvalidMessageError(field, "must be a string, a number, a Uint8Array or `{ dataType, value }`", location);
}

// AWS Number: up to 38 significant digits, magnitude between 1e-128 and 1e126 (or zero).
function checkNumber(text: string, field: string, location: MessageLocation): void {
  const numeric = NUMBER_VALUE.test(text) ? Number(text) : Number.NaN;
  const digits = text
    .replace(/[eE].*$/, "")
    .replace(/[^0-9]/g, "")
    .replace(/^0+/, "")
    .replace(/0+$/, "");
  const magnitude = Math.abs(numeric);
  if (Number.isNaN(numeric) || digits.length > 38 || (magnitude !== 0 && (magnitude < 1e-128 || magnitude > 1e126))) {
    throw new InvalidMessageError(
      field,
      `has DataType Number but ${JSON.stringify(text)} is not a number AWS accepts (up to 38 digits, 1e-128 to 1e126)`,
      location,
    );
  }
}

function checkStringArray(text: string, field: string, location: MessageLocation): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed)) {
    throw new InvalidMessageError(field, "has DataType String.Array and needs a JSON array as value", location);
  }
}

/** Encodes a body value: strings are sent verbatim, anything else as JSON. */
export function encodeBody(body: unknown, location: MessageLocation): string {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  if (typeof text !== "string" || text.length === 0) {
    throw new InvalidMessageError("body", "must be a non-empty string or a JSON-serialisable value", location);
  }
  const invalid = findInvalidCharacter(text);
  if (invalid) throw new InvalidMessageError("body", `contains ${invalid}, which SQS rejects`, location);
  return text;
}
