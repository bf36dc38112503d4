import { GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { createSqsSource } from "../source/createSqsSource.js";
import { createQueueWithDlq, createTestQueue, sendTestMessages } from "../source/sqsTestKit.js";
import { startTestPeer } from "../source/sqsTestPeer.js";
import type { CliClientConfig } from "./runCli.js";
import { runCli } from "./runCli.js";

const { peer, client } = await startTestPeer(afterAll);

afterEach(() => {
  vi.unstubAllEnvs();
});

/** Runs the CLI in process against fauxqs; returns the exit code and what it wrote. */
async function cli(
  argv: string[],
  options: { env?: Record<string, string | undefined>; defaultFactory?: boolean } = {},
) {
  let stdout = "";
  let stderr = "";
  const configs: CliClientConfig[] = [];
  const code = await runCli(argv, {
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    env: options.env ?? {},
    ...(options.defaultFactory
      ? {}
      : {
          clientFactory: (config: CliClientConfig) => {
            configs.push(config);
            return new SQSClient({ ...peer.clientConfig, region: config.region });
          },
        }),
  });
  return { code, stdout, stderr, configs };
}

const queueWithDlq = () => createQueueWithDlq(client, "cli", { maxReceiveCount: 5 });

describe("resilient-jobs CLI (runCli against fauxqs)", () => {
  it("prints the help with the commands, and each command's help", async () => {
    const main = await cli(["--help"]);
    const peek = await cli(["peek", "--help"]);

    expect(main.code).toBe(0);
    expect(main.stdout).toMatch(/stats <queue-url>/);
    expect(main.stdout).toMatch(/redrive <dlq-url> \[--to <url>\] \[--max <n>\]/);
    expect(main.stdout).toMatch(/--endpoint/);
    expect(peek.code).toBe(0);
    expect(peek.stdout).toMatch(/VisibilityTimeout 0/);
    expect(peek.stdout).toMatch(/increments each message's ApproximateReceiveCount/);
    expect(peek.stdout).toMatch(/maxReceiveCount/);
  });

  it("stats prints the depth of the queue and of its DLQ, as text and as JSON", async () => {
    const { dlq, queue } = await queueWithDlq();
    await sendTestMessages(client, queue.url, [{ MessageBody: "a" }, { MessageBody: "b" }, { MessageBody: "c" }]);
    await sendTestMessages(client, dlq.url, [{ MessageBody: "poison" }]);

    const text = await cli(["stats", queue.url, "--endpoint", peer.endpoint]);
    const json = await cli(["stats", queue.url, "--endpoint", peer.endpoint, "--json"]);

    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^Visible\s+3$/m);
    expect(text.stdout).toMatch(/^DLQ visible\s+1$/m);
    expect(text.stdout).toContain(dlq.url);
    expect(JSON.parse(json.stdout)).toMatchObject({
      visible: 3,
      inFlight: 0,
      deadLetter: { visible: 1, maxReceiveCount: 5 },
    });
    // No --region and no AWS_REGION: with an endpoint the CLI defaults to us-east-1.
    expect(text.configs).toEqual([{ region: "us-east-1", endpoint: peer.endpoint }]);
  });

  it("peek shows messages with attributes without deleting or hiding them", async () => {
    const queue = await createTestQueue(client, "cli-peek");
    await sendTestMessages(client, queue.url, [
      {
        MessageBody: '{"orderId":"o-1"}',
        MessageAttributes: { "correlation-id": { DataType: "String", StringValue: "o-1" } },
      },
      { MessageBody: '{"orderId":"o-2"}' },
      { MessageBody: '{"orderId":"o-3"}' },
    ]);

    const json = await cli(["peek", queue.url, "--n", "2", "--json", "--endpoint", peer.endpoint]);
    const text = await cli(["peek", queue.url, "--endpoint", peer.endpoint]);

    expect(json.code).toBe(0);
    const peeked = JSON.parse(json.stdout) as {
      body: string;
      attributes: Record<string, string>;
      receiveCount: number;
    }[];
    expect(peeked).toHaveLength(2);
    expect(text.stdout).toMatch(/correlation-id=o-1/);
    expect(text.stdout).toMatch(/body: \{"orderId":"o-3"\}/);
    const after = await client.send(new ReceiveMessageCommand({ QueueUrl: queue.url, MaxNumberOfMessages: 10 }));
    expect(after.Messages).toHaveLength(3);
  });

  it("peek shows why a worker dead-lettered a message, on its own line and in --json", async () => {
    const { dlq, queue } = await queueWithDlq();
    await sendTestMessages(client, queue.url, [
      { MessageBody: "{bad", MessageAttributes: { "correlation-id": { DataType: "String", StringValue: "o-4" } } },
    ]);
    const source = await createSqsSource({ queueUrl: queue.url, client });
    const [message] = await source.receive(1, { waitTimeMs: 1000 });
    await source.deadLetter!(message!, { code: "DECODE_FAILED", message: "DecodeError: body is not JSON" });

    const text = await cli(["peek", dlq.url, "--endpoint", peer.endpoint]);
    const json = await cli(["peek", dlq.url, "--json", "--endpoint", peer.endpoint]);

    expect(text.stdout).toContain(
      `  dead-lettered: DECODE_FAILED after 1 receive of ${message!.id} in ${queue.url}: DecodeError: body is not JSON\n`,
    );
    expect(text.stdout).toMatch(/attributes: correlation-id=o-4\n/);
    expect(JSON.parse(json.stdout)[0].deadLetter).toEqual({
      reason: { code: "DECODE_FAILED", message: "DecodeError: body is not JSON" },
      sourceMessageId: message!.id,
      sourceQueue: queue.url,
      receiveCount: 1,
    });
  });

  it("redrive moves the DLQ's messages back (the fallback loop on fauxqs) and honours --to and --max", async () => {
    const { dlq, queue } = await queueWithDlq();
    const other = await createTestQueue(client, "cli-other");
    await sendTestMessages(
      client,
      dlq.url,
      Array.from({ length: 6 }, (_, i) => ({ MessageBody: `m${i}` })),
    );

    const some = await cli(["redrive", dlq.url, "--to", other.url, "--max", "2", "--endpoint", peer.endpoint]);
    const rest = await cli(["redrive", dlq.url, "--json", "--endpoint", peer.endpoint]);

    expect(some.code).toBe(0);
    expect(some.stdout).toMatch(/Moved 2 messages from .* to .*cli-other/);
    expect(JSON.parse(rest.stdout)).toMatchObject({ method: "loop", to: queue.url, moved: 4, failed: 0 });
    const depth = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ["ApproximateNumberOfMessages"] }),
    );
    expect(depth.Attributes?.ApproximateNumberOfMessages).toBe("4");
  });

  it.each([
    [[], /missing command/],
    [["purge", "https://sqs.us-east-1.amazonaws.com/123456789012/q"], /unknown command "purge"/],
    [["stats"], /missing the queue URL/],
    [["stats", "orders"], /"orders" is not a queue URL/],
    [["stats", "https://example.com/not/a/queue/url"], /is not a queue URL/],
    [
      ["peek", "https://sqs.us-east-1.amazonaws.com/123456789012/q", "--n", "11"],
      /--n must be an integer from 1 to 10/,
    ],
    [["redrive", "https://sqs.us-east-1.amazonaws.com/123456789012/q", "--max", "-3"], /--max/],
    [
      ["stats", "https://sqs.us-east-1.amazonaws.com/123456789012/q", "--max", "3"],
      /--max is not an option of this command/,
    ],
    [["stats", "https://sqs.us-east-1.amazonaws.com/123456789012/q", "--bogus"], /Unknown option '--bogus'/],
    [["stats", "https://sqs.us-east-1.amazonaws.com/123456789012/q", "extra"], /unexpected argument "extra"/],
  ])("exits 2 with a usage error for %j", async (argv, message) => {
    const result = await cli(argv);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe("");
    expect(result.configs).toHaveLength(0);
  });

  it("exits 2 when no region can be found", async () => {
    const result = await cli(["stats", "https://queue.example.internal/123456789012/orders"]);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no AWS region: pass --region/);
  });

  it("takes the region from the queue URL when none is configured", async () => {
    const result = await cli([
      "stats",
      "https://sqs.eu-west-3.amazonaws.com/000000000000/missing",
      "--endpoint",
      peer.endpoint,
    ]);

    expect(result.configs[0]?.region).toBe("eu-west-3");
  });

  it("exits 1 naming the queue when it does not exist", async () => {
    const missing = `${peer.endpoint}/000000000000/no-such-queue`;

    const result = await cli(["stats", missing, "--endpoint", peer.endpoint, "--region", "us-east-1"]);

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /queue .*no-such-queue does not exist \(region us-east-1, endpoint http:\/\/127\.0\.0\.1:\d+\): check/,
    );
  });

  it("with its own client follows --endpoint, not the queue URL's host, with credentials from the given env", async () => {
    const queue = await createTestQueue(client, "cli-default-client");
    // fauxqs's URLs name sqs.us-east-1.localhost, which does not resolve: only the endpoint reaches it.
    expect(new URL(queue.url).hostname).toContain("localhost");

    const result = await cli(["stats", queue.url, "--endpoint", peer.endpoint, "--json"], {
      defaultFactory: true,
      env: { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" },
    });

    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ queueUrl: queue.url, visible: 0 });
  });

  it("exits 1 with what to set when there are no AWS credentials", async () => {
    const queue = await createTestQueue(client, "cli-no-creds");
    for (const name of [
      "AWS_ACCESS_KEY_ID",
      "AWS_SECRET_ACCESS_KEY",
      "AWS_SESSION_TOKEN",
      "AWS_PROFILE",
      "AWS_WEB_IDENTITY_TOKEN_FILE",
      "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
      "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    ]) {
      vi.stubEnv(name, undefined);
    }
    vi.stubEnv("AWS_CONFIG_FILE", "/nonexistent/aws-config");
    vi.stubEnv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials");
    vi.stubEnv("AWS_EC2_METADATA_DISABLED", "true");

    const result = await cli(["stats", queue.url, "--endpoint", peer.endpoint], { defaultFactory: true });

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no usable AWS credentials/);
    expect(result.stderr).toMatch(/AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE/);
  });
});
