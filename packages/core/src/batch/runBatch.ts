/**
 * The work of one `processPartialBatch` call: workers over the records (or FIFO groups), the remaining-time
 * guard, and the failures. All state lives in the call, never on a shared object, so concurrent batches (several
 * invocations in one process, a consumer with several batches) cannot mix.
 */

import type { processPartialBatch } from "./processPartialBatch.js";
import { RecordNotStartedError, type RecordNotStartedReason } from "./RecordNotStartedError.js";

/** How {@link runBatch} runs a batch: `processPartialBatch`'s options, resolved and valid. */
export interface BatchPlan<R> {
  /** Most records (with `fifo: "group"`, groups) handled at once. */
  readonly concurrency: number;
  /** FIFO scope: stop the whole batch, or the failed record's group, at the first failure. */
  readonly fifo?: "batch" | "group" | false | undefined;
  /** The message group of a record, for `fifo: "group"`. */
  readonly getGroupId?: ((record: R) => string | undefined) | undefined;
  /** Checked before starting each record: a remaining-time guard. */
  readonly canStart?: (() => boolean) | undefined;
  /** Called once per failed record; what it throws is ignored. */
  readonly onFailure?: ((record: R, error: unknown) => void) | undefined;
}

/**
 * The engine of {@link processPartialBatch}, for adapters that validate their options once, at construction:
 * runs `handler` over `records` as `plan` says, without checking its arguments, and resolves with the indices
 * of the failed records (handler errors, records not started), in record order. Never rejects for a handler.
 */
export async function runBatch<R>(
  records: readonly R[],
  handler: (record: R, index: number) => Promise<unknown>,
  plan: BatchPlan<R>,
): Promise<number[]> {
  const { fifo, canStart, onFailure } = plan;
  // FIFO scope "batch" is one group of every record, run by one worker.
  const groups =
    fifo === "batch"
      ? [records.map((_, index) => index)]
      : fifo === "group"
        ? groupsOf(records, plan.getGroupId!)
        : undefined;
  const stopped = `fifo-${fifo}-stopped` as RecordNotStartedReason;
  const failed: number[] = [];
  let next = 0;
  let outOfTime = false;
  let outOfTimeCause: unknown;

  const recordFailure = (index: number, error: unknown): void => {
    failed.push(index);
    try {
      onFailure?.(records[index] as R, error);
    } catch {
      // A failing log call must not turn into a failed batch; the record is reported either way.
    }
  };

  // The remaining-time guard; once it says no (or throws), it is not asked again: time only runs out.
  const mayStart = (): boolean => {
    if (!outOfTime && canStart !== undefined) {
      try {
        outOfTime = !canStart();
      } catch (error) {
        outOfTime = true;
        outOfTimeCause = error;
      }
    }
    return !outOfTime;
  };

  const notStarted = (index: number, reason: RecordNotStartedReason): void => {
    const cause = reason === "out-of-time" ? outOfTimeCause : undefined;
    recordFailure(index, new RecordNotStartedError(reason, cause === undefined ? undefined : { cause }));
  };

  const takeIndices = async (): Promise<void> => {
    while (next < records.length) {
      const index = next++;
      if (!mayStart()) {
        notStarted(index, "out-of-time");
        continue;
      }
      // The hot path: try/catch inline in the worker's frame, no per-record closure or extra promise.
      try {
        await handler(records[index] as R, index);
      } catch (error) {
        recordFailure(index, error);
      }
    }
  };

  const takeGroups = async (groups: readonly (readonly number[])[]): Promise<void> => {
    while (next < groups.length) {
      let groupFailed = false;
      for (const index of groups[next++] as readonly number[]) {
        if (groupFailed) notStarted(index, stopped);
        else if (!mayStart()) notStarted(index, "out-of-time");
        else {
          try {
            await handler(records[index] as R, index);
          } catch (error) {
            recordFailure(index, error);
            groupFailed = true;
          }
        }
      }
    }
  };

  const work = groups === undefined ? takeIndices : () => takeGroups(groups);
  const workers = Math.min(fifo === "batch" ? 1 : plan.concurrency, (groups ?? records).length);
  if (workers === 1) await work();
  else {
    const running: Promise<void>[] = [];
    for (let w = 0; w < workers; w++) running.push(work());
    await Promise.all(running);
  }
  // Records finish in any order under concurrency.
  return failed.sort((a, b) => a - b);
}

/** Record indices by message group, groups in order of first appearance; no group id: a group of its own. */
function groupsOf<R>(records: readonly R[], getGroupId: (record: R) => string | undefined): number[][] {
  const groups: number[][] = [];
  const byId = new Map<string, number[]>();
  records.forEach((record, index) => {
    const groupId = getGroupId(record);
    const group = groupId === undefined ? undefined : byId.get(groupId);
    if (group !== undefined) group.push(index);
    else {
      const created = [index];
      if (groupId !== undefined) byId.set(groupId, created);
      groups.push(created);
    }
  });
  return groups;
}
