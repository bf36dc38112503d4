import { describe, expect, it } from "vitest";
import { UsageError } from "./scriptArgs.js";
import { parseStartArgs, type StartFlags, startWarnings } from "./startArgs.js";

const defaults = (): StartFlags => {
  const flags = parseStartArgs([]);
  if (flags.help) throw new Error("unexpected help");
  return flags;
};

describe("parseStartArgs", () => {
  it("defaults to the study's set-up: 20 users, 20 workers, 5 slots, time scale 0.05", () => {
    expect(defaults()).toEqual({
      help: false,
      backend: "memory",
      processor: "ecs",
      users: 20,
      saleSeconds: 3,
      timeScale: 0.05,
      workers: 20,
      slots: 5,
      failureRate: 0,
      thinkMs: 4000,
      drainSeconds: 8,
      trace: false,
    });
  });

  it("turns tracing on with --trace", () => {
    expect(parseStartArgs(["--trace"])).toMatchObject({ trace: true });
  });

  it.each([
    [["--time-scale", "fast"], 'Expected `--time-scale` to be a number, got "fast"'],
    [["--time-scale", "200"], 'Expected `--time-scale` to be a number > 0 and at most 100, got "200"'],
    [["--users", "2.5"], 'Expected `--users` to be an integer >= 1, got "2.5"'],
    [["--backend", "sqs"], 'Expected `--backend` to be memory, local, aws, got "sqs"'],
    [["--failure-rate", "2"], 'Expected `--failure-rate` to be a number from 0 to 1, got "2"'],
    [["--speed", "3"], "unknown option --speed"],
  ])("rejects %j in one line naming the flag", (args, message) => {
    expect(() => parseStartArgs(args)).toThrow(new UsageError(message));
  });

  it("answers --help", () => {
    expect(parseStartArgs(["--help"])).toEqual({ help: true });
  });
});

describe("startWarnings", () => {
  it("has nothing to say about the defaults", () => {
    expect(startWarnings(defaults())).toEqual([]);
  });

  it("warns when the time scale shrinks a payment under 10 ms", () => {
    expect(startWarnings({ ...defaults(), timeScale: 0.001 })).toEqual([
      expect.stringMatching(/^--time-scale 0\.001 runs each payment in 3\.0 ms, under 10 ms/),
    ]);
  });

  it("warns when the backlog cannot drain within --drain-seconds", () => {
    const warnings = startWarnings({ ...defaults(), drainSeconds: 2 });

    expect(warnings).toEqual([
      expect.stringMatching(/^about 300 orders on 5 slots need ~6 s to drain.*--drain-seconds 2/),
    ]);
  });
});
