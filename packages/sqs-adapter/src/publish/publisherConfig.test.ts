import { InvalidOptionError } from "@resilient-jobs/core";
import { describe, expect, it } from "vitest";
import { resolvePublisherConfig } from "./publisherConfig.js";

describe("resolvePublisherConfig", () => {
  it("sends up to 4 requests of a batch at once by default", () => {
    expect(resolvePublisherConfig({}, 1_048_576).concurrency).toBe(4);
  });

  it.each([0, 1.5, -1, "4"])("refuses concurrency %j, naming the option", (concurrency) => {
    expect(() => resolvePublisherConfig({ concurrency: concurrency as number }, 1_048_576)).toThrow(
      expect.objectContaining({ name: InvalidOptionError.name, message: expect.stringContaining("concurrency") }),
    );
  });
});
