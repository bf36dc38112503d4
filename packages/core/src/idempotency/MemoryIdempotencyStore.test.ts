import { describe, expect, it } from "vitest";
import { InvalidOptionError } from "../errors.js";
import { describeIdempotencyStore } from "../testing/describeIdempotencyStore.js";
import { MemoryIdempotencyStore } from "./MemoryIdempotencyStore.js";

describeIdempotencyStore("MemoryIdempotencyStore", ({ now }) => new MemoryIdempotencyStore({ now }));

describe("MemoryIdempotencyStore", () => {
  it("sweeps expired records during writes so keys never used again do not pile up", async () => {
    let clock = 1_000_000;
    const store = new MemoryIdempotencyStore({ now: () => clock });
    for (let i = 0; i < 500; i += 1) {
      await store.update({ key: `old-${i}`, status: "COMPLETED", expiresAt: clock + 1000 });
    }
    clock += 1000;

    for (let i = 0; i < 1000; i += 1) {
      await store.update({ key: `new-${i}`, status: "COMPLETED", expiresAt: clock + 60_000 });
    }

    expect(store.size).toBe(1000);
    expect(await store.get("new-0")).toBeDefined();
  });

  it("drops an expired record when it is read", async () => {
    let clock = 0;
    const store = new MemoryIdempotencyStore({ now: () => clock });
    await store.update({ key: "a", status: "COMPLETED", expiresAt: 1000 });
    clock = 1000;

    await store.get("a");

    expect(store.size).toBe(0);
  });

  it("rejects a clock that is not a function, naming the option", () => {
    expect(() => new MemoryIdempotencyStore({ now: 5 as unknown as () => number })).toThrow(
      new InvalidOptionError("now", "a function returning epoch milliseconds", 5),
    );
  });
});
