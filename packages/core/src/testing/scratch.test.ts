import { it } from "vitest";
import { simulateMany } from "./simulate/simulateMany.js";

it("scratch", async () => {
  const r = await simulateMany<{ orderId: string }>({
    runs: 500, messages: Array.from({ length: 5 }, (_, i) => ({ body: { orderId: `order-${i + 1}` } })),
    faults: { duplicate: 0.1 },
    handler: (kit) => async (message, context) => { await kit.clock.sleep(3_000, context.signal); kit.effect(`charge:${message.body.orderId}`, message); },
  });
  console.log(r.runs); console.log(r.failure?.report());
});
