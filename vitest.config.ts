import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// Tests run against the TypeScript sources; the package checks (publint, attw) cover dist/.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@resilient-jobs\/core\/dynamodb$/, replacement: src("./packages/core/src/dynamodb/index.ts") },
      { find: /^@resilient-jobs\/core\/s3$/, replacement: src("./packages/core/src/s3/index.ts") },
      { find: /^@resilient-jobs\/core\/otel$/, replacement: src("./packages/core/src/otel/index.ts") },
      { find: /^@resilient-jobs\/sqs-adapter\/otel$/, replacement: src("./packages/sqs-adapter/src/otel/index.ts") },
      {
        find: /^@resilient-jobs\/lambda-adapter\/otel$/,
        replacement: src("./packages/lambda-adapter/src/otel/index.ts"),
      },
      {
        find: /^@resilient-jobs\/lambda-adapter\/emf$/,
        replacement: src("./packages/lambda-adapter/src/emf/index.ts"),
      },
      {
        find: /^@resilient-jobs\/core\/testing\/simulator$/,
        replacement: src("./packages/core/src/testing/simulator.ts"),
      },
      { find: /^@resilient-jobs\/core\/testing$/, replacement: src("./packages/core/src/testing/index.ts") },
      { find: /^@resilient-jobs\/core$/, replacement: src("./packages/core/src/index.ts") },
      { find: /^@resilient-jobs\/sqs-adapter$/, replacement: src("./packages/sqs-adapter/src/index.ts") },
      { find: /^@resilient-jobs\/lambda-adapter$/, replacement: src("./packages/lambda-adapter/src/index.ts") },
    ],
  },
  test: {
    include: [
      "packages/*/src/**/*.test.ts",
      "examples/*/src/**/*.test.ts",
      "examples/*/test/**/*.test.ts",
      "examples/*/chaos/**/*.test.ts",
      "examples/*/infra/**/*.test.ts",
      "scripts/**/*.test.ts",
    ],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: "forks",
  },
});
