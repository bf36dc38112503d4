import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const read = (path: string) => readFileSync(fileURLToPath(new URL(path, import.meta.url)), "utf8");

describe("docs/flow-control.md", () => {
  const doc = read("../../../../docs/flow-control.md");

  it("has every TypeScript block verbatim in docs/snippets/flow-control.ts, which CI compiles", () => {
    const snippet = read("../../../../docs/snippets/flow-control.ts");
    const blocks = [...doc.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? "");

    expect(blocks.length).toBeGreaterThanOrEqual(4);
    for (const block of blocks) expect(snippet).toContain(block);
  });

  it("lists every field of the adaptive, rate-limit and fairness options in its table", () => {
    const source = read("../../../../packages/core/src/consumer/options.ts");
    const fieldsOf = (name: string) => {
      const body = source.slice(source.indexOf(`export interface ${name}`));
      return [...body.slice(0, body.indexOf("\n}")).matchAll(/^ {2}(\w+)\??:/gm)].map((m) => m[1] ?? "");
    };
    const fields = [
      ...fieldsOf("AdaptiveConcurrencyOptions").map((f) => `concurrency.adaptive.${f}`),
      ...fieldsOf("RateLimitOptions").map((f) => `rateLimit.${f}`),
      ...fieldsOf("FairnessOptions").map((f) => `fairness.${f}`),
    ];
    const table = doc.slice(doc.indexOf("| field |"), doc.indexOf("Every block on this page"));

    expect(fields.length).toBeGreaterThanOrEqual(9);
    for (const field of fields) expect(table).toContain(`| \`${field}\` |`);
  });

  it("shows the limit-over-time plot it explains, and links the bench that drew it", () => {
    expect(doc).toContain("](flow-control-limit.svg)");
    expect(read("../../../../docs/flow-control-limit.svg")).toMatch(/^<svg [^>]*>\n<title>/);
    expect(doc).toContain("npm run bench -w examples/order-pipeline");
    expect(doc).toContain("npm run noisy-neighbour -w examples/order-pipeline");
  });
});
