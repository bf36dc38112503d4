import { InvalidOptionError } from "@resilient-jobs/core";
import { describe, expect, it } from "vitest";
import { FLASH_SALE_DEFAULTS, parseFlashSaleArgs, resolveFlashSaleOptions } from "./options.js";

describe("resolveFlashSaleOptions", () => {
  it("defaults to the study's first system: one sync slot, unlimited downstream, 1/5/20/100 workers", () => {
    const config = resolveFlashSaleOptions();

    expect(config).toEqual(FLASH_SALE_DEFAULTS);
    expect(config.syncSlots).toBe(1);
    expect(config.slots).toBe("unlimited");
    expect(config.workers).toEqual([1, 5, 20, 100]);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("keeps the defaults for options given as undefined", () => {
    expect(resolveFlashSaleOptions({ users: undefined, slots: 5 }).users).toEqual([5, 20]);
  });

  it.each([
    ["users", { users: [] }],
    ["workers", { workers: [0] }],
    ["durationMs", { durationMs: 0 }],
    ["thinkMs", { thinkMs: [500, 100] as const }],
    ["slots", { slots: 2.5 }],
    ["syncSlots", { syncSlots: 0 }],
    ["timeScale", { timeScale: 2 }],
    ["phases", { phases: ["drain" as "sync"] }],
    ["backend", { backend: "aws" as "local" }],
  ])("names %s when it is invalid", (option, options) => {
    expect(() => resolveFlashSaleOptions(options)).toThrow(InvalidOptionError);
    expect(() => resolveFlashSaleOptions(options)).toThrow(`Expected \`${option}\``);
  });
});

describe("parseFlashSaleArgs", () => {
  it("reads the issue's flags: lists, a think-time range, seconds and unlimited slots", () => {
    const command = parseFlashSaleArgs([
      "--backend",
      "local",
      "--users",
      "20",
      "--duration",
      "30",
      "--think-ms",
      "100-500",
      "--workers",
      "1,5,20,100",
      "--payment-ms",
      "3000",
      "--slots",
      "unlimited",
      "--sync-slots",
      "5",
      "--time-scale",
      "0.01",
      "--phases",
      "workers",
    ]);

    expect(command.options).toEqual({
      backend: "local",
      users: [20],
      durationMs: 30_000,
      thinkMs: [100, 500],
      customerTimeoutMs: undefined,
      workers: [1, 5, 20, 100],
      paymentMs: 3000,
      slots: "unlimited",
      syncSlots: 5,
      timeScale: 0.01,
      phases: ["workers"],
    });
    expect(command.outDir).toBe("results");
  });

  it("leaves every option to the defaults when no flag is given", () => {
    const command = parseFlashSaleArgs([]);

    expect(resolveFlashSaleOptions(command.options)).toEqual(FLASH_SALE_DEFAULTS);
    expect(command.help).toBe(false);
  });

  it("rejects a flag value that is not a number, naming the flag", () => {
    expect(() => parseFlashSaleArgs(["--workers", "1,five"])).toThrow("Expected `--workers` to be a number");
  });

  it("rejects unknown flags", () => {
    expect(() => parseFlashSaleArgs(["--speed", "fast"])).toThrow(/Unknown option/);
  });
});
