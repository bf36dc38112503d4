import { describe, expect, it } from "vitest";
import { checkOutcome } from "./checkOutcome.js";

describe("checkOutcome", () => {
  it("exits 0 when every check passed", () => {
    expect(checkOutcome("flash-sale", [{ name: "a", ok: true }])).toEqual({ exitCode: 0 });
  });

  it("exits 1 when a check failed, naming the failures", () => {
    const outcome = checkOutcome("flash-sale", [
      { name: "peak depth = fluid estimate", ok: false },
      { name: "no order lost", ok: true },
      { name: "drain time = fluid estimate", ok: false },
    ]);

    expect(outcome).toEqual({
      exitCode: 1,
      message: "flash-sale: 2 of 3 checks FAILED: peak depth = fluid estimate; drain time = fluid estimate",
    });
  });
});
