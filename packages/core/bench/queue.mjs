// Micro-benchmark of InMemoryQueue: messages per second through send + receive(10) + ack(10), on one core.
//   1. steady: a 20k backlog, then each round sends 10, receives 10 and acks them (the backlog stays at 20k);
//   2. drain: a 100k backlog drained by receive(10) + ack(10);
//   3. workers: 10 concurrent loops long-polling receive(10, waitTimeMs 1000) + ack over a 100k backlog;
//   4. fifo: steady state on a FIFO queue, 20k backlog spread over 1,000 message groups;
//   5. fair: steady state on a standard queue whose messages carry group ids (SQS fair queues), 20k backlog
//      over 1,000 groups;
//   6. fair, noisy: 90% of the messages from one group, 10% over 100 others, 50 kept in flight (acks lag
//      the receives by 5 rounds), so the big group is noisy and its messages are held back behind the rest.
// Usage: node packages/core/bench/queue.mjs [--quick]   (bundles the TypeScript source with esbuild first)
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const quick = process.argv.includes("--quick");
const out = mkdtempSync(join(tmpdir(), "queue-bench-"));
const outfile = join(out, "queue.mjs");
await build({
  entryPoints: [join(here, "../src/queue/InMemoryQueue.ts")],
  outfile,
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node22",
  logLevel: "error",
});
const { InMemoryQueue } = await import(pathToFileURL(outfile).href);
rmSync(out, { recursive: true, force: true });

const now = { waitTimeMs: 0 };
const BACKLOG = 20_000;

async function steady(queue, total, sendOptions) {
  for (let i = 0; i < BACKLOG; i += 1) queue.send(`{"n":${i}}`, sendOptions(i));
  const start = performance.now();
  for (let moved = 0; moved < total; ) {
    for (let i = 0; i < 10; i += 1) queue.send(`{"n":${moved + i}}`, sendOptions(moved + i));
    const messages = await queue.receive(10, now);
    const { failed } = await queue.ack(messages);
    if (failed.length > 0) throw new Error("ack failed");
    moved += messages.length;
  }
  return total / ((performance.now() - start) / 1000);
}

async function drain(total) {
  const queue = new InMemoryQueue();
  for (let i = 0; i < total; i += 1) queue.send(`{"n":${i}}`);
  const start = performance.now();
  let moved = 0;
  for (let messages = await queue.receive(10, now); messages.length > 0; messages = await queue.receive(10, now)) {
    await queue.ack(messages);
    moved += messages.length;
  }
  if (moved !== total) throw new Error(`drained ${moved} of ${total}`);
  return total / ((performance.now() - start) / 1000);
}

async function workers(total, count) {
  const queue = new InMemoryQueue();
  for (let i = 0; i < total; i += 1) queue.send(`{"n":${i}}`);
  const start = performance.now();
  let moved = 0;
  const loop = async () => {
    while (moved < total) {
      const messages = await queue.receive(10, { waitTimeMs: 1000 });
      await queue.ack(messages);
      moved += messages.length;
    }
    // The other loops are long-polling an empty queue: end their waits.
    queue.close();
  };
  await Promise.all(Array.from({ length: count }, loop));
  return total / ((performance.now() - start) / 1000);
}

async function noisy(total) {
  const queue = new InMemoryQueue();
  const group = (i) => (i % 10 === 0 ? `quiet-${(i / 10) % 100}` : "noisy");
  for (let i = 0; i < BACKLOG; i += 1) queue.send(`{"n":${i}}`, { groupId: group(i) });
  const lagging = [];
  const start = performance.now();
  for (let moved = 0; moved < total; ) {
    for (let i = 0; i < 10; i += 1) queue.send(`{"n":${moved + i}}`, { groupId: group(moved + i) });
    const messages = await queue.receive(10, now);
    lagging.push(messages);
    if (lagging.length > 5) {
      const { failed } = await queue.ack(lagging.shift());
      if (failed.length > 0) throw new Error("ack failed");
    }
    moved += messages.length;
  }
  return total / ((performance.now() - start) / 1000);
}

const total = quick ? 200_000 : 1_000_000;
const rate = (n) => `${Math.round(n).toLocaleString("en-US")} msgs/s`;
const results = {
  "steady, standard, 20k backlog (send + receive 10 + ack 10)": await steady(
    new InMemoryQueue(),
    total,
    () => undefined,
  ),
  "drain, standard, 100k backlog (receive 10 + ack 10)": await drain(100_000),
  "workers, 10 long-polling loops, 100k backlog": await workers(100_000, 10),
  "steady, FIFO, 20k backlog over 1,000 groups": await steady(
    new InMemoryQueue({ fifo: true, contentBasedDeduplication: true }),
    total / 4,
    (i) => ({ groupId: `g${i % 1000}`, deduplicationId: `d${i}` }),
  ),
  "steady, standard with group ids (fair), 20k over 1,000 groups": await steady(new InMemoryQueue(), total, (i) => ({
    groupId: `g${i % 1000}`,
  })),
  "fair, one noisy group (90%) + 100 quiet, 50 in flight": await noisy(total),
};
for (const [name, value] of Object.entries(results)) console.log(`${name.padEnd(62)} ${rate(value)}`);
