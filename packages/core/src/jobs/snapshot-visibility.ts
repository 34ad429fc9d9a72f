/**
 * EC2's Describe* calls are eventually consistent: a snapshot created seconds ago can be missing
 * from DescribeSnapshots, and the idempotency check relies on that very lookup. What keeps a
 * duplicate from slipping through is the queue: duplicates of one work item share its key, hence its
 * FIFO message group, and SQS FIFO delivers a group's next message only after the one in flight is
 * deleted. So a create is acknowledged (its message deleted) only once the lookup lists it; until
 * then no duplicate of it can be delivered. A create still unlisted after a short backoff is handed
 * back (code `not-yet-visible`: neither a failure nor alerted), and its redelivery after the
 * visibility timeout (30 minutes) finds the snapshot and reports it as existing: no second create.
 */
import type { AwsClients } from "../aws/clients.ts";
import type { Deadline } from "../deadline.ts";
import { type Pacer, type Sleeper, unpaced } from "../pacing.ts";
import type { ItemOutcome } from "./outcome.ts";
import { type CreatedSnapshots, listWindowSnapshots, type SnapshotBatch } from "./snapshot-batch.ts";

/** Backoff 1 s, 2 s, 4 s, 8 s, then what is left of 20 s: AWS usually lists a snapshot within seconds. */
const FIRST_WAIT_MS = 1_000;
export const CONFIRM_WAIT_MS = 20_000;

export interface ConfirmOptions {
  clock: Sleeper;
  /** No wait runs past it (Lambda's remaining time, net of a margin). */
  deadline?: Deadline;
  lookupPacer?: Pacer;
  /** Total backoff before giving up (default 20 s). */
  maxWaitMs?: number;
}

/** Re-runs the lookups for the creates not yet listed; returns the item keys now listed. */
async function listedNow(
  clients: AwsClients,
  batch: SnapshotBatch,
  pending: Map<string, CreatedSnapshots>,
  lookupPacer: Pacer,
): Promise<string[]> {
  const byGroup = new Map<string, [string, CreatedSnapshots][]>();
  for (const entry of pending)
    byGroup.set(entry[1].groupKey, [...(byGroup.get(entry[1].groupKey) ?? []), entry]);
  const listed: string[] = [];
  for (const [groupKey, entries] of byGroup) {
    const group = batch.groups.get(groupKey);
    if (!group) continue;
    const sources = [...new Set(entries.map(([, c]) => c.sourceId))];
    // A failed lookup confirms nothing this round; the next round (or the redelivery) asks again.
    const result = await listWindowSnapshots(clients, group, sources, lookupPacer);
    if ("error" in result) continue;
    for (const [key, created] of entries) {
      const ids = new Set((result.listed.get(created.sourceId) ?? []).map((s) => s.id));
      if (created.snapshotIds.every((id) => ids.has(id))) listed.push(key);
    }
  }
  return listed;
}

/**
 * After a batch's creates: re-runs its lookup (paced, backing off) until every snapshot it created
 * is listed, and turns the creates still unlisted into `not-yet-visible` outcomes, which the worker
 * hands back to the queue. Returns the outcomes in the same order.
 * @example const confirmed = await confirmSnapshotBatch(clients, batch, outcomes, { clock, deadline })
 */
export async function confirmSnapshotBatch(
  clients: AwsClients,
  batch: SnapshotBatch,
  outcomes: ItemOutcome[],
  options: ConfirmOptions,
): Promise<ItemOutcome[]> {
  const pending = new Map<string, CreatedSnapshots>();
  for (const o of outcomes) {
    const created = batch.created.get(o.key);
    if (created && o.status === "created" && o.code === "created") pending.set(o.key, created);
  }
  const lookupPacer = options.lookupPacer ?? unpaced;
  const maxWaitMs = options.maxWaitMs ?? CONFIRM_WAIT_MS;
  const hasTime = (ms: number) => options.deadline === undefined || options.deadline.remainingMs() > ms;
  let waited = 0;
  let wait = FIRST_WAIT_MS;
  while (pending.size > 0 && hasTime(0)) {
    for (const key of await listedNow(clients, batch, pending, lookupPacer)) pending.delete(key);
    const next = Math.min(wait, maxWaitMs - waited);
    if (pending.size === 0 || next <= 0 || !hasTime(next)) break;
    await options.clock.sleep(next);
    waited += next;
    wait *= 2;
  }
  return outcomes.map((o) =>
    pending.has(o.key) && o.status === "created" && o.code === "created"
      ? {
          ...o,
          code: "not-yet-visible",
          detail: `created ${o.snapshotIds.join(", ")}, not yet listed by DescribeSnapshots after ${Math.round(waited / 1000)} s: handed back so its redelivery confirms it (no second snapshot)`,
        }
      : o,
  );
}
