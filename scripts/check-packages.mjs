// Checks what each public package would ship, as a consumer would see it: publint (package.json and
// exports map) and Are the Types Wrong (types resolve for ESM and CJS under node16 and bundlers).
// Run after `npm run build`. Exits non-zero on the first package that fails either check.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { publicPackages } from "./public-packages.mjs";

const bin = (name) => join(new URL("..", import.meta.url).pathname, "node_modules", ".bin", name);
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: "inherit" });

let failed = false;
for (const { name, dir } of publicPackages()) {
  console.log(`\n=== ${name}`);
  const packDir = mkdtempSync(join(tmpdir(), "rj-pack-"));
  try {
    run(bin("publint"), ["--strict"], dir);
    const tarball = execFileSync("npm", ["pack", "--silent", "--pack-destination", packDir], { cwd: dir })
      .toString()
      .trim()
      .split("\n")
      .pop();
    // The CLI entry (bin) is ESM-only by design; attw checks the importable entry points.
    run(bin("attw"), [join(packDir, tarball), "--profile", "node16"], dir);
  } catch {
    failed = true;
    console.error(`${name}: package check failed`);
  } finally {
    rmSync(packDir, { recursive: true, force: true });
  }
}
process.exit(failed ? 1 : 0);
