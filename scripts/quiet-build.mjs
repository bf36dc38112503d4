#!/usr/bin/env node
/**
 * Runs an npm script (default: `build`) with its output captured, and prints that output only when it fails, so
 * `npm start` shows the job rather than ~300 lines of tsup. Exits with the script's exit code.
 *
 *   node scripts/quiet-build.mjs [script]
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

/**
 * Runs `npm run <script>` in the repository root, output captured. Resolves with the exit code and the
 * captured output (stdout and stderr interleaved as they came).
 * @param {string} script
 * @returns {Promise<{ code: number, output: string, ms: number }>}
 */
export function runQuietly(script) {
  const started = performance.now();
  // npm_execpath is npm's own CLI when this runs from an npm script; run it with this Node, like npm does.
  const npm = process.env.npm_execpath;
  const [command, args] = npm ? [process.execPath, [npm, "run", script]] : ["npm", ["run", script]];
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
      shell: !npm && process.platform === "win32",
    });
    const chunks = [];
    child.stdout.on("data", (chunk) => chunks.push(chunk));
    child.stderr.on("data", (chunk) => chunks.push(chunk));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      resolve({
        code: code ?? (signal ? 1 : 0),
        output: Buffer.concat(chunks).toString(),
        ms: performance.now() - started,
      });
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const script = process.argv[2] ?? "build";
  const { code, output, ms } = await runQuietly(script);
  if (code !== 0) {
    process.stderr.write(`${output}\nnpm run ${script} failed (exit ${code}); its output is above.\n`);
  } else {
    process.stderr.write(
      `npm run ${script}: done in ${(ms / 1000).toFixed(1)} s (its output is shown only on failure)\n`,
    );
  }
  process.exitCode = code;
}
