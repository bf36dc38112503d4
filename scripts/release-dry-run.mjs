// The last step of `npm run release`: a publish dry run of every public package, printing the files each
// would ship. `changeset version` and the build have already run (see package.json).
import { execFileSync } from "node:child_process";
import { publicPackages } from "./public-packages.mjs";

for (const { name, dir } of publicPackages()) {
  console.log(`\n=== ${name}: npm publish --dry-run`);
  execFileSync("npm", ["publish", "--dry-run", "--access", "public"], { cwd: dir, stdio: "inherit" });
}
