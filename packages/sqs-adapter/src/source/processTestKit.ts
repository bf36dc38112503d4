/**
 * For this package's process tests (not exported): bundles a fixture script from the TypeScript sources into an
 * ES module that `node` runs as a child process (our packages inlined, the AWS SDK resolved from node_modules).
 */
import { mkdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const repo = join(dirname(fileURLToPath(import.meta.url)), "../../../..");

/** Bundles `fixture` (an absolute path) and resolves with the bundle's path. */
export async function bundleFixture(fixture: string): Promise<string> {
  const outDir = join(repo, "node_modules/.cache/sqs-adapter-test");
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, `${basename(fixture, ".ts").replace(/\.fixture$/, "")}.mjs`);
  const sources: Record<string, string> = {
    "@resilient-jobs/core": join(repo, "packages/core/src/index.ts"),
    "@resilient-jobs/sqs-adapter": join(repo, "packages/sqs-adapter/src/index.ts"),
  };
  await build({
    entryPoints: [fixture],
    outfile,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node22",
    external: ["@aws-sdk/*", "@opentelemetry/*"],
    logLevel: "error",
    plugins: [
      {
        name: "workspace-sources",
        setup(b) {
          b.onResolve({ filter: /^@resilient-jobs\/(core|sqs-adapter)$/ }, (r) => ({ path: sources[r.path] }));
        },
      },
    ],
  });
  return outfile;
}
