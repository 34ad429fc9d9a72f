/**
 * What a batch of snapshot work items knows before (and while) it applies them. The idempotency
 * check asks AWS which window snapshots exist; asking once per item costs one DescribeSnapshots per
 * volume (10,000 extra calls a window at 10,000 volumes), so a batch asks once per policy window
 * for all its sources, and every item is then applied against that answer.
 */
import { EC2Client } from "@aws-sdk/client-ec2";
import type { AwsClients } from "../aws/clients.ts";
import { findWindowSnapshots, type WindowLookup, type WindowSnapshot } from "../aws/ec2.ts";
import { type Pacer, unpaced } from "../pacing.ts";
import { type SnapshotWorkItem, workItemSource } from "../snapshot/work-item.ts";
import { Tag } from "../tags.ts";
import type { ItemOutcome } from "./outcome.ts";
import type { SnapshotQuota } from "./snapshot-quotas.ts";

/** One lookup: the EBS items of one Region, policy and window. */
export interface LookupGroup {
  region: string;
  lookup: WindowLookup;
  /** Source id → the window's snapshots AWS listed (failed ones included, with their state). */
  listed: Map<string, WindowSnapshot[]>;
  /** Set when the lookup failed: its items are not applied blind, they take the error's outcome. */
  error?: unknown;
}

/** A quota one item of the batch ran into: later items under it fail without calling AWS. */
export interface QuotaHit {
  quota: SnapshotQuota;
  region: string;
  /** What AWS said, for the alert. */
  error: string;
  /** The items failed against it, the one that called AWS first. */
  keys: string[];
  /** Their windows, for re-taking them once the quota is raised. */
  windows: string[];
}

/** A snapshot this batch created, waiting to be listed by the idempotency lookup. */
export interface CreatedSnapshots {
  groupKey: string;
  sourceId: string;
  snapshotIds: string[];
}

export interface SnapshotBatch {
  /** Lookups by `groupKeyOf`. */
  groups: Map<string, LookupGroup>;
  /** Outcome by item key: a second record of the same item (FIFO may deliver both) is not applied again. */
  applied: Map<string, ItemOutcome>;
  /** EBS creates of this batch by item key, for confirming that the lookup lists them. */
  created: Map<string, CreatedSnapshots>;
  /** Quotas reached, by `quotaKey`. */
  quotaReached: Map<string, QuotaHit>;
}

/**
 * Volumes and instance sets: the items the idempotency lookup covers.
 * @example items.filter(isEbsItem)
 */
export function isEbsItem(
  item: SnapshotWorkItem,
): item is Extract<SnapshotWorkItem, { kind: "ebs-volume" | "ec2-instance" }> {
  return item.kind === "ebs-volume" || item.kind === "ec2-instance";
}

/** Instance sets are found by their instance tag, volumes by their source tag. */
function sourceTagOf(item: SnapshotWorkItem): WindowLookup["sourceTag"] {
  return item.kind === "ec2-instance" ? Tag.instance : Tag.source;
}

/**
 * The lookup an item belongs to: its Region, policy, window and source tag.
 * @example batch.groups.get(groupKeyOf(item))
 */
export function groupKeyOf(item: SnapshotWorkItem): string {
  return JSON.stringify([item.region, item.policy, item.window, sourceTagOf(item)]);
}

/**
 * Quotas are per account and Region.
 * @example batch.quotaReached.get(quotaKey(SnapshotQuotas.ebs, "us-west-2"))
 */
export function quotaKey(quota: SnapshotQuota, region: string): string {
  return `${quota.id}:${region}`;
}

/**
 * Runs (or re-runs) a group's lookup for some of its sources; AWS errors are returned, not thrown.
 * @example const result = await listWindowSnapshots(clients, group, ["vol-0123456789abcdef0"], unpaced)
 */
export async function listWindowSnapshots(
  clients: AwsClients,
  group: Pick<LookupGroup, "region" | "lookup">,
  sourceIds: string[],
  lookupPacer: Pacer,
): Promise<{ listed: Map<string, WindowSnapshot[]> } | { error: unknown }> {
  try {
    await lookupPacer.take();
    const ec2 = clients.get(EC2Client, group.region);
    return { listed: await findWindowSnapshots(ec2, { ...group.lookup, sourceIds }) };
  } catch (error) {
    return { error };
  }
}

/**
 * Groups the batch's EBS items by Region, policy and window and makes one lookup per group (up to
 * 200 sources per call). RDS items need none: their identifiers are deterministic, so RDS itself
 * refuses a second snapshot.
 * @example const batch = await prepareSnapshotBatch(clients, items); for (const i of items) await applySnapshotItem(clients, i, pacer, batch)
 */
export async function prepareSnapshotBatch(
  clients: AwsClients,
  items: SnapshotWorkItem[],
  options: { lookupPacer?: Pacer } = {},
): Promise<SnapshotBatch> {
  const batch: SnapshotBatch = {
    groups: new Map(),
    applied: new Map(),
    created: new Map(),
    quotaReached: new Map(),
  };
  await addLookups(clients, batch, items, options.lookupPacer ?? unpaced);
  return batch;
}

/**
 * Looks up the groups of `items` the batch does not know yet.
 * @example await addLookups(clients, batch, [item], unpaced)
 */
export async function addLookups(
  clients: AwsClients,
  batch: SnapshotBatch,
  items: SnapshotWorkItem[],
  lookupPacer: Pacer,
): Promise<void> {
  const sources = new Map<string, { group: Omit<LookupGroup, "listed">; ids: string[] }>();
  for (const item of items) {
    const key = groupKeyOf(item);
    if (!isEbsItem(item) || batch.groups.has(key)) continue;
    const entry = sources.get(key) ?? {
      group: {
        region: item.region,
        lookup: { policy: item.policy, window: item.window, sourceTag: sourceTagOf(item), sourceIds: [] },
      },
      ids: [],
    };
    entry.ids.push(workItemSource(item));
    sources.set(key, entry);
  }
  for (const [key, { group, ids }] of sources) {
    const lookup = { ...group.lookup, sourceIds: [...new Set(ids)] };
    const result = await listWindowSnapshots(clients, group, lookup.sourceIds, lookupPacer);
    batch.groups.set(
      key,
      "error" in result
        ? { region: group.region, lookup, listed: new Map(), error: result.error }
        : { region: group.region, lookup, listed: result.listed },
    );
  }
}
