import { defineConfig } from "tsup";
import { libraryBuild } from "../../tsup.shared.js";

export default defineConfig(libraryBuild({ index: "src/index.ts" }, [/^@aws-sdk\//, /^@resilient-jobs\//]));
