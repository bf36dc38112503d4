// The `resilient-jobs` bin (built to dist/cli.js with a shebang). All logic lives in runCli, tested in process.
import { runCli } from "./cli/runCli.js";

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
