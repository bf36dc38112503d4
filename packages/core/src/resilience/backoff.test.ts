import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { InvalidOptionError } from "../errors.js";
import { type BackoffStrategy, backoffDelay, createBackoff } from "./backoff.js";

const strategies: BackoffStrategy[] = ["none", "full", "equal", "decorrelated"];

/** base and cap with base <= cap; sometimes tiny, sometimes zero, sometimes huge. */
const baseAndCap = fc
  .tuple(fc.double({ min: 0, max: 1e7, noNaN: true }), fc.double({ min: 0, max: 1e9, noNaN: true }))
  .map(([a, b]) => ({ baseMs: Math.min(a, b), capMs: Math.max(a, b) }));
/** Attempts up to far past the point where 2^attempt overflows a double. */
const attemptArb = fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 100_000 }));
/** A random source in [0, 1), the edges included. */
const randomValue = fc.oneof(
  fc.constant(0),
  fc.constant(1 - Number.EPSILON),
  fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
);

const ceilingOf = (attempt: number, baseMs: number, capMs: number) =>
  Math.min(capMs, baseMs * 2 ** Math.min(attempt, 1000));

describe("backoffDelay", () => {
  it("is never negative, never NaN and never above the cap, for every strategy and attempt", () => {
    fc.assert(
      fc.property(fc.constantFrom(...strategies), attemptArb, baseAndCap, randomValue, (strategy, attempt, bc, r) => {
        const delay = backoffDelay(attempt, { strategy, ...bc, random: () => r });
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(bc.capMs);
      }),
    );
  });

  it("none: is exactly min(cap, base * 2^attempt), and reaches the cap at large attempts without overflowing", () => {
    fc.assert(
      fc.property(attemptArb, baseAndCap, (attempt, { baseMs, capMs }) => {
        expect(backoffDelay(attempt, { strategy: "none", baseMs, capMs })).toBe(ceilingOf(attempt, baseMs, capMs));
      }),
    );
    expect(backoffDelay(5000, { strategy: "none", baseMs: 100, capMs: 20_000 })).toBe(20_000);
    expect(backoffDelay(Number.MAX_SAFE_INTEGER, { strategy: "none", baseMs: 0, capMs: 10 })).toBe(0);
  });

  it("full: stays within [0, min(cap, base * 2^attempt)] and scales linearly with the random draw", () => {
    fc.assert(
      fc.property(attemptArb, baseAndCap, randomValue, (attempt, { baseMs, capMs }, r) => {
        const ceiling = ceilingOf(attempt, baseMs, capMs);
        const delay = backoffDelay(attempt, { strategy: "full", baseMs, capMs, random: () => r });
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(ceiling);
        expect(delay).toBeCloseTo(r * ceiling, 3);
      }),
    );
  });

  it("equal: stays within [ceiling / 2, ceiling], so it never retries almost at once", () => {
    fc.assert(
      fc.property(attemptArb, baseAndCap, randomValue, (attempt, { baseMs, capMs }, r) => {
        const ceiling = ceilingOf(attempt, baseMs, capMs);
        const delay = backoffDelay(attempt, { strategy: "equal", baseMs, capMs, random: () => r });
        expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
        expect(delay).toBeLessThanOrEqual(ceiling);
      }),
    );
  });

  it("decorrelated: stays within [base, min(cap, 3 * previous)] whatever the attempt number", () => {
    fc.assert(
      fc.property(
        attemptArb,
        baseAndCap,
        fc.double({ min: 0, max: 1e9, noNaN: true }),
        randomValue,
        (attempt, { baseMs, capMs }, previousDelayMs, r) => {
          const delay = backoffDelay(attempt, {
            strategy: "decorrelated",
            baseMs,
            capMs,
            previousDelayMs,
            random: () => r,
          });
          expect(delay).toBeGreaterThanOrEqual(Math.min(baseMs, capMs));
          expect(delay).toBeLessThanOrEqual(Math.min(capMs, 3 * Math.max(previousDelayMs, baseMs)));
        },
      ),
    );
  });

  it("decorrelated: a chain fed its own previous delay grows from base and stays under the cap", () => {
    fc.assert(
      fc.property(fc.array(randomValue, { minLength: 1, maxLength: 40 }), (draws) => {
        const options = { strategy: "decorrelated" as const, baseMs: 100, capMs: 20_000 };
        let previous: number | undefined;
        for (const [attempt, r] of draws.entries()) {
          const delay = backoffDelay(attempt, { ...options, previousDelayMs: previous, random: () => r });
          expect(delay).toBeGreaterThanOrEqual(100);
          expect(delay).toBeLessThanOrEqual(Math.min(20_000, 3 * (previous ?? 100)));
          previous = delay;
        }
      }),
    );
  });

  it("uses full jitter, base 100 ms and cap 20 s by default", () => {
    expect(backoffDelay(0, { random: () => 0.5 })).toBe(50);
    expect(backoffDelay(3, { random: () => 0.5 })).toBe(400);
    expect(backoffDelay(30, { random: () => 0.5 })).toBe(10_000);
  });

  it("draws from Math.random when no random source is given", () => {
    const spy = vi.spyOn(Math, "random").mockReturnValue(0.25);
    try {
      expect(backoffDelay(5)).toBe(800);
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });

  it("keeps a misbehaving random source (returning 1 or more) inside the range", () => {
    expect(backoffDelay(2, { strategy: "full", random: () => 7 })).toBe(400);
    expect(backoffDelay(2, { strategy: "equal", random: () => -1 })).toBe(200);
    expect(backoffDelay(2, { strategy: "full", random: () => Number.NaN })).toBe(0);
  });

  it.each([
    ["strategy", { strategy: "linear" as BackoffStrategy }],
    ["baseMs", { baseMs: -1 }],
    ["baseMs", { baseMs: Number.NaN }],
    ["capMs", { capMs: Number.POSITIVE_INFINITY }],
    ["capMs", { baseMs: 500, capMs: 100 }],
    ["capMs", { capMs: 2 ** 31 }],
    ["random", { random: 0.5 as unknown as () => number }],
    ["previousDelayMs", { strategy: "decorrelated" as const, previousDelayMs: -5 }],
  ])("rejects an invalid %s with an InvalidOptionError naming it", (option, options) => {
    const error = captureError(() => backoffDelay(1, options));
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect(error).toMatchObject({ option, message: expect.stringContaining(`\`${option}\``) });
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])("rejects attempt %s", (attempt) => {
    expect(() => backoffDelay(attempt)).toThrow(/Expected `attempt` to be an integer >= 0/);
  });
});

describe("createBackoff", () => {
  it("validates once at creation and then computes the same delays as backoffDelay", () => {
    const options = { strategy: "equal" as const, baseMs: 50, capMs: 1000, random: () => 0.25 };
    const delay = createBackoff(options);
    for (let attempt = 0; attempt < 10; attempt++) expect(delay(attempt)).toBe(backoffDelay(attempt, options));
    expect(() => createBackoff({ capMs: -1 })).toThrow(InvalidOptionError);
  });
});

function captureError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}
