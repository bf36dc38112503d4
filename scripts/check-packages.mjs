// Checks what each public package would ship, as a consumer would see it: publint (package.json and
// exports map), Are the Types Wrong (types resolve for ESM and CJS under node16 and bundlers), and the
// tarball's contents (LICENSE, bin, source maps, no ESM-only dependency required from CJS; see tarball-contents.mjs).
// Run after `npm run build`. Checks every package, then exits non-zero if any failed.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { publicPackages } from "./public-packages.mjs";
import { cjsRequireProblems, esmOnlyResolver, fileReader, tarballProblems } from "./tarball-contents.mjs";

const bin = (name) => join(new URL("..", import.meta.url).pathname, "node_modules", ".bin", name);
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: "inherit" });

let failed = false;
for (const { name, dir } of publicPackages()) {
  console.log(`\n=== ${name}`);
  const packDir = mkdtempSync(join(tmpdir(), "rj-pack-"));
  try {
    run(bin("publint"), ["--strict"], dir);
    const [pack] = JSON.parse(
      execFileSync("npm", ["pack", "--json", "--pack-destination", packDir], {
        cwd: dir,
        stdio: ["ignore", "pipe", "inherit"],
      }).toString(),
    );
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    const files = pack.files.map((f) => f.path);
    const readFile = fileReader(dir);
    const problems = [
      ...tarballProblems({ files, manifest, readFile }),
      ...cjsRequireProblems({ files, manifest, readFile, isEsmOnly: esmOnlyResolver(dir) }),
    ];
    if (problems.length > 0) throw new Error(`tarball:\n  ${problems.join("\n  ")}`);
    console.log(
      `tarball: ${pack.entryCount} files, ${pack.size} B packed, ${pack.unpackedSize} B unpacked; LICENSE, bin, maps and CJS requires ok`,
    );
    // The CLI entry (bin) is ESM-only by design; attw checks the importable entry points.
    run(bin("attw"), [join(packDir, pack.filename), "--profile", "node16"], dir);
  } catch (error) {
    failed = true;
    console.error(
      `${name}: package check failed${error instanceof Error && error.message.startsWith("tarball") ? `: ${error.message}` : ""}`,
    );
  } finally {
    rmSync(packDir, { recursive: true, force: true });
  }
}
process.exit(failed ? 1 : 0);
