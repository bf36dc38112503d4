import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const example = fileURLToPath(new URL("../../", import.meta.url));

/**
 * Runs the launcher as the npm scripts do. npm_execpath points nowhere, so if the launcher started the packages'
 * build (scripts/quiet-build.mjs runs `node $npm_execpath run build`), that build would fail and show in the exit.
 */
function launch(...args: string[]) {
  const run = spawnSync(process.execPath, ["--import", "./infra/tsResolve.ts", "src/cli/launch.ts", ...args], {
    cwd: example,
    encoding: "utf8",
    env: { ...process.env, npm_execpath: "/nonexistent/npm-cli.js" },
    timeout: 15_000,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe("the example's script launcher", () => {
  it.each([
    ["start", "Usage: npm start -- [options]"],
    ["flash-sale", "Usage: npm run flash-sale -- [options]"],
    ["chaos", "Usage: npm run chaos -- [options]"],
    ["bench", "Usage: npm run bench -w examples/order-pipeline -- [options]"],
    ["noisy-neighbour", "Usage: npm run noisy-neighbour -w examples/order-pipeline -- [options]"],
    ["aws-resources", "Usage: npm run aws-resources"],
  ])("answers %s --help with the usage, exit 0, before any build", (script, usage) => {
    const run = launch("--build-packages", script, "--help");

    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout.startsWith(usage)).toBe(true);
  });

  it.each([
    ["chaos", ["--speed", "3"], "chaos: unknown option --speed"],
    [
      "flash-sale",
      ["--workers", "1,five"],
      'flash-sale: Expected `--workers` to be a number or "adaptive", got "five"',
    ],
    ["bench", ["--repeats", "0"], "bench: Expected `--repeats` to be an integer from 1 to 20, got 0"],
    [
      "noisy-neighbour",
      ["--modes", "fifo"],
      'noisy-neighbour: Expected `--modes` to list none, consumer and fairQueue, got "fifo"',
    ],
    ["start", ["--users"], "start: --users needs a value"],
    ["aws-resources", ["drop"], 'aws-resources: unknown command "drop": create or delete'],
  ])("rejects %s %j in one line above the usage, exit 2, no stack and no build", (script, args, line) => {
    const run = launch("--build-packages", script, ...args);

    expect(run.code).toBe(2);
    expect(run.stderr.split("\n")[0]).toBe(line);
    expect(run.stderr).toContain("Usage: ");
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(run.stdout).toBe("");
  });

  it("names the scripts it knows when given another", () => {
    const run = launch("deploy");

    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'launch: unknown script "deploy"; one of start, flash-sale, chaos, bench, noisy-neighbour, aws-resources\n',
    );
  });
});
