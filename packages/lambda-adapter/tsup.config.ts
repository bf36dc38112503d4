import { defineConfig } from "tsup";
import { libraryBuild } from "../../tsup.shared.js";

export default defineConfig(
  libraryBuild({ index: "src/index.ts", "otel/index": "src/otel/index.ts", "emf/index": "src/emf/index.ts" }, [
    /^@aws-sdk\//,
    /^@opentelemetry\//,
    /^@resilient-jobs\//,
  ]),
);
