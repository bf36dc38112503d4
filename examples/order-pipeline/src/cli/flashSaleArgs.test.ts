import { describe, expect, it } from "vitest";
import { FLASH_SALE_DEFAULTS, resolveFlashSaleOptions } from "../experiment/options.js";
import { parseFlashSaleArgs } from "./flashSaleArgs.js";
import { UsageError } from "./scriptArgs.js";

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

    expect(command.help).toBe(false);
    if (command.help) return;
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

    expect(command.help).toBe(false);
    expect(resolveFlashSaleOptions(command.help ? {} : command.options)).toEqual(FLASH_SALE_DEFAULTS);
  });

  it("rejects a flag value that is not a number, naming the flag", () => {
    expect(() => parseFlashSaleArgs(["--workers", "1,five"])).toThrow("Expected `--workers` to be a number");
  });

  it("takes adaptive among the worker counts", () => {
    const command = parseFlashSaleArgs(["--slots", "5", "--workers", "1,5,20,100,adaptive"]);

    expect(command.help === false && command.options.workers).toEqual([1, 5, 20, 100, "adaptive"]);
    expect(() => parseFlashSaleArgs(["--workers", "5,adaptve"])).toThrow(
      'Expected `--workers` to be a number or "adaptive", got "adaptve"',
    );
  });

  it("reads --clock and --seed; the virtual clock defaults to the study's own time scale", () => {
    const command = parseFlashSaleArgs(["--clock", "virtual", "--seed", "7"]);

    expect(command.help === false && command.options).toMatchObject({ clock: "virtual", seed: 7 });
    const config = resolveFlashSaleOptions(command.help ? {} : command.options);
    expect(config).toMatchObject({ clock: "virtual", seed: 7, timeScale: 1 });
  });

  it("refuses the virtual clock with the emulators, and an unknown clock, in one line", () => {
    expect(() => parseFlashSaleArgs(["--clock", "virtual", "--backend", "local"])).toThrow(
      new UsageError("--clock virtual runs on the memory backend only, got --backend local"),
    );
    expect(() => parseFlashSaleArgs(["--clock", "fake"])).toThrow(
      new UsageError('Expected `--clock` to be "system" or "virtual", got "fake"'),
    );
  });

  it("rejects unknown flags", () => {
    expect(() => parseFlashSaleArgs(["--speed", "fast"])).toThrow(new UsageError("unknown option --speed"));
  });
});

it("answers --help whatever else is on the line, even an unknown flag", () => {
  expect(parseFlashSaleArgs(["--speed", "fast", "--help"])).toEqual({ help: true });
  expect(parseFlashSaleArgs(["-h"])).toEqual({ help: true });
});
