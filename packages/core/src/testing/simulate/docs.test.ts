import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
// Runs the page's own tests (describe/it at the snippet's top level register here).
import "../../../../../docs/snippets/testing.js";
import "../../../../../docs/snippets/testing-fifo.js";

const path = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));
const read = (relative: string) => readFileSync(path(relative), "utf8");

describe("docs/testing.md", () => {
  const doc = read("../../../../../docs/testing.md");

  it("has every TypeScript block verbatim in docs/snippets/testing.ts or testing-fifo.ts, which CI compiles and this file runs", () => {
    const snippet = ["testing.ts", "testing-fifo.ts"]
      .map((file) => read(`../../../../../docs/snippets/${file}`))
      .join("\n");
    const blocks = [...doc.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? "");

    expect(blocks.length).toBeGreaterThanOrEqual(3);
    for (const block of blocks) expect(snippet).toContain(block);
  });

  it("lists every fault of FaultOptions in its faults table", () => {
    const source = read("./faults.ts");
    const body = source.slice(source.indexOf("export interface FaultOptions"));
    const faults = [...body.slice(0, body.indexOf("\n}")).matchAll(/^ {2}(\w+)\??:/gm)].map((m) => m[1]);
    const rows = doc.slice(doc.indexOf("| fault |"));

    expect(faults.length).toBe(7);
    for (const fault of faults) expect(rows).toContain(`| \`${fault}\``);
  });

  it("runs the node:test example with Node's own test runner", () => {
    const dist = path("../../../dist/testing/index.js");
    if (!existsSync(dist)) throw new Error(`${dist} is missing: run \`npm run build\` before this test`);
    const run = spawnSync(process.execPath, ["--test", path("../../../../../docs/snippets/testing.node-test.mjs")], {
      encoding: "utf8",
    });

    expect(run.stdout).toMatch(/pass 2/);
    expect(run.status).toBe(0);
  });
});
