import { describe, expect, it } from "vitest";
import { numberFlag, parseScriptArgs, roundUpForDisplay, UsageError, usageErrorText } from "./scriptArgs.js";

const OPTIONS = { users: { type: "string" }, ci: { type: "boolean" } } as const;

describe("parseScriptArgs", () => {
  it("turns node's unknown-option error into one line naming the flag", () => {
    expect(() => parseScriptArgs(["--speed", "3"], OPTIONS)).toThrow(new UsageError("unknown option --speed"));
  });

  it("says which flag lacks its value, and rejects stray arguments", () => {
    expect(() => parseScriptArgs(["--users"], OPTIONS)).toThrow(new UsageError("--users needs a value"));
    expect(() => parseScriptArgs(["fast"], OPTIONS)).toThrow(new UsageError("unexpected argument fast"));
  });

  it("answers help before checking anything else", () => {
    expect(parseScriptArgs(["--speed", "-h"], OPTIONS)).toEqual({ help: true });
  });

  it("hands back the values otherwise", () => {
    expect(parseScriptArgs(["--users", "5", "--ci"], OPTIONS)).toMatchObject({
      help: false,
      values: { users: "5", ci: true },
    });
  });
});

describe("numberFlag and usageErrorText", () => {
  it("names the flag whose value is not a number", () => {
    expect(() => numberFlag("--users", "five")).toThrow('Expected `--users` to be a number, got "five"');
    expect(() => numberFlag("--users", " ")).toThrow(UsageError);
    expect(numberFlag("--users", "0.5")).toBe(0.5);
  });

  it("puts the one-line reason above the usage", () => {
    expect(usageErrorText("chaos", new UsageError("unknown option --x"), "Usage: ...")).toBe(
      "chaos: unknown option --x\n\nUsage: ...\n",
    );
  });
});

describe("roundUpForDisplay", () => {
  it("rounds up to two significant digits, so the suggestion clears the threshold", () => {
    expect([roundUpForDisplay(10 / 3000), roundUpForDisplay(0.05), roundUpForDisplay(123)]).toEqual([
      0.0034, 0.05, 130,
    ]);
  });
});
