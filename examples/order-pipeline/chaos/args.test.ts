import { describe, expect, it } from "vitest";
import { UsageError } from "../src/cli/scriptArgs.js";
import { chaosWarnings, parseChaosArgs } from "./args.js";
import { CI_CHAOS, FULL_CHAOS } from "./options.js";

describe("parseChaosArgs", () => {
  it("keeps only the flags given, as numbers, over the preset", () => {
    expect(parseChaosArgs(["--ci", "--orders", "200", "--sqs-error-rate", "0.1", "--log-level", "info"])).toEqual({
      help: false,
      ci: true,
      overrides: { orders: 200, sqsErrorRate: 0.1, workerLogLevel: "info" },
    });
  });

  it.each([
    [["--help"], { help: true }],
    [["--speed", "3", "-h"], { help: true }],
  ])("answers %j with help", (args, expected) => {
    expect(parseChaosArgs(args)).toEqual(expected);
  });

  it.each([
    [["--speed", "3"], "unknown option --speed"],
    [["--orders", "many"], 'Expected `--orders` to be a number, got "many"'],
    [["--log-level", "loud"], 'Expected `--log-level` to be debug, info, warn, error, got "loud"'],
  ])("rejects %j in one line", (args, message) => {
    expect(() => parseChaosArgs(args)).toThrow(new UsageError(message));
  });
});

describe("chaosWarnings", () => {
  it("has nothing to say about either preset", () => {
    expect(chaosWarnings(FULL_CHAOS)).toEqual([]);
    expect(chaosWarnings(CI_CHAOS)).toEqual([]);
  });

  it("warns when no fault is injected", () => {
    const calm = {
      ...CI_CHAOS,
      kills: 0,
      sigterms: 0,
      sqsErrorRate: 0,
      duplicateRate: 0,
      poisonRate: 0,
      studyOutageMs: 0,
    };

    expect(chaosWarnings(calm)).toEqual([expect.stringMatching(/^no fault is injected/)]);
  });

  it("warns when the time scale shrinks a payment under 10 ms, and when the load is too short for the kills", () => {
    expect(chaosWarnings({ ...CI_CHAOS, timeScale: 0.001 })).toEqual([
      expect.stringMatching(/^--time-scale 0\.001 runs each payment in 3\.0 ms/),
    ]);
    expect(chaosWarnings({ ...CI_CHAOS, orders: 100 })).toEqual([
      expect.stringMatching(/^the load lasts 2\.0 s: too short for the worker kills/),
    ]);
  });
});
