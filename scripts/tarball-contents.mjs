// What a package's tarball must hold, checked on the file list of `npm pack --dry-run --json` (run by
// check-packages.mjs for every public package; the rules are unit-tested in tarball-contents.test.ts).
import { readFileSync } from "node:fs";
import { join, posix } from "node:path";

/**
 * Returns what is wrong with a package's tarball, one sentence per problem (none: an empty array).
 * - LICENSE: package.json says MIT, and the MIT licence asks for its text to ship with every copy.
 * - bin: every bin target ships, and none is under dist/: npm links bins at install time, before a clone's build,
 *   and skips a target that does not exist yet (then `npx resilient-jobs` asks the registry for a stranger's package).
 * - Source maps: none inlines its sources (that was ~60% of the unpacked size), and every source a map names
 *   ships, so a debugger can open it. Tests never ship.
 * @param {{ files: readonly string[], manifest: { bin?: string | Record<string, string> }, readFile: (path: string) => string }} pack
 *   the tarball's paths, the package.json, and a reader for a shipped file (path relative to the package)
 * @returns {string[]}
 */
export function tarballProblems({ files, manifest, readFile }) {
  const shipped = new Set(files);
  const problems = [];
  if (!shipped.has("LICENSE")) problems.push("LICENSE is missing");
  const bins = typeof manifest.bin === "string" ? { bin: manifest.bin } : (manifest.bin ?? {});
  for (const [name, target] of Object.entries(bins)) {
    const path = posix.normalize(target);
    if (!shipped.has(path)) problems.push(`bin ${name}: ${path} is not in the tarball`);
    if (path.startsWith("dist/"))
      problems.push(`bin ${name}: ${path} is a build output, so npm cannot link it in a fresh clone`);
  }
  for (const file of files) {
    if (/\.test\.[cm]?[jt]s$/.test(file)) problems.push(`${file} is a test`);
    if (!file.endsWith(".map")) continue;
    const map = JSON.parse(readFile(file));
    if (map.sourcesContent !== undefined) problems.push(`${file} inlines its sources (sourcesContent)`);
    for (const source of map.sources ?? []) {
      const path = posix.normalize(posix.join(posix.dirname(file), source));
      if (!shipped.has(path)) problems.push(`${file} names ${path}, which is not in the tarball`);
    }
  }
  return problems;
}

/** Reads a package's own files for {@link tarballProblems}. */
export const fileReader = (dir) => (path) => readFileSync(join(dir, path), "utf8");
