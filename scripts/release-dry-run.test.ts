import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { stageRelease, versionCopy } from "./release-dry-run.mjs";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const made: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "rj-release-test-"));
  made.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

// A one-package monorepo with one pending changeset, laid out as ours is.
function fixtureRepo(): string {
  const root = tempDir();
  const write = (path: string, content: unknown) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), typeof content === "string" ? content : JSON.stringify(content, null, 2));
  };
  write("package.json", { name: "fixture-root", private: true, workspaces: ["packages/a"] });
  write("packages/a/package.json", { name: "fixture-a", version: "1.0.0", files: ["dist"] });
  write("packages/a/dist/index.js", "export {};\n");
  write("packages/a/node_modules/dep/index.js", "");
  write(".changeset/config.json", {
    changelog: "@changesets/cli/changelog",
    commit: false,
    access: "public",
    baseBranch: "main",
  });
  write(".changeset/new-feature.md", '---\n"fixture-a": minor\n---\n\nA new feature.\n');
  return root;
}

describe("the release dry run's staging", () => {
  it("versions a copy and leaves the repository's changesets, versions and CHANGELOGs as they were", () => {
    const root = fixtureRepo();
    const copy = tempDir();

    stageRelease(root, copy, [join(root, "packages/a")]);
    versionCopy(repoRoot, copy);

    const version = (dir: string) => JSON.parse(readFileSync(join(dir, "packages/a/package.json"), "utf8")).version;
    expect(version(root)).toBe("1.0.0");
    expect(existsSync(join(root, ".changeset/new-feature.md"))).toBe(true);
    expect(existsSync(join(root, "packages/a/CHANGELOG.md"))).toBe(false);
    expect(version(copy)).toBe("1.1.0");
    expect(existsSync(join(copy, ".changeset/new-feature.md"))).toBe(false);
    expect(readFileSync(join(copy, "packages/a/CHANGELOG.md"), "utf8")).toContain("A new feature.");
    expect(existsSync(join(copy, "packages/a/dist/index.js"))).toBe(true);
    expect(existsSync(join(copy, "packages/a/node_modules"))).toBe(false);
  });
});
