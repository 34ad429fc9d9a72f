/**
 * Applying snapshot work items, idempotently: an EBS snapshot the batch's lookup lists for this
 * policy, source and window is not taken again; RDS identifiers are deterministic, so AWS itself
 * refuses a second one. Rate and concurrency errors come back as `retry` (the queue redelivers
 * later); a full account quota fails the item at once, and the batch's later items under the same
 * quota fail without calling AWS (each call would only be refused again).
 */
import { EC2Client } from "@aws-sdk/client-ec2";
import { RDSClient } from "@aws-sdk/client-rds";
import type { AwsClients } from "../aws/clients.ts";
import { createEbsSnapshots } from "../aws/ec2.ts";
import { classifyAwsError, errorMessage, failureCode } from "../aws/errors.ts";
import { createDbSnapshot } from "../aws/rds.ts";
import type { Deadline } from "../deadline.ts";
import { type Pacer, type Sleeper, unpaced } from "../pacing.ts";
import { type SnapshotWorkItem, workItemSource } from "../snapshot/work-item.ts";
import type { ItemOutcome } from "./outcome.ts";
import {
  addLookups,
  groupKeyOf,
  isEbsItem,
  prepareSnapshotBatch,
  quotaKey,
  type SnapshotBatch,
} from "./snapshot-batch.ts";
import { snapshotQuotaOf } from "./snapshot-quotas.ts";
import { confirmSnapshotBatch } from "./snapshot-visibility.ts";

function errorOutcome(item: SnapshotWorkItem, error: unknown, batch: SnapshotBatch): ItemOutcome {
  const base = { key: item.key, snapshotIds: [] as string[] };
  switch (classifyAwsError(error)) {
    case "exists":
      return { ...base, status: "exists", code: "already-exists", detail: "already taken for this window" };
    case "gone":
      return {
        ...base,
        status: "skipped",
        code: "source-not-found",
        detail: `source ${workItemSource(item)} no longer exists`,
      };
    case "retry-later":
      return { ...base, status: "retry", code: "rate-limited", detail: errorMessage(error) };
    case "quota": {
      const quota = snapshotQuotaOf(item.kind);
      batch.quotaReached.set(quotaKey(quota, item.region), {
        quota,
        region: item.region,
        error: errorMessage(error),
        keys: [item.key],
        windows: [item.window],
      });
      return {
        ...base,
        status: "failed",
        code: "quota-exceeded",
        detail: `${quota.name} quota reached in ${item.region}: ${errorMessage(error)}`,
      };
    }
    default:
      return { ...base, status: "failed", code: failureCode(error), detail: errorMessage(error) };
  }
}

/** A second record of an item already applied in this batch: no second call, the first one's result. */
function duplicateOutcome(first: ItemOutcome): ItemOutcome {
  if (first.status === "created" || first.status === "exists")
    return {
      key: first.key,
      status: "exists",
      code: "already-exists",
      snapshotIds: first.snapshotIds,
      detail: `delivered twice in one batch: already taken${first.snapshotIds.length ? `: ${first.snapshotIds.join(", ")}` : ""}`,
    };
  return { ...first, detail: `delivered twice in one batch: ${first.detail}` };
}

async function applyOnce(
  clients: AwsClients,
  item: SnapshotWorkItem,
  pacer: Pacer,
  batch: SnapshotBatch,
): Promise<ItemOutcome> {
  const base = { key: item.key, snapshotIds: [] as string[] };
  const quota = snapshotQuotaOf(item.kind);
  const hit = batch.quotaReached.get(quotaKey(quota, item.region));
  if (hit) {
    hit.keys.push(item.key);
    if (!hit.windows.includes(item.window)) hit.windows.push(item.window);
    return {
      ...base,
      status: "failed",
      code: "quota-exceeded",
      detail: `not attempted: ${quota.name} quota reached in ${item.region} earlier in this batch`,
    };
  }
  try {
    if (isEbsItem(item)) {
      const groupKey = groupKeyOf(item);
      if (!batch.groups.has(groupKey)) await addLookups(clients, batch, [item], unpaced);
      const group = batch.groups.get(groupKey);
      if (group?.error !== undefined) throw group.error;
      const sourceId = workItemSource(item);
      const existing = (group?.listed.get(sourceId) ?? [])
        .filter((s) => s.state !== "failed")
        .map((s) => s.id);
      if (existing.length > 0)
        return {
          ...base,
          status: "exists",
          code: "already-exists",
          snapshotIds: existing,
          detail: `already taken: ${existing.join(", ")}`,
        };
      await pacer.take();
      const ids = await createEbsSnapshots(clients.get(EC2Client, item.region), item);
      batch.created.set(item.key, { groupKey, sourceId, snapshotIds: ids });
      return {
        ...base,
        status: "created",
        code: "created",
        snapshotIds: ids,
        detail: `created ${ids.join(", ")}`,
      };
    }
    await pacer.take();
    const id = await createDbSnapshot(clients.get(RDSClient, item.region), item);
    return { ...base, status: "created", code: "created", snapshotIds: [id], detail: `created ${id}` };
  } catch (error) {
    return errorOutcome(item, error, batch);
  }
}

/**
 * Applies one work item against a prepared batch (see prepareSnapshotBatch); without one, it makes
 * the item's own lookup first (one item, one DescribeSnapshots).
 * @example const outcome = await applySnapshotItem(clients, item, pacer, batch)
 */
export async function applySnapshotItem(
  clients: AwsClients,
  item: SnapshotWorkItem,
  pacer: Pacer,
  batch?: SnapshotBatch,
): Promise<ItemOutcome> {
  const b = batch ?? (await prepareSnapshotBatch(clients, [item]));
  const first = b.applied.get(item.key);
  if (first) return duplicateOutcome(first);
  const outcome = await applyOnce(clients, item, pacer, b);
  b.applied.set(item.key, outcome);
  return outcome;
}

export interface ApplySnapshotItemsOptions {
  /** Paces the idempotency lookups (EC2's non-mutating bucket); unpaced when omitted. */
  lookupPacer?: Pacer;
  /**
   * With a clock, creates are confirmed before returning: the lookup is re-run until it lists them
   * (see confirmSnapshotBatch); without one they are reported as created straight away.
   */
  clock?: Sleeper;
  /** Bounds the confirmation's waits (Lambda's remaining time). */
  deadline?: Deadline;
}

/**
 * Applies several items as one batch: one lookup per policy window, then each item in order. One
 * outcome per item, in the items' order.
 * @example const outcomes = await applySnapshotItems(clients, items, pacer, { clock })
 */
export async function applySnapshotItems(
  clients: AwsClients,
  items: SnapshotWorkItem[],
  pacer: Pacer,
  options: ApplySnapshotItemsOptions = {},
): Promise<ItemOutcome[]> {
  const lookupPacer = options.lookupPacer ?? unpaced;
  const batch = await prepareSnapshotBatch(clients, items, { lookupPacer });
  const outcomes: ItemOutcome[] = [];
  for (const item of items) outcomes.push(await applySnapshotItem(clients, item, pacer, batch));
  if (!options.clock) return outcomes;
  return confirmSnapshotBatch(clients, batch, outcomes, {
    clock: options.clock,
    lookupPacer,
    ...(options.deadline ? { deadline: options.deadline } : {}),
  });
}
