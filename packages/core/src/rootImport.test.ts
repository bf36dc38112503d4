import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const dist = (file: string) => fileURLToPath(new URL(`../dist/${file}`, import.meta.url));

/**
 * Imports a built entry point in a fresh Node process and lists every bare package specifier
 * it resolved, through Node's in-thread module hooks (they see ESM imports and CJS requires).
 */
function packagesLoadedBy(entry: string, mode: "import" | "require"): string[] {
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` before this test`);
  const script = `
    const { registerHooks } = require("node:module");
    const seen = new Set();
    registerHooks({ resolve(specifier, context, next) {
      if (!specifier.startsWith(".") && !specifier.startsWith("/") && !specifier.startsWith("node:") && !specifier.startsWith("file:")) seen.add(specifier);
      return next(specifier, context);
    } });
    Promise.resolve(${mode === "import" ? "import(process.argv[1])" : "require(process.argv[1])"})
      .then(() => process.stdout.write(JSON.stringify([...seen])));`;
  const out = execFileSync(process.execPath, ["-e", script, entry], { encoding: "utf8" });
  return JSON.parse(out) as string[];
}

describe("what importing @resilient-jobs/core loads", () => {
  it.each(["import", "require"] as const)("loads no AWS SDK module from the package root (%s)", (mode) => {
    const loaded = packagesLoadedBy(dist(mode === "import" ? "index.js" : "index.cjs"), mode);
    expect(loaded.filter((name) => name.startsWith("@aws-sdk/"))).toEqual([]);
  });

  it.each(["import", "require"] as const)("loads no OpenTelemetry module from the package root (%s)", (mode) => {
    const loaded = packagesLoadedBy(dist(mode === "import" ? "index.js" : "index.cjs"), mode);
    expect(loaded.filter((name) => name.startsWith("@opentelemetry/"))).toEqual([]);
  });

  it("loads @opentelemetry/api only from the otel subpath", () => {
    expect(packagesLoadedBy(dist("otel/index.js"), "import")).toContain("@opentelemetry/api");
  });

  it("loads the S3 client only from the s3 subpath", () => {
    expect(packagesLoadedBy(dist("s3/index.js"), "import")).toContain("@aws-sdk/client-s3");
    expect(packagesLoadedBy(dist("index.js"), "import")).not.toContain("@aws-sdk/client-s3");
  });

  it("loads the DynamoDB client only from the dynamodb subpath", () => {
    const loaded = packagesLoadedBy(dist("dynamodb/index.js"), "import");
    expect(loaded).toContain("@aws-sdk/client-dynamodb");
  });

  it.each(["import", "require"] as const)(
    "loads no vitest from the testing/simulator subpath, so node:test users need none (%s)",
    (mode) => {
      const loaded = packagesLoadedBy(dist(`testing/simulator.${mode === "import" ? "js" : "cjs"}`), mode);
      expect(loaded).not.toContain("vitest");
      expect(packagesLoadedBy(dist("testing/index.js"), "import")).toContain("vitest");
    },
  );
});
