/**
 * Applies work items in this process (the CLI's `run`), with what SQS gives the Lambdas: items that
 * hit a rate or quota limit are retried in later rounds after a wait (15 s covers EBS's per-volume
 * snapshot rate), and progress is reported as items finish.
 */
import type { Sleeper } from "../pacing.ts";
import type { ItemOutcome } from "./outcome.ts";

export interface ApplyLocalOptions {
  clock: Sleeper;
  /** Rounds after the first for items that came back `retry`. */
  retryRounds?: number;
  retryWaitMs?: number;
  onProgress?: (done: number, total: number, last: ItemOutcome[]) => void;
}

/**
 * @example const outcomes = await applyLocally(items, (i) => applyDeleteItem(clients, i, pacer), { clock })
 */
export async function applyLocally<T>(
  items: T[],
  apply: (item: T) => Promise<ItemOutcome[]>,
  options: ApplyLocalOptions,
): Promise<ItemOutcome[]> {
  const final: ItemOutcome[] = [];
  let pending = items;
  const rounds = options.retryRounds ?? 4;
  let done = 0;
  for (let round = 0; round <= rounds && pending.length > 0; round++) {
    if (round > 0) await options.clock.sleep(options.retryWaitMs ?? 15_000);
    const again: T[] = [];
    for (const item of pending) {
      const outcomes = await apply(item);
      const retry = outcomes.some((o) => o.status === "retry");
      if (retry && round < rounds) again.push(item);
      else {
        final.push(...outcomes);
        done += 1;
      }
      options.onProgress?.(done, items.length, outcomes);
    }
    pending = again;
  }
  return final;
}
