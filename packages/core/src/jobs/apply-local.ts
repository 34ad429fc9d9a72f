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
 * The rounds both appliers share: apply `pending` in chunks of `size` (one list of outcomes per
 * item), keep the items that came back `retry` for the next round, after a wait.
 */
async function inRounds<T>(
  items: T[],
  size: number,
  applyChunk: (chunk: T[]) => Promise<ItemOutcome[][]>,
  options: ApplyLocalOptions,
): Promise<ItemOutcome[]> {
  const final: ItemOutcome[] = [];
  let pending = items;
  const rounds = options.retryRounds ?? 4;
  let done = 0;
  for (let round = 0; round <= rounds && pending.length > 0; round++) {
    if (round > 0) await options.clock.sleep(options.retryWaitMs ?? 15_000);
    const again: T[] = [];
    for (let i = 0; i < pending.length; i += size) {
      const chunk = pending.slice(i, i + size);
      const results = await applyChunk(chunk);
      chunk.forEach((item, j) => {
        const outcomes = results[j] ?? [];
        if (outcomes.some((o) => o.status === "retry") && round < rounds) again.push(item);
        else {
          final.push(...outcomes);
          done += 1;
        }
      });
      options.onProgress?.(done, items.length, results.flat());
    }
    pending = again;
  }
  return final;
}

/**
 * One item at a time; an item's outcomes (a delete batch has one per snapshot) are retried together.
 * @example const outcomes = await applyLocally(items, (i) => applyDeleteItem(clients, i, pacer), { clock })
 */
export function applyLocally<T>(
  items: T[],
  apply: (item: T) => Promise<ItemOutcome[]>,
  options: ApplyLocalOptions,
): Promise<ItemOutcome[]> {
  return inRounds(items, 1, async ([item]) => (item === undefined ? [] : [await apply(item)]), options);
}

/**
 * For appliers that work on a batch at once (one idempotency lookup per batch, as the snapshot
 * worker does): `applyBatch` returns one outcome per item, in order. Only the items that came back
 * `retry` are applied again in later rounds, so an item created in a batch is never re-applied
 * because a neighbour was throttled.
 * @example await applyBatchesLocally(items, (batch) => applySnapshotItems(clients, batch, pacer, { clock }), { clock })
 */
export function applyBatchesLocally<T>(
  items: T[],
  applyBatch: (batch: T[]) => Promise<ItemOutcome[]>,
  options: ApplyLocalOptions & { batchSize?: number },
): Promise<ItemOutcome[]> {
  return inRounds(
    items,
    options.batchSize ?? 100,
    async (batch) => (await applyBatch(batch)).map((o) => [o]),
    options,
  );
}
