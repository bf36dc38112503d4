import { describe, expect, it } from "vitest";
import { parseNoisyNeighbourArgs } from "./noisyNeighbourArgs.js";

describe("parseNoisyNeighbourArgs", () => {
  it("runs every mode at time scale 0.01 by default", () => {
    expect(parseNoisyNeighbourArgs([])).toEqual({
      help: false,
      timeScale: 0.01,
      modes: ["none", "consumer", "fairQueue"],
      outDir: "results",
    });
  });

  it("runs the modes asked for, in that order", () => {
    const command = parseNoisyNeighbourArgs(["--modes", "fairQueue,none", "--time-scale", "0.02"]);

    expect(command.help === false && [command.modes, command.timeScale]).toEqual([["fairQueue", "none"], 0.02]);
  });

  it("rejects an unknown mode, naming the flag and the value", () => {
    expect(() => parseNoisyNeighbourArgs(["--modes", "none,fifo"])).toThrow(
      'Expected `--modes` to list none, consumer and fairQueue, got "fifo"',
    );
  });
});
