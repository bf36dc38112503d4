import { SQSClient } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { COMMAND_HELP, MAIN_HELP } from "./help.js";
import { type CliClientConfig, runCli } from "./runCli.js";

/** A client whose every call fails the way a DNS lookup of `host` does (no emulator involved). */
function unresolvableHostClient(host: string) {
  const configs: CliClientConfig[] = [];
  const factory = (config: CliClientConfig) => {
    configs.push(config);
    const client = new SQSClient({ region: config.region, credentials: { accessKeyId: "x", secretAccessKey: "x" } });
    client.middlewareStack.add(
      () => async () => {
        throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), {
          code: "ENOTFOUND",
          syscall: "getaddrinfo",
          hostname: host,
        });
      },
      { step: "build" },
    );
    return client;
  };
  return { factory, configs };
}

async function cli(argv: string[], clientFactory?: (config: CliClientConfig) => SQSClient) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, {
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    env: {},
    ...(clientFactory ? { clientFactory } : {}),
  });
  return { code, stdout, stderr };
}

describe("resilient-jobs CLI errors and help", () => {
  it("says to pass --endpoint when an emulator's queue URL host does not resolve", async () => {
    const { factory } = unresolvableHostClient("sqs.us-east-1.localhost");

    const run = await cli(["stats", "http://sqs.us-east-1.localhost:4566/000000000000/orders"], factory);

    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      "resilient-jobs: could not resolve sqs.us-east-1.localhost, the host of the queue URL: it looks like a local " +
        "emulator's. Pass the emulator's address with --endpoint http://127.0.0.1:4566 (or set AWS_ENDPOINT_URL_SQS).\n",
    );
  });

  it("keeps the plain network message for an AWS host, and when --endpoint was given", async () => {
    const aws = await cli(
      ["stats", "https://sqs.eu-west-1.amazonaws.com/123456789012/orders"],
      unresolvableHostClient("sqs.eu-west-1.amazonaws.com").factory,
    );
    const withEndpoint = await cli(
      ["stats", "http://sqs.us-east-1.localhost:4566/000000000000/orders", "--endpoint", "http://emulator:4566"],
      unresolvableHostClient("emulator").factory,
    );

    expect(aws.stderr).toMatch(/^resilient-jobs: could not reach SQS in eu-west-1: getaddrinfo ENOTFOUND/);
    expect(withEndpoint.stderr).toMatch(/^resilient-jobs: could not reach SQS at http:\/\/emulator:4566: /);
  });

  it("lists every command's options in the main help", async () => {
    const run = await cli(["--help"]);
    const commandOptions = Object.entries(COMMAND_HELP).flatMap(([command, help]) =>
      [...(help.split("\n")[0] ?? "").matchAll(/--[a-z-]+/g)]
        .map(([flag]) => flag)
        .filter((flag) => flag !== "--json")
        .map((flag) => [command, flag] as const),
    );

    expect(run.stdout).toBe(MAIN_HELP);
    expect(commandOptions).toContainEqual(["stats", "--peek-age"]);
    for (const [command, flag] of commandOptions) {
      const line = MAIN_HELP.split("\n").find((l) => l.trimStart().startsWith(`${command} `));
      expect(line, `${command} ${flag}`).toContain(flag);
    }
  });
});
