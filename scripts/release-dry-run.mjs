// `npm run release`: a release rehearsal that leaves the working tree as it found it. It builds, then runs
// `changeset version` in a temporary copy of the manifests, changesets and package contents (it deletes the
// changesets, bumps versions and writes CHANGELOGs: in the copy, not here), prints the versions and the new
// CHANGELOG entries, and runs `npm publish --dry-run` from the copy, listing the files each package would ship.
// The real release runs in CI (docs/releasing.md). `--keep` leaves the copy in place and prints its path.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { publicPackages } from "./public-packages.mjs";

/**
 * Copies what `changeset version` reads and writes, and what `npm publish` packs, from `root` to `dest`:
 * the root package.json, .changeset/, each workspace's package.json and CHANGELOG.md, and every public package's
 * folder without node_modules.
 * @param {string} root the repository
 * @param {string} dest an empty folder
 * @param {readonly string[]} publicDirs absolute folders of the public packages
 */
export function stageRelease(root, dest, publicDirs) {
  const copy = (path, filter) => cpSync(join(root, path), join(dest, path), { recursive: true, filter });
  copy("package.json");
  copy(".changeset");
  const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  for (const workspace of manifest.workspaces ?? []) {
    for (const file of ["package.json", "CHANGELOG.md"]) {
      if (existsSync(join(root, workspace, file))) copy(join(workspace, file));
    }
  }
  for (const dir of publicDirs) {
    copy(relative(root, dir), (source) => !source.split(/[\\/]/).includes("node_modules"));
  }
}

/**
 * Runs `changeset version` in `dir` (a staged copy), with the repository's changesets CLI.
 * @param {string} root the repository, whose node_modules hold @changesets/cli
 * @param {string} dir the copy to version
 */
export function versionCopy(root, dir) {
  const cli = join(root, "node_modules", "@changesets", "cli", "bin.js");
  execFileSync(process.execPath, [cli, "version"], { cwd: dir, stdio: "inherit" });
}

function main() {
  const root = fileURLToPath(new URL("..", import.meta.url));
  const keep = process.argv.includes("--keep");
  execFileSync("npm", ["run", "build", "--silent"], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
  const dest = mkdtempSync(join(tmpdir(), "rj-release-"));
  try {
    const packages = publicPackages();
    stageRelease(
      root,
      dest,
      packages.map(({ dir }) => dir),
    );
    console.log(`\n=== changeset version (in ${dest}; this working tree is not touched)`);
    versionCopy(root, dest);
    for (const { name, dir } of packages) {
      const staged = join(dest, relative(root, dir));
      const { version } = JSON.parse(readFileSync(join(staged, "package.json"), "utf8"));
      console.log(`\n=== ${name}@${version}: CHANGELOG entry`);
      const changelog = join(staged, "CHANGELOG.md");
      if (existsSync(changelog)) console.log(latestEntry(readFileSync(changelog, "utf8")));
      console.log(`\n=== ${name}@${version}: npm publish --dry-run`);
      execFileSync("npm", ["publish", "--dry-run", "--access", "public"], { cwd: staged, stdio: "inherit" });
    }
  } finally {
    if (keep) console.log(`\nThe versioned copy is in ${dest}`);
    else rmSync(dest, { recursive: true, force: true });
  }
}

// The first "## x.y.z" section of a CHANGELOG, which `changeset version` just wrote.
function latestEntry(changelog) {
  const sections = changelog.split(/^(?=## )/m);
  return (sections[1] ?? changelog).trimEnd();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
