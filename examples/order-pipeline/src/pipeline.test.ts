import { InvalidOptionError, silentLogger } from "@resilient-jobs/core";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type PipelineOptions, type RunningPipeline, resolvePipelineOptions, startPipeline } from "./pipeline.js";
import { orderRequest, postJson } from "./testing/fixtures.js";

const EMPTY = { payment: 0, inventory: 0, notification: 0, dlq: 0, paymentInFlight: 0 };
const poll = { timeout: 5_000, interval: 10 };

describe("startPipeline (memory backend)", () => {
  let pipeline: RunningPipeline | undefined;
  const start = async (options: PipelineOptions = {}) => {
    pipeline = await startPipeline({ timeScale: 0.01, logger: silentLogger, ...options });
    return pipeline;
  };
  const placeAll = async (running: RunningPipeline, count: number) => {
    const placed = await Promise.all(
      Array.from({ length: count }, () => postJson(`${running.apiUrl}/orders/async`, orderRequest())),
    );
    return placed.map((res) => res.body.orderId as string);
  };
  afterEach(async () => {
    await pipeline?.stop();
    pipeline = undefined;
  });

  it("takes accepted orders to COMPLETED through all three queues, each charged once", async () => {
    const running = await start();

    const ids = await placeAll(running, 10);

    await vi.waitFor(async () => expect(await running.orders.countByStatus()).toEqual({ COMPLETED: 10 }), poll);
    await vi.waitFor(async () => expect(await running.queueDepth()).toEqual(EMPTY), poll);
    for (const id of ids) {
      const order = await running.orders.get(id);
      expect(running.gateway.chargesFor(id)).toBe(1);
      expect(order?.history.map((entry) => entry.event)).toEqual(
        expect.arrayContaining(["PLACED", "PAID", "INVENTORY_RESERVED", "CUSTOMER_NOTIFIED", "COMPLETED"]),
      );
    }
  });

  it("ends orders PAYMENT_FAILED when the gateway declines, with nothing dead-lettered", async () => {
    const running = await start({ failureRate: 1 });

    await placeAll(running, 5);

    await vi.waitFor(async () => expect(await running.orders.countByStatus()).toEqual({ PAYMENT_FAILED: 5 }), poll);
    await vi.waitFor(async () => expect(await running.queueDepth()).toEqual(EMPTY), poll);
    expect(running.gateway.totalCharges()).toBe(0);
  });

  it("completes orders with the Lambda variant of the processor, fed by runLocally", async () => {
    // Time scale 0.05: a 500 ms function timeout, so a loaded CI machine does not time invocations out.
    const running = await start({ processor: "lambda", timeScale: 0.05 });

    const ids = await placeAll(running, 12);

    await vi.waitFor(async () => expect(await running.orders.countByStatus()).toEqual({ COMPLETED: 12 }), {
      ...poll,
      timeout: 15_000,
    });
    expect(ids.map((id) => running.gateway.chargesFor(id))).toEqual(Array(12).fill(1));
    const health = (await (await fetch(`${running.apiUrl}/health`)).json()) as { payment: { invocations: number } };
    expect(health.payment.invocations).toBeGreaterThan(0);
  });

  it("keeps working after the payment workers are resized", async () => {
    const running = await start({ workers: 2 });
    await placeAll(running, 3);
    await vi.waitFor(async () => expect(await running.orders.countByStatus()).toEqual({ COMPLETED: 3 }), poll);

    await running.setWorkers(8);
    await placeAll(running, 3);

    await vi.waitFor(async () => expect(await running.orders.countByStatus()).toEqual({ COMPLETED: 6 }), poll);
  });

  it("runs adaptive payment workers, their limit in the payment consumer's stats", async () => {
    const running = await start({ workers: { adaptive: { min: 1, max: 50 } } });

    await placeAll(running, 5);

    await vi.waitFor(async () => expect(await running.orders.countByStatus()).toEqual({ COMPLETED: 5 }), poll);
    expect(running.paymentConsumer()?.stats().concurrency).toMatchObject({ min: 1, max: 50 });
  });

  it("refuses adaptive workers for the Lambda processor, naming the option", async () => {
    await expect(start({ processor: "lambda", workers: { adaptive: { max: 10 } } })).rejects.toThrow(
      /`workers`.*"lambda"/,
    );
  });

  it("stops once however often stop() is called", async () => {
    const running = await start();

    await Promise.all([running.stop(), running.stop()]);

    await expect(fetch(`${running.apiUrl}/health`)).rejects.toThrow();
  });
});

describe("resolvePipelineOptions", () => {
  it("applies the study's defaults", () => {
    expect(resolvePipelineOptions({})).toMatchObject({
      backend: "memory",
      workers: 20,
      paymentMs: 3_000,
      slots: 5,
      failureRate: 0,
      timeScale: 1,
      processor: "ecs",
    });
  });

  it.each([
    [{ backend: "cloud" }, "backend"],
    [{ workers: 0 }, "workers"],
    [{ slots: 2.5 }, "slots"],
    [{ failureRate: -0.1 }, "failureRate"],
    [{ timeScale: 0 }, "timeScale"],
    [{ processor: "k8s" }, "processor"],
    [{ port: 70_000 }, "port"],
  ])("rejects %o naming `%s`", (options, option) => {
    expect(() => resolvePipelineOptions(options as PipelineOptions)).toThrow(InvalidOptionError);
    expect(() => resolvePipelineOptions(options as PipelineOptions)).toThrow(`\`${option}\``);
  });
});
