// `npm run bench -w @resilient-jobs/sqs-adapter` (and the root `npm run bench`): the SQS consumer's three
// sections of issue 17, each one run of bench/run.mjs on fresh fauxqs processes, with a table per section:
//   1. every slot busy: concurrency 100, receiving ahead (the default) beside the old receive (`false`) and
//      sqs-consumer 15;
//   2. the scale table: concurrency 10, 100, 300 and 1,000 (msgs/s, ratio to the bound, calls/msg, CPU µs/msg,
//      peak RSS);
//   3. cost at low concurrency: `receiveAheadMs` from off to 100 ms at concurrency 10 (the knob's curve; its curve
//      at 100 is section 1's first two rows beside `bench/run.mjs --options` lists).
// Takes about 6 minutes. With `--dist` alone, every run uses the build; with any other argument this is one run of
// bench/run.mjs with those arguments (as every command in docs/benchmarks.md is).
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const resultsFile = join(here, "../../../bench-results/sqs-consumer.json");
const extra = process.argv.slice(2);
if (extra.some((a) => a !== "--dist")) {
  const single = spawnSync(process.execPath, [join(here, "run.mjs"), ...extra], { stdio: "inherit" });
  process.exit(single.status ?? 1);
}

const sections = [
  {
    title:
      "1. Every slot busy (concurrency 100; targets: >= 0.95 of the bound, <= 0.21 calls/msg, slot wait p99 of a few ms)",
    args: ["--concurrency", "100", "--messages", "20000", "--options", '[{},{"receiveAheadMs":false}]'],
  },
  {
    title: "2. Scale (target: >= 8,000 msgs/s at concurrency 1,000, <= ~110 µs CPU per message)",
    args: ["--only", "ours", "--concurrency", "10,100,300,1000", "--messages", "4000,20000,40000,60000"],
  },
  {
    title: "3. Cost at concurrency 10 (target: <= 0.4 calls/msg with >= 0.85 of the bound)",
    args: [
      "--only",
      "ours",
      "--concurrency",
      "10",
      "--messages",
      "3000",
      "--options",
      '[{"receiveAheadMs":false},{"receiveAheadMs":0},{"receiveAheadMs":10},{"receiveAheadMs":25},{},{"receiveAheadMs":100}]',
    ],
  },
];

const columns = [
  ["contender", (r) => r.contender],
  ["c", (r) => r.concurrency],
  [
    "receiveAheadMs",
    (r) => (r.contender === "sqs-consumer" ? "" : String(r.options?.receiveAheadMs ?? "default (50)")),
  ],
  ["msgs/s", (r) => r.perSecond],
  ["of bound", (r) => r.ofBound.toFixed(3)],
  ["calls/msg", (r) => r.callsPerMessage.toFixed(3)],
  ["CPU µs/msg", (r) => r.cpuMicrosPerMessage],
  ["slot wait p50 / p99 ms", (r) => (r.slotWaitMs ? `${r.slotWaitMs.p50} / ${r.slotWaitMs.p99}` : "")],
  ["peak RSS MiB", (r) => r.peakRssMb ?? ""],
  ["left in queue / twice", (r) => `${r.leftVisible + r.leftInFlight} / ${r.duplicates}`],
];

for (const section of sections) {
  console.log(`\n## ${section.title}\n`);
  const run = spawnSync(process.execPath, [join(here, "run.mjs"), ...section.args, ...extra], { stdio: "inherit" });
  if (run.status !== 0) process.exit(run.status ?? 1);
  const { results } = JSON.parse(readFileSync(resultsFile, "utf8"));
  console.log(`\n| ${columns.map(([name]) => name).join(" | ")} |`);
  console.log(`| ${columns.map(() => "---").join(" | ")} |`);
  for (const r of results) console.log(`| ${columns.map(([, cell]) => cell(r)).join(" | ")} |`);
}
