import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const read = (path: string) => readFileSync(fileURLToPath(new URL(path, import.meta.url)), "utf8");

describe("docs/consumer.md", () => {
  const doc = read("../../../../docs/consumer.md");

  it("has every TypeScript block verbatim in docs/snippets/consumer.ts, which CI compiles", () => {
    const snippet = read("../../../../docs/snippets/consumer.ts");
    const blocks = [...doc.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? "");

    expect(blocks.length).toBeGreaterThanOrEqual(4);
    for (const block of blocks) expect(snippet).toContain(block);
  });

  it("lists every field of ConsumerOptions and HeartbeatOptions in its options table", () => {
    const source = read("./options.ts");
    const fieldsOf = (name: string) => {
      const body = source.slice(source.indexOf(`export interface ${name}`));
      return [...body.slice(0, body.indexOf("\n}")).matchAll(/^ {2}(\w+)\??:/gm)].map((m) => m[1]);
    };
    const rows = doc.slice(doc.indexOf("## Options"), doc.indexOf("## Events"));
    const fields = [...fieldsOf("ConsumerOptions"), ...fieldsOf("HeartbeatOptions").map((f) => `heartbeat.${f}`)];

    expect(fields.length).toBeGreaterThan(25);
    for (const field of fields) expect(rows).toContain(`| \`${field}\` |`);
  });

  it("lists every consumer event in its events table", () => {
    const source = read("./events.ts");
    const body = source.slice(source.indexOf("export interface ConsumerEvents"));
    const events = [...body.slice(0, body.indexOf("\n}")).matchAll(/^ {2}(\w+):/gm)].map((m) => m[1] ?? "");
    const rows = doc.slice(doc.indexOf("| event |"), doc.indexOf("`consumer.stats()`"));

    expect(events.length).toBeGreaterThan(10);
    for (const event of events) expect(rows).toContain(`\`${event}\``);
  });
});
