/**
 * Runs one of the example's scripts the way users meet them (`npm start`, `npm run flash-sale`, `npm run chaos`):
 *
 *   node --import ./infra/tsResolve.ts src/cli/launch.ts [--build-packages] <script> [flags...]
 *
 * 1. checks the flags from the TypeScript sources directly (no SDK import), so `--help` answers at once and a
 *    mistyped flag fails in one line with the usage, exit 2, before anything is built;
 * 2. with `--build-packages`, builds the SDK's packages quietly (scripts/quiet-build.mjs: output only on failure);
 * 3. bundles the script (esbuild) and runs it with the flags, exiting with its exit code.
 */
import { spawn } from "node:child_process";
import { constants } from "node:os";
import { fileURLToPath } from "node:url";
import { CHAOS_USAGE, parseChaosArgs } from "../../chaos/args.js";
import { AWS_RESOURCES_USAGE, parseAwsResourcesArgs } from "./awsResourcesArgs.js";
import { FLASH_SALE_USAGE, parseFlashSaleArgs } from "./flashSaleArgs.js";
import { FLOW_BENCH_USAGE, parseFlowBenchArgs } from "./flowBenchArgs.js";
import { NOISY_NEIGHBOUR_USAGE, parseNoisyNeighbourArgs } from "./noisyNeighbourArgs.js";
import { UsageError, usageErrorText } from "./scriptArgs.js";
import { parseStartArgs, START_USAGE } from "./startArgs.js";

const exampleRoot = fileURLToPath(new URL("../../", import.meta.url));
const dist = `${exampleRoot}dist`;

/** A script the launcher runs: its usage, its flag check, and how to bundle it (resolves with the file to run). */
interface LaunchedScript {
  readonly usage: string;
  readonly parse: (args: readonly string[]) => { readonly help: boolean };
  readonly bundle: () => Promise<string>;
}

const SCRIPTS: Readonly<Record<string, LaunchedScript>> = {
  start: { usage: START_USAGE, parse: parseStartArgs, bundle: () => bundleEntry("src/main.ts", "main.js") },
  "flash-sale": {
    usage: FLASH_SALE_USAGE,
    parse: parseFlashSaleArgs,
    bundle: () => bundleEntry("src/experiment/main.ts", "flash-sale.js"),
  },
  chaos: {
    usage: CHAOS_USAGE,
    parse: parseChaosArgs,
    bundle: async () => (await import("../../chaos/bundle.js")).bundleChaos(`${dist}/chaos`).then((out) => out.main),
  },
  // The measurements bundle the SDK's TypeScript sources, so they never measure a stale build (no --build-packages).
  bench: {
    usage: FLOW_BENCH_USAGE,
    parse: parseFlowBenchArgs,
    bundle: () => bundleEntry("src/flowControl/flowBenchMain.ts", "flow-bench.js", { workspaceSources: true }),
  },
  "noisy-neighbour": {
    usage: NOISY_NEIGHBOUR_USAGE,
    parse: parseNoisyNeighbourArgs,
    bundle: () =>
      bundleEntry("src/flowControl/noisyNeighbourMain.ts", "noisy-neighbour.js", { workspaceSources: true }),
  },
  "aws-resources": {
    usage: AWS_RESOURCES_USAGE,
    parse: parseAwsResourcesArgs,
    bundle: () => bundleEntry("src/scripts/aws-resources.ts", "scripts/aws-resources.js"),
  },
};

// The SDK's packages come from node_modules (their dist/, hence --build-packages), as in a user's service;
// with `workspaceSources`, from their TypeScript sources, bundled in.
async function bundleEntry(entry: string, out: string, options: { workspaceSources?: boolean } = {}): Promise<string> {
  const { build } = await import("esbuild");
  const outfile = `${dist}/${out}`;
  await build({
    entryPoints: [`${exampleRoot}${entry}`],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node24",
    packages: "external",
    logLevel: "warning",
    plugins: options.workspaceSources ? [workspaceSources] : [],
  });
  return outfile;
}

/** Resolves `@resilient-jobs/<package>` to `packages/<package>/src/index.ts`. */
const workspaceSources = {
  name: "workspace-sources",
  setup(build: {
    onResolve(options: { filter: RegExp }, callback: (args: { path: string }) => { path: string }): void;
  }) {
    build.onResolve({ filter: /^@resilient-jobs\/(core|sqs-adapter|lambda-adapter)$/ }, (args) => ({
      path: fileURLToPath(
        new URL(`../../../../packages/${args.path.slice("@resilient-jobs/".length)}/src/index.ts`, import.meta.url),
      ),
    }));
  },
};

/** Runs `node <file> ...args` in the example's folder; resolves with its exit code (128 + n for signal n). */
function runNode(file: string, args: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file, ...args], { cwd: exampleRoot, stdio: "inherit" });
    // Ctrl-C reaches the child with the whole process group: only keep this process alive for its exit code.
    const ignoreInterrupt = () => {};
    const forwardTerm = () => child.kill("SIGTERM");
    process.on("SIGINT", ignoreInterrupt);
    process.on("SIGTERM", forwardTerm);
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      process.off("SIGINT", ignoreInterrupt);
      process.off("SIGTERM", forwardTerm);
      resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0));
    });
  });
}

async function launch(argv: readonly string[]): Promise<number> {
  const buildPackages = argv[0] === "--build-packages";
  const [name, ...args] = buildPackages ? argv.slice(1) : argv;
  const script = name === undefined ? undefined : SCRIPTS[name];
  if (name === undefined || script === undefined) {
    process.stderr.write(`launch: unknown script ${JSON.stringify(name)}; one of ${Object.keys(SCRIPTS).join(", ")}\n`);
    return 2;
  }
  try {
    if (script.parse(args).help) {
      process.stdout.write(`${script.usage}\n`);
      return 0;
    }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(usageErrorText(name, error, script.usage));
    return 2;
  }
  if (buildPackages) {
    const quietBuild = fileURLToPath(new URL("../../../../scripts/quiet-build.mjs", import.meta.url));
    const code = await runNode(quietBuild, []);
    if (code !== 0) return code;
  }
  return runNode(await script.bundle(), args);
}

process.exitCode = await launch(process.argv.slice(2));
