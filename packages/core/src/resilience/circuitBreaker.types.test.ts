import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * Consumers do not have @types/opossum (a dev dependency here, two majors behind opossum 10): if the declarations
 * we publish named opossum's types, their type-check would see `any` or fail. Emit the declarations and look.
 */
describe("circuitBreaker.ts declarations", () => {
  it("reference nothing from opossum", () => {
    const entry = fileURLToPath(new URL("./circuitBreaker.ts", import.meta.url));
    const emitted = new Map<string, string>();
    const program = ts.createProgram([entry], {
      declaration: true,
      emitDeclarationOnly: true,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2023,
      strict: true,
      skipLibCheck: true,
      esModuleInterop: true,
      types: ["node"],
      outDir: "/virtual-out",
    });
    const result = program.emit(undefined, (fileName, text) => emitted.set(fileName, text));

    expect(result.emitSkipped).toBe(false);
    const declaration = [...emitted].find(([name]) => name.endsWith("circuitBreaker.d.ts"))?.[1] ?? "";
    expect(declaration).toContain("export declare function createCircuitBreaker");
    const imports = declaration.split("\n").filter((line) => /^\s*import\b|\bimport\(/.test(line));
    expect(imports.join("\n")).not.toMatch(/opossum/i);
    expect(declaration).not.toMatch(/from\s+["']opossum["']|import\(["']opossum["']\)/);
  }, 30_000);
});
