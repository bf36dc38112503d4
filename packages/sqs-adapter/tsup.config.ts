import { defineConfig } from "tsup";
import { libraryBuild, sourceMaps } from "../../tsup.shared.js";

const external = [/^@aws-sdk\//, /^@opentelemetry\//, /^@resilient-jobs\//];

export default defineConfig([
  ...libraryBuild({ index: "src/index.ts", "otel/index": "src/otel/index.ts" }, external),
  // The `resilient-jobs` CLI: one ESM file, loaded by the committed launcher bin/resilient-jobs.js (which npm can
  // link before anything is built).
  { ...sourceMaps, entry: { cli: "src/cli.ts" }, format: ["esm"], target: "node22", external },
]);
