#!/usr/bin/env node
// The `resilient-jobs` bin. A committed launcher, not the build output itself: npm links a bin only if its file
// exists at install time, and in a fresh clone of the repository dist/ does not exist yet, so a bin pointing at
// dist/cli.js was never linked and `npx resilient-jobs` went looking for a stranger's package on the registry.
// In a published package dist/ is always there and this file only imports it. In the repository, the first run
// after `npm install` builds core and this package (offline, quietly) and then runs the CLI.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const MIN_NODE_MAJOR = 22;
const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const cli = join(packageDir, "dist", "cli.js");

const major = Number(process.versions.node.split(".")[0]);
if (major < MIN_NODE_MAJOR) {
  console.error(`resilient-jobs needs Node.js ${MIN_NODE_MAJOR} or later; this is Node.js ${process.versions.node}.`);
  process.exit(1);
}

if (!existsSync(cli)) buildInRepository();
await import(pathToFileURL(cli).href);

// Builds the packages the CLI loads when this is the repository's working copy (src/ beside dist/);
// a published package without dist/ is broken, and rebuilding it is not ours to do.
function buildInRepository() {
  const repoRoot = join(packageDir, "..", "..");
  const inRepository = existsSync(join(packageDir, "src", "cli.ts")) && existsSync(join(repoRoot, "packages", "core"));
  if (!inRepository) {
    console.error(`resilient-jobs: ${cli} is missing; reinstall @resilient-jobs/sqs-adapter.`);
    process.exit(1);
  }
  console.error(
    "resilient-jobs: first run in this clone, building @resilient-jobs/core and sqs-adapter (npm run build) ...",
  );
  const build = spawnSync(
    "npm",
    ["run", "build", "--silent", "-w", "@resilient-jobs/core", "-w", "@resilient-jobs/sqs-adapter"],
    // Output only on failure: a user who asked for --help wants the help, not 200 lines of tsup.
    { cwd: repoRoot, encoding: "utf8", shell: process.platform === "win32" },
  );
  if (build.status !== 0 || !existsSync(cli)) {
    process.stderr.write(`${build.stdout ?? ""}${build.stderr ?? ""}${build.error ? `${build.error}\n` : ""}`);
    console.error("resilient-jobs: the build failed (above); fix it, or run `npm run build`, and try again.");
    process.exit(1);
  }
}
