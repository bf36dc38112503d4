/** Starts an emulator in a child process (see peerProcess.ts) and returns it as a running peer. */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import type { RunningPeer } from "../../../test-support/peers.js";

/** Starts `kind` from the bundled `peerProcess.js` and resolves once it listens. */
export function startPeerProcess(script: string, kind: "sqs" | "dynamodb", timeoutMs = 20_000): Promise<RunningPeer> {
  const child = spawn(process.execPath, [script, kind], { stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return new Promise<RunningPeer>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the ${kind} emulator did not start in ${timeoutMs} ms`));
    }, timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the ${kind} emulator exited with code ${code} before listening`));
    });
    createInterface({ input: child.stdout! }).once("line", (line) => {
      clearTimeout(timer);
      const { endpoint } = JSON.parse(line) as { endpoint: string };
      resolve({
        endpoint,
        // Dummy credentials: the emulators do not check them, and the SDK refuses to sign without some.
        clientConfig: { endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } },
        async stop() {
          child.kill("SIGTERM");
          await exited;
        },
      });
    });
  });
}
