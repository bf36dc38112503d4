import { createHash } from "node:crypto";

/**
 * JSON with object keys sorted at every depth, so two payloads that differ only in key order
 * produce the same text (and hash). Follows JSON.stringify otherwise: `toJSON` is honoured,
 * undefined / functions / symbols are dropped from objects and become null in arrays.
 * Throws a TypeError on a cycle or a bigint, as JSON.stringify does.
 */
export function stableStringify(value: unknown): string {
  return stringifyValue(value, new Set()) ?? "null";
}

function stringifyValue(value: unknown, ancestors: Set<object>): string | undefined {
  if (value !== null && typeof value === "object" && typeof (value as { toJSON?: unknown }).toJSON === "function") {
    value = (value as { toJSON: () => unknown }).toJSON();
  }
  if (value === null || typeof value !== "object") return JSON.stringify(value) as string | undefined;
  if (ancestors.has(value)) throw new TypeError("Cannot hash a payload with a circular reference");
  ancestors.add(value);
  let text: string;
  if (Array.isArray(value)) {
    text = `[${value.map((item) => stringifyValue(item, ancestors) ?? "null").join(",")}]`;
  } else {
    const parts: string[] = [];
    for (const key of Object.keys(value).sort()) {
      const item = stringifyValue((value as Record<string, unknown>)[key], ancestors);
      if (item !== undefined) parts.push(`${JSON.stringify(key)}:${item}`);
    }
    text = `{${parts.join(",")}}`;
  }
  ancestors.delete(value);
  return text;
}

/** sha256 (hex) of the payload's stable JSON: equal for payloads that are equal as JSON, whatever their key order. */
export function hashPayload(payload: unknown): string {
  return createHash("sha256").update(stableStringify(payload)).digest("hex");
}
