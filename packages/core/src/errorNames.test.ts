import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

const entry = fileURLToPath(new URL("./index.ts", import.meta.url));

describe("error names in a minified bundle", () => {
  it("keeps each error's name although the minifier renames its class", async () => {
    const bundle = await build({
      stdin: {
        contents: `import * as core from ${JSON.stringify(entry)};
          export const names = {
            DecodeError: new core.DecodeError("x").name,
            ValidationError: new core.ValidationError([]).name,
            PermanentError: new core.PermanentError("x").name,
            TransientError: new core.TransientError("x").name,
            TimeoutError: new core.TimeoutError(5).name,
            CircuitOpenError: new core.CircuitOpenError(0).name,
            InvalidOptionError: new core.InvalidOptionError("a", "b", 1).name,
            IdempotencyInProgressError: new core.IdempotencyInProgressError("k").name,
            RetriesExhaustedError: new core.RetriesExhaustedError([new Error("x")]).name,
          };`,
        resolveDir: fileURLToPath(new URL(".", import.meta.url)),
        loader: "ts",
      },
      bundle: true,
      minify: true,
      format: "esm",
      platform: "node",
      write: false,
      external: ["opossum"],
      logLevel: "silent",
    });
    const code = bundle.outputFiles[0]?.text ?? "";
    const { names } = (await import(`data:text/javascript;base64,${Buffer.from(code).toString("base64")}`)) as {
      names: Record<string, string>;
    };

    for (const [className, name] of Object.entries(names)) expect(name).toBe(className);
  });
});
