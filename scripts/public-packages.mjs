// The workspaces that are published to npm: every non-private package under packages/.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;

/** @returns {{ name: string, dir: string }[]} */
export function publicPackages() {
  return readdirSync(join(root, "packages"))
    .map((folder) => join(root, "packages", folder))
    .map((dir) => ({ dir, pkg: JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) }))
    .filter(({ pkg }) => !pkg.private)
    .map(({ dir, pkg }) => ({ name: pkg.name, dir }));
}
