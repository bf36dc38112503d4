// Benchmarks the Lambda adapter against Powertools batch 2.35 in one run:
//   1. bundle size: esbuild bundle of a small deployable SQS handler (minified, ESM, AWS SDK external, the rest bundled);
//   2. cold import: each bundle imported by a fresh Node process, median of 20 (an empty module is the baseline);
//   3. per-record time: a 10-record batch with a no-op handler (each body parsed as JSON: the adapter's default
//      decoder, a JSON.parse in the others), all-success and with-failures (3 of 10 throw),
//      each implementation in its own fresh process per round, rounds interleaved (ratios are taken per round);
//      a bare Promise.allSettled loop is the floor. Timed in CPU time of the process (user + system), not wall
//      time, so that other load on a shared machine does not count. The adapter runs twice: with a silent logger,
//      and with its default logger (no `logger` option), whose lines really are written: the child's stdout is
//      /dev/null, and its result comes back on stderr.
// Usage: npm run bench -w @resilient-jobs/lambda-adapter [-- --quick] [-- --dist] [-- --sizes]
//   --dist bundles the built packages (run `npm run build` first) instead of the TypeScript sources;
//   --sizes only bundles, and lists every input of the resilient-jobs bundle (no timing).
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "../../..");
const args = new Set(process.argv.slice(2));
const quick = args.has("--quick");
const fromDist = args.has("--dist");
const sizesOnly = args.has("--sizes");
const importRuns = quick ? 5 : 40;
const overheadRounds = quick ? 2 : 9;
const batches = quick ? 5_000 : 40_000;

const sources = {
  "@resilient-jobs/core": join(repo, "packages/core/src/index.ts"),
  "@resilient-jobs/lambda-adapter": join(repo, "packages/lambda-adapter/src/index.ts"),
};

// Resolves our packages to their sources (unless --dist), so the bench never measures a stale build.
const workspaceSources = {
  name: "workspace-sources",
  setup(b) {
    if (fromDist) return;
    b.onResolve({ filter: /^@resilient-jobs\/(core|lambda-adapter)$/ }, (r) => ({ path: sources[r.path] }));
  },
};

const out = mkdtempSync(join(tmpdir(), "lambda-adapter-bench-"));

async function bundle(entry, name) {
  const outfile = join(out, `${name}.mjs`);
  const result = await build({
    entryPoints: [join(here, "fixtures", entry)],
    outfile,
    bundle: true,
    minify: true,
    format: "esm",
    platform: "node",
    target: "node22",
    external: ["@aws-sdk/*"],
    metafile: true,
    logLevel: "error",
    plugins: [workspaceSources],
  });
  const inputs = Object.entries(result.metafile.outputs[Object.keys(result.metafile.outputs)[0]].inputs)
    .filter(([, v]) => v.bytesInOutput > 0)
    .map(([path, v]) => ({ path: path.replace(/^.*node_modules\//, ""), bytes: v.bytesInOutput }))
    .sort((a, b) => b.bytes - a.bytes);
  const bytes = statSync(outfile).size;
  const gzip = gzipSync(Buffer.from(await import("node:fs").then((fs) => fs.readFileSync(outfile)))).length;
  return { outfile, bytes, gzip, inputs };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
// kB of 1,000 bytes, as the issue's reference figures are (Powertools batch: 8,810 B = "8.8 KB").
const kb = (bytes) => `${(bytes / 1000).toFixed(1)} kB`;

// A fresh Node process times one `import()` of the bundle: loading, parsing and running it, plus the ESM loader's
// first-import start-up (the same for every bundle: see the empty module's row).
function coldImportMs(file) {
  const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)});
    const ms = performance.now() - t; // read before touching process.stdout, whose first use costs milliseconds
    process.stdout.write(String(ms));`;
  return Number(
    execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", stdio: "pipe" }),
  );
}

/** Runs `measure`; a bundle that cannot even be imported is reported with its error instead of ending the run. */
function orFailure(measure) {
  try {
    return measure();
  } catch (error) {
    const why =
      String(error.stderr ?? error.message)
        .split("\n")
        .find((line) => /^\w*Error: /.test(line)) ?? "failed";
    failures.add(why.trim());
    return Number.NaN;
  }
}
const failures = new Set();

// One child process: imports an overhead bundle, warms it up, then times (CPU) `batches` invocations of 10 records.
function perRecordMicros([file, factory], failing) {
  const script = `
    const { ${factory}: createHandler } = await import(${JSON.stringify(pathToFileURL(file).href)});
    const failing = ${failing};
    const failure = new Error("record failed");
    const handler = createHandler((id) => failing && id.endsWith("-f"), failure);
    const record = (i) => {
      const id = "059f36b4-87a3-44ab-83d2-" + String(i).padStart(12, "0") + (i % 10 === 2 || i % 10 === 5 || i % 10 === 8 ? "-f" : "");
      return {
        messageId: id, receiptHandle: "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a" + i,
        body: JSON.stringify({ orderId: "o-" + i, amount: 42 }),
        attributes: { ApproximateReceiveCount: "1", SentTimestamp: "1545082649183", SenderId: "AIDAIENQZJOLO23YVJ4VO",
          ApproximateFirstReceiveTimestamp: "1545082649185" },
        messageAttributes: {}, md5OfBody: "e4e68fb7bd0e697a0ae8f1bb342846b3", eventSource: "aws:sqs",
        eventSourceARN: "arn:aws:sqs:us-east-2:123456789012:my-queue", awsRegion: "us-east-2" };
    };
    const event = { Records: Array.from({ length: 10 }, (_, i) => record(i)) };
    const context = { awsRequestId: "c6af9ac6-7b61-11e6-9a41-93e812345678", functionName: "bench",
      functionVersion: "$LATEST", invokedFunctionArn: "arn:aws:lambda:us-east-2:123456789012:function:bench",
      memoryLimitInMB: "512", logGroupName: "/aws/lambda/bench", logStreamName: "bench", callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => 30_000 };
    const expected = failing ? 3 : 0;
    const run = async (n) => { for (let i = 0; i < n; i++) {
      const response = await handler(event, context);
      if (response.batchItemFailures.length !== expected) throw new Error("unexpected response " + JSON.stringify(response));
    } };
    await run(${Math.ceil(batches / 4)});
    const before = process.cpuUsage();
    await run(${batches});
    const used = process.cpuUsage(before);
    // stdout is the default logger's (/dev/null): the result goes to stderr, marked.
    process.stderr.write("\\nresult " + String((used.user + used.system) / (${batches} * 10)) + "\\n");`;
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    encoding: "utf8",
    stdio: ["ignore", "ignore", "pipe"],
    maxBuffer: 16 * 1024 * 1024,
  });
  const result = /\nresult ([\d.e-]+)\n/.exec(child.stderr ?? "");
  if (child.status !== 0 || result === null) throw Object.assign(new Error("child failed"), { stderr: child.stderr });
  return Number(result[1]);
}

mkdirSync(out, { recursive: true });
writeFileSync(join(out, "empty.mjs"), "export {};\n");
try {
  const sized = {
    "resilient-jobs sqsHandler": await bundle("adapterHandler.ts", "adapter"),
    "resilient-jobs sqsHandler + schema + SQS dead-letter queue": await bundle("adapterFullHandler.ts", "adapter-full"),
    "Powertools batch 2.35": await bundle("powertoolsHandler.ts", "powertools"),
    "core pieces alone (decoder, processPartialBatch, logger)": await bundle("coreFloorHandler.ts", "core-floor"),
  };
  if (sizesOnly) {
    for (const [name, s] of Object.entries(sized))
      console.log(`${name}: ${kb(s.bytes)} (${s.bytes} B), gzip ${kb(s.gzip)}`);
    console.log("\nEvery input of the resilient-jobs bundle:");
    for (const input of sized["resilient-jobs sqsHandler"].inputs) {
      console.log(`  ${String(input.bytes).padStart(6)} B  ${input.path.replace(`${repo}/`, "")}`);
    }
    process.exit(0);
  }
  const adapterOverhead = (await bundle("adapterOverhead.ts", "adapter-overhead")).outfile;
  const overheadBundles = {
    "resilient-jobs sqsHandler, default logger": [adapterOverhead, "createDefaultHandler"],
    "resilient-jobs sqsHandler, silent logger": [adapterOverhead, "createHandler"],
    "Powertools batch 2.35": [(await bundle("powertoolsOverhead.ts", "powertools-overhead")).outfile, "createHandler"],
    "floor (Promise.allSettled)": [(await bundle("floorOverhead.ts", "floor-overhead")).outfile, "createHandler"],
  };

  const imports = Object.fromEntries([...Object.keys(sized), "an empty module"].map((k) => [k, []]));
  for (let i = 0; i < importRuns; i++) {
    for (const [name, { outfile }] of Object.entries(sized)) imports[name].push(orFailure(() => coldImportMs(outfile)));
    imports["an empty module"].push(coldImportMs(join(out, "empty.mjs")));
  }

  const perRecord = {};
  for (const name of Object.keys(overheadBundles)) perRecord[name] = { success: [], failures: [] };
  for (let round = 0; round < overheadRounds; round++) {
    for (const failing of [false, true]) {
      for (const [name, entry] of Object.entries(overheadBundles)) {
        perRecord[name][failing ? "failures" : "success"].push(orFailure(() => perRecordMicros(entry, failing)));
      }
    }
  }

  console.log(`Lambda adapter benchmark (node ${process.version}, ${fromDist ? "built packages" : "sources"})\n`);
  console.log(`| handler bundle | minified | gzip | cold import, fresh process (median of ${importRuns}) |`);
  console.log("|---|---:|---:|---:|");
  for (const [name, s] of Object.entries(sized)) {
    console.log(
      `| ${name} | ${kb(s.bytes)} (${s.bytes.toLocaleString("en-US")} B) | ${kb(s.gzip)} | ${median(imports[name]).toFixed(2)} ms |`,
    );
  }
  console.log(
    `| an empty module (the ESM loader's start-up) | | | ${median(imports["an empty module"]).toFixed(2)} ms |`,
  );
  const floor = perRecord["floor (Promise.allSettled)"];
  const powertools = perRecord["Powertools batch 2.35"];
  // Rounds interleave the implementations, so neighbours in a round saw the same machine load: compare per round.
  const ratioToPowertools = (r, key) => median(r[key].map((x, i) => x / powertools[key][i]));
  console.log(
    `\n| 10-record batch, no-op handler (median of ${overheadRounds} processes x ${batches} batches) | all succeed | 3 of 10 fail | vs Powertools, same round (success / failures) |`,
  );
  console.log("|---|---:|---:|---:|");
  for (const [name, r] of Object.entries(perRecord)) {
    const s = median(r.success);
    const f = median(r.failures);
    const above = (x, base) => (name.startsWith("floor") ? "" : ` (+${(x - base).toFixed(2)} over floor)`);
    const ratios = `${ratioToPowertools(r, "success").toFixed(2)}x / ${ratioToPowertools(r, "failures").toFixed(2)}x`;
    console.log(
      `| ${name} | ${s.toFixed(2)} µs/record${above(s, median(floor.success))} | ${f.toFixed(2)} µs/record${above(f, median(floor.failures))} | ${ratios} |`,
    );
  }
  for (const why of failures) console.log(`\nA bundle failed to run: ${why}`);
  console.log("\nLargest inputs of the resilient-jobs bundle:");
  for (const input of sized["resilient-jobs sqsHandler"].inputs.slice(0, 12)) {
    console.log(`  ${String(input.bytes).padStart(6)} B  ${input.path.replace(`${repo}/`, "")}`);
  }
  console.log(
    "\nraw: " +
      JSON.stringify({
        imports,
        perRecord,
        sizes: Object.fromEntries(Object.entries(sized).map(([k, v]) => [k, v.bytes])),
      }),
  );
} finally {
  rmSync(out, { recursive: true, force: true });
}
