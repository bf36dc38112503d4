/**
 * The bundle step before synthesis: esbuild turns the app's entry points into two asset directories the
 * stack points at. Nothing here needs Docker or the network; the image is only built by `cdk deploy`.
 * - `container/`: the order API and the processor (every dependency inlined, the AWS SDK included) plus
 *   the Dockerfile; one linux/arm64 image runs either, by its command.
 * - `lambda/`: the payment handlers for Lambda, the AWS SDK left out (the Node.js runtime ships v3, and a
 *   second copy would only slow the cold start).
 */
import { copyFile, mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BuildOptions, build } from "esbuild";

const exampleDir = fileURLToPath(new URL("..", import.meta.url));
const repoDir = join(exampleDir, "..", "..");

/** Where `npm run synth` bundles to (git-ignored). */
export const DEFAULT_ASSETS_DIR = join(exampleDir, "infra", "dist", "assets");

/**
 * The deployable entry points, relative to examples/order-pipeline: thin mains over the app's modules (see
 * infra/entrypoints/). The container's command names the bundle (`api.mjs`, `processor.mjs`); the Lambda
 * handler is `<name>.handler`.
 */
export const ENTRY_POINTS = Object.freeze({
  container: Object.freeze({ api: "infra/entrypoints/apiServer.ts", processor: "infra/entrypoints/processor.ts" }),
  lambda: Object.freeze({
    sqsPayment: "infra/entrypoints/sqsPaymentFunction.ts",
    snsPayment: "infra/entrypoints/snsPaymentFunction.ts",
  }),
});

/** The bundled asset directories. */
export interface PipelineAssets {
  /** The Docker build context: bundles and Dockerfile. */
  readonly containerDir: string;
  /** Lambda code: one `.mjs` module per handler. */
  readonly lambdaDir: string;
}

/** Options of {@link bundleAssets}. */
export interface BundleAssetsOptions {
  /**
   * The directory to (re)create.
   * @defaultValue {@link DEFAULT_ASSETS_DIR}
   */
  outDir?: string;
}

// The workspace packages from their sources, as vitest and the root tsconfig see them: no build step first.
const workspaceAliases = {
  "@resilient-jobs/core": join(repoDir, "packages/core/src"),
  // Directories, as for core: a subpath (`@resilient-jobs/sqs-adapter/otel`) resolves to its folder's index.ts.
  "@resilient-jobs/sqs-adapter": join(repoDir, "packages/sqs-adapter/src"),
  "@resilient-jobs/lambda-adapter": join(repoDir, "packages/lambda-adapter/src"),
};

const common: BuildOptions = {
  absWorkingDir: exampleDir,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node24",
  outExtension: { ".js": ".mjs" },
  // No code splitting: a split bundle turns `import("@aws-sdk/client-sns")` (how the adapters load a client
  // lazily) into a chunk that exposes only the CommonJS default export, and the named imports come back
  // undefined. Each entry point carries its own copy of the shared code instead.
  sourcemap: true,
  legalComments: "none",
  alias: workspaceAliases,
  // Some dependencies are CommonJS and `require` Node built-ins; give the ESM bundle a `require`.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  logLevel: "warning",
};

/** Bundles the container and Lambda entry points into `outDir` and copies the Dockerfile next to the former. */
export async function bundleAssets(options: BundleAssetsOptions = {}): Promise<PipelineAssets> {
  const outDir = options.outDir ?? DEFAULT_ASSETS_DIR;
  const containerDir = join(outDir, "container");
  const lambdaDir = join(outDir, "lambda");
  await rm(outDir, { recursive: true, force: true });
  await mkdir(containerDir, { recursive: true });
  await Promise.all([
    build({ ...common, entryPoints: ENTRY_POINTS.container, outdir: containerDir }),
    build({
      ...common,
      entryPoints: ENTRY_POINTS.lambda,
      outdir: lambdaDir,
      external: ["@aws-sdk/*"],
      minify: true,
      keepNames: true,
    }),
    copyFile(join(exampleDir, "infra", "docker", "Dockerfile"), join(containerDir, "Dockerfile")),
  ]);
  return { containerDir, lambdaDir };
}
