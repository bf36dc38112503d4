import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { METRIC } from "./semconv.js";

const read = (path: string) => readFileSync(fileURLToPath(new URL(path, import.meta.url)), "utf8");

describe("docs/observability.md", () => {
  const doc = read("../../../../docs/observability.md");

  it("has every TypeScript block verbatim in docs/snippets/observability.ts, which CI compiles", () => {
    const snippet = read("../../../../docs/snippets/observability.ts");
    const blocks = [...doc.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? "");

    expect(blocks.length).toBeGreaterThanOrEqual(4);
    for (const block of blocks) expect(snippet).toContain(block);
  });

  it("lists every metric in its metric table", () => {
    const table = doc.slice(doc.indexOf("## Metrics"), doc.indexOf("## CloudWatch"));
    for (const name of Object.values(METRIC)) expect(table).toContain(`| \`${name}\` |`);
  });
});
