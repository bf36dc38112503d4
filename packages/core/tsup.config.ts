import { defineConfig } from "tsup";
import { libraryBuild } from "../../tsup.shared.js";

export default defineConfig(
  libraryBuild(
    {
      index: "src/index.ts",
      "dynamodb/index": "src/dynamodb/index.ts",
      "s3/index": "src/s3/index.ts",
      "testing/index": "src/testing/index.ts",
      "testing/simulator": "src/testing/simulator.ts",
      "otel/index": "src/otel/index.ts",
    },
    [/^@aws-sdk\//, /^@opentelemetry\//, "vitest", "opossum"],
  ),
);
