import { describe, expect, it } from "vitest";
import { cjsRequireProblems, esmOnlyResolver, tarballProblems } from "./tarball-contents.mjs";

const maps: Record<string, string> = {
  "dist/a.js.map": JSON.stringify({ version: 3, sources: ["../src/a.ts"], mappings: "" }),
  "dist/inlined.js.map": JSON.stringify({ version: 3, sources: ["../src/a.ts"], sourcesContent: ["x"], mappings: "" }),
  "dist/dangling.js.map": JSON.stringify({ version: 3, sources: ["../src/gone.ts"], mappings: "" }),
  "dist/bundled.cjs.map": JSON.stringify({
    version: 3,
    sources: ["../src/a.ts", "../node_modules/p-limit/index.js", "../../../node_modules/yocto-queue/index.js"],
    mappings: "",
  }),
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

  it("does not ask for the sources of dependencies bundled into the CJS build", () => {
    expect(tarballProblems({ files: [...good, "dist/bundled.cjs.map"], manifest: {}, readFile })).toEqual([]);
  });

  it("reports a test file that ships", () => {
    expect(tarballProblems({ files: [...good, "src/a.test.ts"], manifest: {}, readFile })).toEqual([
      "src/a.test.ts is a test",
    ]);
  });
});

describe("cjsRequireProblems", () => {
  const cjs: Record<string, string> = {
    "dist/index.cjs":
      'var a = require("p-limit");\nvar b = require("@aws-sdk/client-sqs");\nvar c = require("opossum");',
  };
  const pack = (dependencies: Record<string, string>) => ({
    files: ["dist/index.cjs", "dist/index.js"],
    manifest: { dependencies },
    readFile: (path: string) => cjs[path] ?? "",
    isEsmOnly: (name: string) => name === "p-limit" || name === "@aws-sdk/client-sqs",
  });

  it("reports a dependency that is ESM only and required from a CJS file", () => {
    expect(cjsRequireProblems(pack({ "p-limit": "^7.3.3", opossum: "^10.0.0" }))).toEqual([
      "dist/index.cjs requires p-limit, which is ESM only: bundle it into the CJS build",
    ]);
  });

  it("ignores what is not a dependency (peers, bundled code) and CommonJS dependencies", () => {
    expect(cjsRequireProblems(pack({ opossum: "^10.0.0" }))).toEqual([]);
  });

  it("tells p-limit 7 (ESM only) from a package with a require condition", () => {
    const isEsmOnly = esmOnlyResolver(new URL("../packages/sqs-adapter", import.meta.url).pathname);

    expect(isEsmOnly("p-limit")).toBe(true);
    expect(isEsmOnly("@aws-sdk/client-sqs")).toBe(false);
  });
});
