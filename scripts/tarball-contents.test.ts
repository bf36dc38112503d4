import { describe, expect, it } from "vitest";
import { tarballProblems } from "./tarball-contents.mjs";

const maps: Record<string, string> = {
  "dist/a.js.map": JSON.stringify({ version: 3, sources: ["../src/a.ts"], mappings: "" }),
  "dist/inlined.js.map": JSON.stringify({ version: 3, sources: ["../src/a.ts"], sourcesContent: ["x"], mappings: "" }),
  "dist/dangling.js.map": JSON.stringify({ version: 3, sources: ["../src/gone.ts"], mappings: "" }),
};
const readFile = (path: string) => maps[path] ?? "";
const good = ["LICENSE", "README.md", "package.json", "bin/cli.js", "dist/a.js", "dist/a.js.map", "src/a.ts"];

describe("tarballProblems", () => {
  it("accepts a tarball with LICENSE, its bin, and maps that point at shipped sources", () => {
    expect(tarballProblems({ files: good, manifest: { bin: { tool: "bin/cli.js" } }, readFile })).toEqual([]);
  });

  it("reports a missing LICENSE", () => {
    const files = good.filter((file) => file !== "LICENSE");
    expect(tarballProblems({ files, manifest: {}, readFile })).toEqual(["LICENSE is missing"]);
  });

  it("reports a bin under dist/, which npm cannot link before a clone's first build", () => {
    const problems = tarballProblems({
      files: [...good, "dist/cli.js"],
      manifest: { bin: { tool: "./dist/cli.js" } },
      readFile,
    });
    expect(problems).toEqual(["bin tool: dist/cli.js is a build output, so npm cannot link it in a fresh clone"]);
  });

  it("reports a bin target that does not ship", () => {
    expect(tarballProblems({ files: good, manifest: { bin: "bin/other.js" }, readFile })).toEqual([
      "bin bin: bin/other.js is not in the tarball",
    ]);
  });

  it("reports source maps that inline their sources or name a file the tarball lacks", () => {
    const files = [...good, "dist/inlined.js.map", "dist/dangling.js.map"];
    expect(tarballProblems({ files, manifest: {}, readFile })).toEqual([
      "dist/inlined.js.map inlines its sources (sourcesContent)",
      "dist/dangling.js.map names src/gone.ts, which is not in the tarball",
    ]);
  });

  it("reports a test file that ships", () => {
    expect(tarballProblems({ files: [...good, "src/a.test.ts"], manifest: {}, readFile })).toEqual([
      "src/a.test.ts is a test",
    ]);
  });
});
