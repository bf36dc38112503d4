import type { Options } from "tsup";

/**
 * The build every public package shares. ESM is emitted file by file (not bundled) so that a user's bundler
 * can drop what their code does not import (a Lambda bundle with sqsHandler must not carry the circuit
 * breaker and opossum); CommonJS consumers get one bundled file per public entry point. Types are bundled
 * per entry point for both.
 */
export function libraryBuild(publicEntries: Record<string, string>, external: (string | RegExp)[]): Options[] {
  const common = { sourcemap: true, target: "node20", external, dts: { entry: publicEntries } } as const;
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
    { ...common, entry: publicEntries, format: ["cjs"] },
  ];
}

/** Deletes dist before a build (tsup runs the configs concurrently, so none of them may clean). */
export const cleanDist = "node -e \"require('node:fs').rmSync('dist',{recursive:true,force:true})\"";
