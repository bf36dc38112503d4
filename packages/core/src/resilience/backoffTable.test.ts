import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { type BackoffStrategy, backoffDelay, createBackoff } from "./backoff.js";

/**
 * docs/resilience.md shows a table of backoff delays. It is computed here by running the code, and this test
 * fails when the page and the code disagree: paste the table from the failure diff into the page.
 */
const docPath = fileURLToPath(new URL("../../../../docs/resilience.md", import.meta.url));
const baseMs = 100;
const capMs = 20_000;
const retries = 8;
const chains = 100_000;

/** A small seeded PRNG (mulberry32), so the simulated means are the same on every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const ALMOST_ONE = 1 - Number.EPSILON;
const fmt = (ms: number) => Math.round(ms).toLocaleString("en-US");
const sig3 = (ms: number) => Number(ms.toPrecision(3)).toLocaleString("en-US");

/** Delay of retry `n` (1-based) for a fixed draw: the same draw at every step of a decorrelated chain. */
function fixedDraw(strategy: BackoffStrategy, n: number, r: number): number {
  let previous: number | undefined;
  let delay = 0;
  for (let attempt = 0; attempt < n; attempt++) {
    delay = backoffDelay(attempt, { strategy, baseMs, capMs, previousDelayMs: previous, random: () => r });
    previous = delay;
  }
  return delay;
}

/** Mean delay of each retry over simulated decorrelated chains. */
function decorrelatedMeans(): number[] {
  const delay = createBackoff({ strategy: "decorrelated", baseMs, capMs, random: seeded(42) });
  const sums = new Array<number>(retries).fill(0);
  for (let c = 0; c < chains; c++) {
    let previous: number | undefined;
    for (let attempt = 0; attempt < retries; attempt++) {
      previous = delay(attempt, previous);
      sums[attempt] = (sums[attempt] ?? 0) + previous;
    }
  }
  return sums.map((sum) => sum / chains);
}

function backoffTable(): string {
  const means = decorrelatedMeans();
  const rows = [
    "| retry | `none` | `full`: range | `full`: mean | `equal`: range | `equal`: mean | `decorrelated`: range | `decorrelated`: mean |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (let n = 1; n <= retries; n++) {
    const range = (s: BackoffStrategy) => `${fmt(fixedDraw(s, n, 0))} – ${fmt(fixedDraw(s, n, ALMOST_ONE))}`;
    // full and equal are linear in the draw, so their mean is the delay at a draw of 0.5.
    rows.push(
      `| ${n} | ${fmt(fixedDraw("none", n, 0))} | ${range("full")} | ${fmt(fixedDraw("full", n, 0.5))} | ${range("equal")} | ${fmt(fixedDraw("equal", n, 0.5))} | ${range("decorrelated")} | ≈ ${sig3(means[n - 1] ?? 0)} |`,
    );
  }
  return rows.join("\n");
}

describe("docs/resilience.md", () => {
  it("shows the backoff delays that the code computes (base 100 ms, cap 20 s)", () => {
    const doc = readFileSync(docPath, "utf8");
    const shown = doc.slice(doc.indexOf("| retry |"), doc.indexOf("\n\n", doc.indexOf("| retry |")));
    expect(shown).toBe(backoffTable());
  });
});

describe("docs/snippets/resilience.ts", () => {
  it("contains every TypeScript block of docs/resilience.md verbatim, so the page cannot drift from compiled code", () => {
    const doc = readFileSync(docPath, "utf8");
    const snippet = readFileSync(
      fileURLToPath(new URL("../../../../docs/snippets/resilience.ts", import.meta.url)),
      "utf8",
    );
    const blocks = [...doc.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? "");
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    for (const block of blocks) expect(snippet).toContain(block);
  });
});
