import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hashPayload, stableStringify } from "./payloadHash.js";

describe("stableStringify", () => {
  it("sorts object keys at every depth", () => {
    expect(stableStringify({ b: 1, a: { d: [{ z: 1, y: 2 }], c: "x" } })).toBe(
      '{"a":{"c":"x","d":[{"y":2,"z":1}]},"b":1}',
    );
  });

  it("parses back to the same value JSON.stringify would give", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(JSON.parse(stableStringify(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  it("follows JSON for undefined, functions and toJSON", () => {
    const when = new Date("2026-01-02T03:04:05.000Z");

    const text = stableStringify({ skipped: undefined, fn: () => 1, when, list: [undefined, 1] });

    expect(text).toBe('{"list":[null,1],"when":"2026-01-02T03:04:05.000Z"}');
    expect(stableStringify(undefined)).toBe("null");
  });

  it("throws a TypeError on a circular payload", () => {
    const payload: Record<string, unknown> = { a: 1 };
    payload.self = payload;

    expect(() => stableStringify(payload)).toThrow(TypeError);
  });

  it("accepts the same object twice when it is not its own ancestor", () => {
    const shared = { x: 1 };

    expect(stableStringify({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
  });
});

describe("hashPayload", () => {
  it("gives equal hashes to payloads that differ only in key order", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (record) => {
        const reversed = Object.fromEntries(Object.entries(record).reverse());
        expect(hashPayload(reversed)).toBe(hashPayload(record));
      }),
    );
  });

  it("gives different hashes to different payloads, as 64 hex characters", () => {
    const a = hashPayload({ orderId: "o-1", amount: 10 });
    const b = hashPayload({ orderId: "o-1", amount: 11 });

    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(b).not.toBe(a);
  });
});
