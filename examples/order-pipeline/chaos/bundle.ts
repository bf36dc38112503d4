/**
 * Bundles the chaos entry points (the CLI, the worker process and the emulator process) with esbuild, the SDK's packages taken
 * from their TypeScript sources (as the tests do), everything else left to node_modules. Standalone (no
 * relative imports), so Node 24 can run it directly: `node chaos/bundle.ts` builds `dist/chaos/`.
 */
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";

const root = new URL("../../../", import.meta.url);

/** `@resilient-jobs/*` import paths and the source file each resolves to. */
const SOURCES: Readonly<Record<string, string>> = {
  "@resilient-jobs/core": "packages/core/src/index.ts",
  "@resilient-jobs/core/dynamodb": "packages/core/src/dynamodb/index.ts",
  "@resilient-jobs/core/testing": "packages/core/src/testing/index.ts",
  "@resilient-jobs/sqs-adapter": "packages/sqs-adapter/src/index.ts",
  "@resilient-jobs/lambda-adapter": "packages/lambda-adapter/src/index.ts",
};

const fromSources: Plugin = {
  name: "resilient-jobs-sources",
  setup(esbuild) {
    esbuild.onResolve({ filter: /^@resilient-jobs\// }, (args) => {
      const file = SOURCES[args.path];
      return file === undefined ? undefined : { path: fileURLToPath(new URL(file, root)) };
    });
  },
};

/** The chaos entry points, by output name. */
export const CHAOS_ENTRIES = Object.freeze({ main: "main.ts", worker: "worker.ts", peer: "peerProcess.ts" });

/** Bundles the entry points into `outdir` (ESM, Node 24); returns the path of each output file. */
export async function bundleChaos(outdir: string): Promise<Record<keyof typeof CHAOS_ENTRIES, string>> {
  const here = fileURLToPath(new URL(".", import.meta.url));
  await build({
    entryPoints: Object.entries(CHAOS_ENTRIES).map(([out, entry]) => ({ in: here + entry, out })),
    outdir,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node24",
    packages: "external",
    plugins: [fromSources],
    sourcemap: true,
    logLevel: "warning",
  });
  return { main: `${outdir}/main.js`, worker: `${outdir}/worker.js`, peer: `${outdir}/peer.js` };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await bundleChaos(fileURLToPath(new URL("../dist/chaos", import.meta.url)));
}
