// What a package's tarball must hold, checked on the file list of `npm pack --dry-run --json` (run by
// check-packages.mjs for every public package; the rules are unit-tested in tarball-contents.test.ts).
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, posix, resolve } from "node:path";

/**
 * Returns what is wrong with a package's tarball, one sentence per problem (none: an empty array).
 * - LICENSE: package.json says MIT, and the MIT licence asks for its text to ship with every copy.
 * - bin: every bin target ships, and none is under dist/: npm links bins at install time, before a clone's build,
 *   and skips a target that does not exist yet (then `npx resilient-jobs` asks the registry for a stranger's package).
 * - Source maps: none inlines its sources (that was ~60% of the unpacked size), and every source of ours a map
 *   names ships, so a debugger can open it (bundled dependencies, under node_modules, are exempt). Tests never ship.
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
      // A dependency bundled into the CJS build (p-limit) is third-party code: it is not ours to ship as source.
      if (path.split("/").includes("node_modules")) continue;
      if (!shipped.has(path)) problems.push(`${file} names ${path}, which is not in the tarball`);
    }
  }
  return problems;
}

/**
 * Returns the dependencies that a shipped CommonJS file `require()`s although they are published as ES modules only:
 * `require()` of an ES module works only from Node 22.12, and the packages support Node 22. The build bundles
 * such dependencies into the CJS output instead (tsup.shared.ts, `esmOnlyDependencies`). Peer dependencies are
 * the user's to install and are not checked (vitest, for `@resilient-jobs/core/testing`, needs Node 22.12 itself).
 * @param {{ files: readonly string[], manifest: { dependencies?: Record<string, string> }, readFile: (path: string) => string, isEsmOnly: (name: string) => boolean }} pack
 * @returns {string[]}
 */
export function cjsRequireProblems({ files, manifest, readFile, isEsmOnly }) {
  const dependencies = new Set(Object.keys(manifest.dependencies ?? {}));
  const problems = [];
  for (const file of files.filter((path) => path.endsWith(".cjs"))) {
    for (const [, specifier] of readFile(file).matchAll(/\brequire\(["']([^"']+)["']\)/g)) {
      const name = specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0];
      if (dependencies.has(name) && isEsmOnly(name)) {
        problems.push(`${file} requires ${name}, which is ESM only: bundle it into the CJS build`);
      }
    }
  }
  return problems;
}

/**
 * Whether the package `name`, as installed for the package in `dir`, can only be imported: `"type": "module"` and
 * no `require` condition in its exports.
 */
export function esmOnlyResolver(dir) {
  return (name) => {
    const manifest = JSON.parse(readFileSync(installedManifest(dir, name), "utf8"));
    return manifest.type === "module" && !JSON.stringify(manifest.exports ?? {}).includes('"require"');
  };
}

// Node's own lookup (node_modules of dir, then of each parent); not require.resolve, which refuses a package.json
// that the package's exports do not list (p-limit's).
function installedManifest(dir, name) {
  for (let at = resolve(dir); ; at = dirname(at)) {
    const path = join(at, "node_modules", name, "package.json");
    if (existsSync(path)) return path;
    if (dirname(at) === at) throw new Error(`${name} is not installed for ${dir}`);
  }
}

/** Reads a package's own files for {@link tarballProblems}. */
export const fileReader = (dir) => (path) => readFileSync(join(dir, path), "utf8");
