import { SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, describe, expect, it } from "vitest";
import { createKeyObjectSha256, type Sha256Constructor } from "./keyObjectSha256.js";

const sdkClient = new SQSClient({ region: "us-east-1" });
/** The SDK's own default (`@smithy` Hash on node:crypto), which ours must match byte for byte. */
const SdkSha256 = sdkClient.config.sha256 as Sha256Constructor;
afterAll(() => sdkClient.destroy());

type Data = string | ArrayBuffer | ArrayBufferView;
type Hashing = { digest(): Promise<Uint8Array> };

async function digest(Sha256: Sha256Constructor, secret: Data | undefined, ...chunks: Data[]): Promise<string> {
  const hash = new Sha256(secret);
  for (const chunk of chunks) hash.update(chunk as Uint8Array);
  return Buffer.from(await hash.digest()).toString("hex");
}

describe("createKeyObjectSha256", () => {
  const bytes = new Uint8Array([0, 1, 2, 3, 250, 251, 252, 253, 254, 255]);
  const view = bytes.subarray(2, 8);
  const cases: [string, Data | undefined, Data[]][] = [
    ["a plain hash of a string", undefined, ["GET\n/\n\nhost:sqs.us-east-1.amazonaws.com"]],
    ["a plain hash of the empty payload", undefined, [""]],
    ["an HMAC keyed by a string (the secret access key)", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ["AKIDEXAMPLE"]],
    ["an HMAC keyed by bytes (the signing key)", bytes, ["AWS4-HMAC-SHA256\n20261202T000000Z"]],
    ["an HMAC keyed by a view into a larger buffer", view, ["x", "y"]],
    ["an HMAC keyed by an ArrayBuffer, over bytes and a view", bytes.buffer, [bytes, view]],
    ["non-ASCII text", "ключ", ["тело сообщения ✓"]],
  ];

  it.each(cases)("gives the SDK's digest for %s", async (_, secret, chunks) => {
    const Sha256 = createKeyObjectSha256();

    expect(await digest(Sha256, secret, ...chunks)).toBe(await digest(SdkSha256, secret, ...chunks));
  });

  it("gives the same digests when a cached key is used again, after reset, and past the cache's size", async () => {
    const Sha256 = createKeyObjectSha256();
    const secrets = Array.from({ length: 12 }, (_, i) => `secret-${i}`);

    for (const secret of [...secrets, ...secrets.reverse()]) {
      expect(await digest(Sha256, secret, "data")).toBe(await digest(SdkSha256, secret, "data"));
      expect(await digest(Sha256, bytes, secret)).toBe(await digest(SdkSha256, bytes, secret));
    }
    const hash = new Sha256("key") as unknown as { update(data: string): void; reset(): void } & Hashing;
    hash.update("discarded");
    hash.reset();
    hash.update("kept");
    expect(Buffer.from(await hash.digest()).toString("hex")).toBe(await digest(SdkSha256, "key", "kept"));
  });
});
