/** The chaos run's printed summary: what was done to the system, then every check. */
import type { ChaosReport } from "./runChaos.js";

/** Formats `report` as plain-text tables. */
export function formatChaosSummary(report: ChaosReport): string {
  const { options, load, proxy, fleet, gateway, reconciliation } = report;
  const receives = proxy.calls.ReceiveMessage ?? 0;
  const sqsCalls = Object.values(proxy.calls).reduce((sum, n) => sum + n, 0);
  const injected = proxy.refused + proxy.lostResponses;
  const notAccepted = Object.entries(load.notAccepted)
    .map(([status, count]) => `${count} x ${status}`)
    .join(", ");
  const faults: Array<[string, string]> = [
    ["orders placed (POST /orders/async)", `${options.orders} at ${options.ordersPerSecond}/s`],
    ["accepted (202)", `${load.accepted.length}${notAccepted ? ` (not accepted: ${notAccepted})` : ""}`],
    ["poison messages on the topic", `${report.poison.length} (x${3} queues)`],
    [
      "worker processes",
      `${options.workerProcesses} x ${options.paymentWorkers} payment workers; ${fleet.started} started in all`,
    ],
    ["SIGKILLed workers (restarted)", `${fleet.killed.length}: ${fleet.killed.join(", ") || "-"}`],
    [
      "SIGTERM drains (exit ms / grace)",
      fleet.drains.map((drain) => `${drain.workerId} ${drain.exitMs}${drain.forced ? " KILLED" : ""}`).join(", ") ||
        "-",
    ],
    ["SQS calls through the proxy", `${sqsCalls} (${receives} ReceiveMessage)`],
    [
      "injected SQS errors",
      `${injected} = ${percent(injected, sqsCalls)} (${proxy.internalErrors} x 500 InternalError, ${proxy.throttled} x 400 ThrottlingException; ${proxy.lostResponses} applied with the answer lost, ${proxy.messagesInLostReceives} messages in lost receives)`,
    ],
    ["duplicate deliveries", `${proxy.duplicatesSent} copies re-sent`],
    [
      "payment gateway outage",
      gateway.outageMs > 0 ? `${gateway.outageMs} ms (${options.studyOutageMs} ms study time)` : "none",
    ],
    ["gateway calls / charges", `${gateway.calls} / ${gateway.charges}`],
    ["time to empty queues", `${(report.settleMs / 1000).toFixed(1)} s after the first order`],
    ["total run time", `${(report.totalMs / 1000).toFixed(1)} s`],
  ];
  const lines = [
    `Chaos run (seed ${options.seed}, time scale ${options.timeScale})`,
    "",
    table(["what was done", ""], faults),
    "",
    table(
      ["check", "expected", "observed", ""],
      reconciliation.checks.map((check) => [check.name, check.expected, check.observed, check.ok ? "ok" : "FAIL"]),
    ),
  ];
  if (reconciliation.violations.length > 0) {
    lines.push("", `${reconciliation.violations.length} violation(s):`);
    for (const violation of reconciliation.violations) lines.push(`  - ${violation}`);
    if (reconciliation.heldClaimOrders.length > 0) {
      lines.push(
        "",
        `${reconciliation.heldClaimOrders.length} order(s) whose payment message the redrive policy dead-lettered while a claim held it:`,
        "the known bug of chaos/paymentAfterCrash.test.ts (a killed worker's idempotency claim outlives the redrive budget).",
      );
    }
  } else {
    lines.push("", "No violation.");
  }
  return lines.join("\n");
}

function percent(part: number, whole: number): string {
  return whole === 0 ? "0%" : `${((part / whole) * 100).toFixed(1)}%`;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}
