import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const quietBuild = fileURLToPath(new URL("./quiet-build.mjs", import.meta.url));

// Stands in for npm: `run <script>` prints 300 lines, then exits 0 for "ok" and 1 otherwise.
const fakeNpm = join(mkdtempSync(join(tmpdir(), "quiet-build-")), "npm-cli.js");
writeFileSync(
  fakeNpm,
  `for (let i = 1; i <= 300; i++) console.log("tsup line " + i);
console.error("stderr of " + process.argv[3]);
process.exitCode = process.argv[3] === "ok" ? 0 : 1;`,
);

function run(script: string) {
  const out = spawnSync(process.execPath, [quietBuild, script], {
    encoding: "utf8",
    env: { ...process.env, npm_execpath: fakeNpm },
  });
  return { code: out.status, stdout: out.stdout, stderr: out.stderr };
}

describe("scripts/quiet-build.mjs", () => {
  it("prints one line instead of the build's output when the build passes", () => {
    const result = run("ok");

    expect(result.code).toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^npm run ok: done in \d+\.\d s \(its output is shown only on failure\)\n$/);
  });

  it("prints the whole output and exits with the build's code when it fails", () => {
    const result = run("broken");

    expect(result.code).toBe(1);
    expect(result.stderr).toContain("tsup line 1\n");
    expect(result.stderr).toContain("tsup line 300\n");
    expect(result.stderr).toContain("stderr of broken");
    expect(result.stderr).toMatch(/npm run broken failed \(exit 1\); its output is above\.\n$/);
  });
});
