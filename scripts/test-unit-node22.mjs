// `npm run test:node22`: the unit suite (vitest without *.int.test.ts) on Node 22, the oldest Node the packages
// support. Node 22 comes from the npm `node` package pinned by .ci/node22's own lockfile, installed on first use;
// it is not a root devDependency because the root's `node` (24) and it would both claim the `node` bin.
// Extra arguments go to vitest (test paths, --reporter ...).
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const prefix = join(root, ".ci", "node22");
const binDir = join(prefix, "node_modules", "node", "bin");
const node22 = join(binDir, process.platform === "win32" ? "node.exe" : "node");

if (!existsSync(node22)) {
  console.log("Installing Node 22 into .ci/node22 (npm registry, locked version) ...");
  execFileSync("npm", ["install", "--prefix", prefix, "--no-audit", "--no-fund", "--silent"], { stdio: "inherit" });
}

const version = execFileSync(node22, ["--version"]).toString().trim();
if (!version.startsWith("v22.")) {
  console.error(`Expected Node 22 in ${binDir}, got ${version}`);
  process.exit(1);
}
console.log(`Unit suite on Node ${version}`);

// Node 22 first on PATH, so that processes the tests spawn (`node dist/cli.js`, workers) run on it too.
const env = { ...process.env, PATH: `${binDir}${delimiter}${process.env.PATH ?? ""}` };
const vitest = join(root, "node_modules", "vitest", "vitest.mjs");
const args = [vitest, "run", "--exclude", "**/*.int.test.ts", ...process.argv.slice(2)];
const result = spawnSync(node22, args, { cwd: root, env, stdio: "inherit" });
process.exit(result.status ?? 1);
