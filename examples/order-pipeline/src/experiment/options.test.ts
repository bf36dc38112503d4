import { InvalidOptionError } from "@resilient-jobs/core";
import { describe, expect, it } from "vitest";
import {
  FLASH_SALE_DEFAULTS,
  flashSaleWarnings,
  maxWorkers,
  resolveFlashSaleOptions,
  workersLabel,
} from "./options.js";

describe("resolveFlashSaleOptions", () => {
  it("defaults to the study's first system: one sync slot, unlimited downstream, 1/5/20/100 workers", () => {
    const config = resolveFlashSaleOptions();

    expect(config).toEqual(FLASH_SALE_DEFAULTS);
    expect(config.syncSlots).toBe(1);
    expect(config.slots).toBe("unlimited");
    expect(config.workers).toEqual([1, 5, 20, 100]);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("runs the virtual clock at the study's time scale unless told otherwise, on the memory backend only", () => {
    expect(resolveFlashSaleOptions({ clock: "virtual" }).timeScale).toBe(1);
    expect(resolveFlashSaleOptions({ clock: "virtual", timeScale: 0.5 }).timeScale).toBe(0.5);
    expect(() => resolveFlashSaleOptions({ clock: "virtual", backend: "local" })).toThrow(InvalidOptionError);
    expect(() => resolveFlashSaleOptions({ clock: "virtual", backend: "local" })).toThrow(/`clock`/);
  });

  it("takes a seed from 0 to 2^32 - 1", () => {
    expect(resolveFlashSaleOptions({ seed: 0 }).seed).toBe(0);
    expect(() => resolveFlashSaleOptions({ seed: 1.5 })).toThrow(/`seed`/);
    expect(() => resolveFlashSaleOptions({ seed: -1 })).toThrow(/`seed`/);
  });

  it("keeps the defaults for options given as undefined", () => {
    expect(resolveFlashSaleOptions({ users: undefined, slots: 5 }).users).toEqual([5, 20]);
  });

  it("takes an adaptive run among the worker counts, labelled with its bounds", () => {
    const config = resolveFlashSaleOptions({ workers: [5, "adaptive"] });

    expect(config.workers).toEqual([5, "adaptive"]);
    expect(config.workers.map(maxWorkers)).toEqual([5, 100]);
    expect(config.workers.map(workersLabel)).toEqual(["5 workers", "adaptive (1-100)"]);
  });

  it.each([
    ["users", { users: [] }],
    ["workers", { workers: [0] }],
    ["workers", { workers: ["elastic" as "adaptive"] }],
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

describe("flashSaleWarnings", () => {
  it("has nothing to say about the defaults", () => {
    expect(flashSaleWarnings(resolveFlashSaleOptions())).toEqual([]);
  });

  it("warns when the time scale shrinks a payment under 10 ms, naming the flag and a scale that works", () => {
    const warnings = flashSaleWarnings(resolveFlashSaleOptions({ timeScale: 0.001 }));

    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^--time-scale 0\.001 runs each payment in 3\.0 ms, under 10 ms/);
    expect(warnings[0]).toContain("(use --time-scale 0.0034 or more)");
  });

  it("does not warn of timer jitter on the virtual clock, which has none", () => {
    expect(flashSaleWarnings(resolveFlashSaleOptions({ clock: "virtual", timeScale: 0.001 }))).toEqual([]);
  });

  it("warns when a load is too short for ten payments per slot", () => {
    const warnings = flashSaleWarnings(resolveFlashSaleOptions({ durationMs: 6_000 }));

    expect(warnings).toEqual([expect.stringMatching(/^--duration 6 s fits 2\.0 payments of 3000 ms per slot/)]);
  });
});
