import { describe, expect, it } from "vitest";
import { checkOption, InvalidOptionError } from "./errors.js";

describe("checkOption", () => {
  it("throws an InvalidOptionError naming the option, what it must be and what was given", () => {
    const check = () => checkOption(false, "concurrency", "an integer >= 1", 0);

    expect(check).toThrow(InvalidOptionError);
    expect(check).toThrow("Expected `concurrency` to be an integer >= 1, got 0");
    expect(check).toThrow(expect.objectContaining({ option: "concurrency", code: "INVALID_OPTION" }));
  });

  it("returns when the option is valid", () => {
    expect(() => checkOption(true, "concurrency", "an integer >= 1", 3)).not.toThrow();
  });
});
