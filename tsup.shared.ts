import type { Options } from "tsup";

/**
 * Source maps without the sources inlined: each map points at `../src/*.ts`, which the package ships (see
 * `files` in each package.json), so a debugger shows the TypeScript while the tarball carries each source once.
 * Inlined, the sources made about 60% of the unpacked size (docs/benchmarks.md, "Package sizes").
 * scripts/check-packages.mjs fails if a map inlines its sources or names a file the tarball lacks.
 */
export const sourceMaps = {
  sourcemap: true,
  esbuildOptions(options) {
    options.sourcesContent = false;
  },
} as const satisfies Options;

/**
 * Dependencies published as ESM only (p-limit and its yocto-queue). The CommonJS build bundles them: `require()` of
 * an ES module works only from Node 22.12 (20.19), and `engines` says 22. The ESM build imports them, so that a
 * user's bundler keeps one copy. scripts/check-packages.mjs loads every CJS entry with require(esm) turned off.
 */
export const esmOnlyDependencies = ["p-limit", "yocto-queue"];

/**
 * The build every public package shares. ESM is emitted file by file (not bundled) so that a user's bundler
 * can drop what their code does not import (a Lambda bundle with sqsHandler must not carry the circuit
 * breaker and opossum); CommonJS consumers get one bundled file per public entry point. Types are bundled
 * per entry point for both.
 */
export function libraryBuild(publicEntries: Record<string, string>, external: (string | RegExp)[]): Options[] {
  const common = { ...sourceMaps, target: "node22", external, dts: { entry: publicEntries } } as const;
  return [
    {
      ...common,
      entry: [
        "src/**/*.ts",
        "!src/**/*.test.ts",
        "!src/**/*.int.test.ts",
        "!src/cli.ts",
        "!src/**/fixtures/**",
        "!src/**/*[tT]est[kK]it.ts",
        "!src/**/*[tT]est[pP]eer.ts",
        "!src/**/*.fixture.ts",
      ],
      bundle: false,
      format: ["esm"],
    },
    { ...common, entry: publicEntries, format: ["cjs"], noExternal: esmOnlyDependencies },
  ];
}

/** Deletes dist before a build (tsup runs the configs concurrently, so none of them may clean). */
export const cleanDist = "node -e \"require('node:fs').rmSync('dist',{recursive:true,force:true})\"";
