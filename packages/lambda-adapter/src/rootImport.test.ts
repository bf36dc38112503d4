import { fileURLToPath } from "node:url";
import { build, type Metafile } from "esbuild";
import { describe, expect, it } from "vitest";

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** Bundles an entry the way a Lambda deployment would (core bundled in, the AWS SDK left to the runtime). */
async function bundle(contents: string): Promise<{ metafile: Metafile; code: string }> {
  const result = await build({
    stdin: { contents, resolveDir: source("."), loader: "ts" },
    bundle: true,
    write: false,
    format: "esm",
    platform: "node",
    target: "node22",
    minify: true,
    metafile: true,
    external: ["@aws-sdk/*"],
    logLevel: "silent",
    plugins: [
      {
        name: "workspace-sources",
        setup(b) {
          b.onResolve({ filter: /^@resilient-jobs\/core$/ }, () => ({ path: source("../../core/src/index.ts") }));
        },
      },
    ],
  });
  return { metafile: result.metafile, code: result.outputFiles[0]!.text };
}

/** The paths of the modules with code in the bundle, one per line. */
function bundledInputs(metafile: Metafile): string {
  const output = Object.values(metafile.outputs)[0]!;
  return Object.entries(output.inputs)
    .filter(([, input]) => input.bytesInOutput > 0)
    .map(([path]) => path)
    .join("\n");
}

/** The package specifiers the bundle imports, by kind (static imports run at load; dynamic ones on demand). */
function externalImports(metafile: Metafile, kind: "import-statement" | "dynamic-import"): string[] {
  const found = new Set<string>();
  for (const input of Object.values(metafile.inputs)) {
    for (const imported of input.imports) if (imported.external && imported.kind === kind) found.add(imported.path);
  }
  return [...found];
}

describe("what a bundled Lambda handler loads", () => {
  it("loads no AWS SDK module at import: the SQS client is imported only to send to an SQS dead-letter queue", async () => {
    const { metafile } = await bundle(`export * from "./index.ts";`);

    expect(externalImports(metafile, "import-statement").filter((p) => p.startsWith("@aws-sdk/"))).toEqual([]);
    expect(externalImports(metafile, "dynamic-import")).toEqual(["@aws-sdk/client-sqs"]);
  });

  it("tree-shakes what a handler does not use: no local runner, SNS handler, SQS dead-letter code or classifier", async () => {
    const { metafile, code } = await bundle(`
      import { sqsHandler } from "./index.ts";
      export const handler = sqsHandler(async () => undefined);`);

    const inputs = bundledInputs(metafile);
    expect(inputs).not.toMatch(/local\/|snsHandler|deadLetter|consumer\/|circuitBreaker|InMemoryQueue/);
    // Only a dead-letter target asks which errors are permanent: without one, the classifier is not bundled.
    expect(inputs).not.toMatch(/classify/);
    expect(code).not.toContain("@aws-sdk");
    expect(code).not.toContain("opossum");
    // Telemetry is on the otel and emf subpaths: a handler that does not use it carries none of it.
    expect(inputs).not.toMatch(/\/otel\/|\/emf\//);
    expect(code).not.toContain("@opentelemetry");
  });

  it("bundles only the decoders a handler names: the default reads JSON, with no SNS, schema or parser code", async () => {
    const plain = await bundle(`
      import { sqsHandler } from "./index.ts";
      export const handler = sqsHandler(async () => undefined);`);
    const withSchemaAndSns = await bundle(`
      import { json, snsEnvelope, sqsHandler, withSchema } from "./index.ts";
      const order = { "~standard": { version: 1, vendor: "t", validate: (value) => ({ value }) } };
      export const handler = sqsHandler(async () => undefined, { decode: withSchema(order, snsEnvelope(json)) });`);

    const inputs = bundledInputs(plain.metafile);
    expect(inputs).toMatch(/decode\/formats\.ts/);
    expect(inputs).not.toMatch(/decode\/(decode|snsEnvelope|withSchema|standardSchema)\.ts/);
    expect(plain.code).not.toContain("ValidationError");
    expect(plain.code).not.toContain("TopicArn");
    expect(plain.code).not.toContain("parse function threw");
    const named = bundledInputs(withSchemaAndSns.metafile);
    expect(named).toMatch(/decode\/snsEnvelope\.ts/);
    expect(named).toMatch(/decode\/withSchema\.ts/);
    expect(named).not.toMatch(/decode\/decode\.ts/);
  });

  // The bar: a default sqsHandler function is no larger than Powertools batch's (8,810 B, docs/benchmarks.md).
  // Minified as bench/run.mjs bundles it; a size, not a time, so it holds on any machine.
  it("keeps a default sqsHandler function at or under 8,800 bytes minified", async () => {
    const { code } = await bundle(`
      import { sqsHandler } from "./index.ts";
      export const handler = sqsHandler(async (message) => {
        if (!message.body) throw new Error("order without an id");
      });`);

    expect(Buffer.byteLength(code)).toBeLessThanOrEqual(8_800);
  });

  it("bundles large-payload code only into a handler given `payloads`, and the S3 client stays external", async () => {
    const plain = await bundle(`
      import { sqsHandler } from "./index.ts";
      export const handler = sqsHandler(async () => undefined);`);
    const withPayloads = await bundle(`
      import { sqsHandler } from "./index.ts";
      import { createLargePayloads } from "@resilient-jobs/core";
      const store = { put: async () => ({ bucket: "b", key: "k" }), get: async () => new Uint8Array(), delete: async () => {} };
      export const handler = sqsHandler(async () => undefined, { payloads: createLargePayloads(store) });`);

    expect(bundledInputs(plain.metafile)).not.toMatch(/payloads\//);
    expect(bundledInputs(withPayloads.metafile)).toMatch(/payloads\/largePayloads\.ts/);
  });

  it("bundles the classifier with an SQS dead-letter queue, whose default it is", async () => {
    const { metafile } = await bundle(`
      import { sqsDeadLetterQueue, sqsHandler } from "./index.ts";
      export const handler = sqsHandler(async () => undefined, {
        deadLetter: sqsDeadLetterQueue({ queueUrl: "https://sqs.us-east-1.amazonaws.com/1/dlq", client: { send: async () => ({}) } }),
      });`);

    const inputs = bundledInputs(metafile);
    expect(inputs).toMatch(/src\/deadLetter\.ts/);
    expect(inputs).toMatch(/resilience\/classify\.ts/);
  });
});
