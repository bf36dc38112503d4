import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const read = (path: string) => readFileSync(fileURLToPath(new URL(path, import.meta.url)), "utf8");

describe("docs/large-messages.md", () => {
  it("has every TypeScript block verbatim in docs/snippets/large-messages.ts, which CI compiles", () => {
    const doc = read("../../../../docs/large-messages.md");
    const snippet = read("../../../../docs/snippets/large-messages.ts");
    const blocks = [...doc.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? "");

    expect(blocks.length).toBeGreaterThanOrEqual(5);
    for (const block of blocks) expect(snippet).toContain(block);
  });
});
