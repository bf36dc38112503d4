/**
 * The `resilient-jobs` CLI as a process for the replay crash test (replay.int.test.ts): runCli on the process's
 * arguments and streams, its exit code the process's.
 */
import { runCli } from "@resilient-jobs/sqs-adapter";

process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
