import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const read = (path: string) => readFileSync(fileURLToPath(new URL(path, import.meta.url)), "utf8");

/** The field names of an exported interface in a source file. */
function fieldsOf(source: string, name: string): string[] {
  const body = source.slice(source.indexOf(`export interface ${name}`));
  return [...body.slice(0, body.indexOf("\n}")).matchAll(/^ {2}(\w+)\??:/gm)].map((m) => m[1] ?? "");
}

describe("docs/lambda.md", () => {
  const doc = read("../../../docs/lambda.md");

  it("has every TypeScript block verbatim in docs/snippets/lambda.ts, which CI compiles", () => {
    const snippet = read("../../../docs/snippets/lambda.ts");
    const blocks = [...doc.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? "");

    expect(blocks.length).toBeGreaterThanOrEqual(3);
    for (const block of blocks) expect(snippet).toContain(block);
  });

  it("lists every handler option in its options table", () => {
    const source = read("./options.ts");
    const fields = ["LambdaHandlerOptions", "SqsHandlerOptions", "SnsHandlerOptions"].flatMap((n) =>
      fieldsOf(source, n),
    );
    const rows = doc.slice(doc.indexOf("## Options"), doc.indexOf("`runLocally(options)`"));

    expect(fields.length).toBeGreaterThanOrEqual(9);
    for (const field of fields) expect(rows).toContain(`| \`${field}\` |`);
  });

  it("lists every runLocally option in its options table", () => {
    const fields = fieldsOf(read("./local/runLocallyOptions.ts"), "RunLocallyOptions");
    const rows = doc.slice(doc.indexOf("`runLocally(options)`"), doc.indexOf("## Size and speed"));

    expect(fields.length).toBeGreaterThanOrEqual(12);
    for (const field of fields) expect(rows).toContain(`| \`${field}\` |`);
  });
});
