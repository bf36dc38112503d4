import { describe, expect, it } from "vitest";
import { parseFlowBenchArgs } from "./flowBenchArgs.js";
import { UsageError } from "./scriptArgs.js";

describe("parseFlowBenchArgs", () => {
  it("defaults to one repeat at time scale 0.04 into results/", () => {
    expect(parseFlowBenchArgs([])).toEqual({
      help: false,
      timeScale: 0.04,
      repeats: 1,
      outDir: "results",
      strict: false,
      clock: "system",
    });
  });

  it("runs on the virtual clock at the study's own time scale unless told otherwise", () => {
    expect(parseFlowBenchArgs(["--clock", "virtual"])).toMatchObject({ clock: "virtual", timeScale: 1 });
    expect(parseFlowBenchArgs(["--clock", "virtual", "--time-scale", "0.5"])).toMatchObject({ timeScale: 0.5 });
    expect(() => parseFlowBenchArgs(["--clock", "fake"])).toThrow(
      new UsageError('Expected `--clock` to be "system" or "virtual", got "fake"'),
    );
  });

  it("reads every flag", () => {
    expect(parseFlowBenchArgs(["--time-scale", "0.1", "--repeats", "3", "--out", "tmp", "--strict"])).toEqual({
      help: false,
      timeScale: 0.1,
      repeats: 3,
      outDir: "tmp",
      strict: true,
      clock: "system",
    });
  });

  it("rejects a time scale or repeat count it cannot run, naming the flag", () => {
    expect(() => parseFlowBenchArgs(["--time-scale", "2"])).toThrow(UsageError);
    expect(() => parseFlowBenchArgs(["--repeats", "1.5"])).toThrow("Expected `--repeats` to be an integer");
  });

  it("answers --help", () => {
    expect(parseFlowBenchArgs(["--repeats", "x", "--help"])).toEqual({ help: true });
  });
});
