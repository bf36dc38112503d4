import { defineConfig } from "tsup";
import { libraryBuild } from "../../tsup.shared.js";

const external = [/^@aws-sdk\//, /^@resilient-jobs\//];

export default defineConfig([
  ...libraryBuild({ index: "src/index.ts" }, external),
  // The `resilient-jobs` CLI: one ESM file with a shebang.
  {
    entry: { cli: "src/cli.ts" },
    format: ["esm"],
    sourcemap: true,
    target: "node20",
    banner: { js: "#!/usr/bin/env node" },
    external,
  },
]);
