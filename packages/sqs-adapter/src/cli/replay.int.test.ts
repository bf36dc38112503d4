/**
 * `resilient-jobs replay` on fauxqs: a dry run then a replay of one reason in process (the CLI session of
 * docs/sqs.md), and the CLI as a process killed with SIGKILL mid-replay: nothing is lost and at most the batch
 * in flight is duplicated.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { deadLetterQueue } from "../ops/replayTestKit.js";
import { bundleFixture } from "../source/processTestKit.js";
import { drainQueue, queueDepth, waitFor } from "../source/sqsTestKit.js";
import { startTestPeer } from "../source/sqsTestPeer.js";
import { runCli } from "./runCli.js";

const { peer, client } = await startTestPeer(afterAll);
const here = dirname(fileURLToPath(import.meta.url));

async function cli(argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await runCli([...argv, "--endpoint", peer.endpoint, "--region", "us-east-1"], {
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    env: { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" },
    signal: new AbortController().signal,
  });
  return { code, stdout, stderr };
}

const orderIds = (messages: { body: string }[]) =>
  messages.map((m) => (JSON.parse(m.body) as { orderId: string }).orderId);

describe("resilient-jobs replay", () => {
  it("dry-runs, then replays one reason; the other reasons stay in the DLQ", async () => {
    const { source, dlq } = await deadLetterQueue(client, 4);

    const dry = await cli([
      "replay",
      dlq.url,
      "--to",
      source.url,
      "--where",
      "code=PAYMENT_DECLINED",
      "--since",
      "2h",
      "--dry-run",
    ]);
    const run = await cli([
      "replay",
      dlq.url,
      "--to",
      source.url,
      "--where",
      "code=PAYMENT_DECLINED",
      "--rate",
      "20",
      "--json",
    ]);

    expect(dry.code, dry.stdout).toBe(0);
    expect(dry.stdout).toMatch(
      /^Dry run: 4 of 12 message\(s\) in \S+ would move to \S+; nothing was changed\.\nBy reason:\n +4 {2}PAYMENT_DECLINED\n/,
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ matched: 4, moved: 4, byReason: { PAYMENT_DECLINED: 4 } });
    expect(orderIds(await drainQueue(client, source.url)).sort()).toEqual(["o-0", "o-1", "o-2", "o-3"]);
    expect(await queueDepth(client, dlq.url)).toEqual({ visible: 8, inFlight: 0 });
  });

  it("rejects a bad --where in one line, exit 2", async () => {
    const run = await cli(["replay", "https://sqs.us-east-1.amazonaws.com/123456789012/dlq", "--where", "colour=red"]);

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^resilient-jobs: replay: --where "colour=red": expected code=<CODE>/);
  });

  describe("killed with SIGKILL mid-replay", () => {
    let cliFile: string;
    let child: ChildProcess | undefined;

    beforeAll(async () => {
      cliFile = await bundleFixture(join(here, "replayCli.fixture.ts"));
    });

    afterEach(() => {
      if (child && child.exitCode === null) child.kill("SIGKILL");
    });

    it("loses nothing and duplicates at most the batch in flight", async () => {
      const { source, dlq } = await deadLetterQueue(client, 30);
      const declined = Array.from({ length: 30 }, (_, i) => `o-${i}`);
      child = spawn(
        process.execPath,
        [
          cliFile,
          "replay",
          dlq.url,
          "--to",
          source.url,
          "--where",
          "code=PAYMENT_DECLINED",
          "--rate",
          "10",
          "--visibility-timeout",
          "1",
          "--endpoint",
          peer.endpoint,
        ],
        {
          stdio: ["ignore", "pipe", "pipe"],
          env: { ...process.env, AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" },
        },
      );
      let stderr = "";
      child.stderr?.on("data", (d) => {
        stderr += d;
      });
      const exited = new Promise((resolve) => child!.once("exit", resolve));

      // The first batch of 10 is out; at 10/s the next is due a second later.
      await waitFor(async () => (await queueDepth(client, source.url)).visible >= 10, {
        what: `the first batch (stderr: ${stderr})`,
      });
      child.kill("SIGKILL");
      await exited;
      // Scanned messages reappear in the DLQ when their 1 s visibility timeout passes: collect until all are back.
      const replayed: string[] = [];
      const stillDead = new Set<string>();
      await waitFor(
        async () => {
          replayed.push(...orderIds(await drainQueue(client, source.url)));
          for (const id of orderIds(await drainQueue(client, dlq.url))) stillDead.add(id);
          return new Set([...replayed, ...stillDead]).size === 90;
        },
        { what: "every message back in the DLQ or in the queue", intervalMs: 200 },
      );
      const duplicated = replayed.filter((id) => stillDead.has(id));

      expect(declined.every((id) => replayed.includes(id) || stillDead.has(id))).toBe(true);
      expect(stillDead.size + replayed.length - duplicated.length).toBe(90);
      expect(duplicated.length).toBeLessThanOrEqual(10);
    });
  });
});
