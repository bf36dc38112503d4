import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const dist = (file: string) => fileURLToPath(new URL(`../dist/${file}`, import.meta.url));

/** Imports a built entry point in a fresh Node process and lists every bare package specifier it resolved. */
function packagesLoadedBy(entry: string, mode: "import" | "require"): string[] {
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` before this test`);
  const script = `
    const { registerHooks } = require("node:module");
    const seen = new Set();
    registerHooks({ resolve(specifier, context, next) {
      if (!/^(\\.|\\/|node:|file:)/.test(specifier)) seen.add(specifier);
      return next(specifier, context);
    } });
    Promise.resolve(${mode === "import" ? "import(process.argv[1])" : "require(process.argv[1])"})
      .then(() => process.stdout.write(JSON.stringify([...seen])));`;
  return JSON.parse(execFileSync(process.execPath, ["-e", script, entry], { encoding: "utf8" })) as string[];
}

describe("what importing @resilient-jobs/sqs-adapter loads", () => {
  it.each(["import", "require"] as const)("loads no OpenTelemetry module from the package root (%s)", (mode) => {
    const loaded = packagesLoadedBy(dist(mode === "import" ? "index.js" : "index.cjs"), mode);
    expect(loaded.filter((name) => name.startsWith("@opentelemetry/"))).toEqual([]);
  });

  it("loads @opentelemetry/api from the otel subpath", () => {
    expect(packagesLoadedBy(dist("otel/index.js"), "import")).toContain("@opentelemetry/api");
  });
});
