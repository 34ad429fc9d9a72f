import { type LocalStorage, localStorageFloor } from "../capacity/placement.ts";
import type { Config, Policy } from "../config/schema.ts";
import type { Instance, Resource, Volume } from "../inventory.ts";
import type { ReasonCode } from "../reasons.ts";
import { DEFAULT_LOOKBACK_MS, type DueSchedule, dueSchedule } from "../schedule/due.ts";
import { MANAGED_VALUE, TAG_PREFIX, Tag, type Tags } from "../tags.ts";
import { windowId } from "../time.ts";
import { rdsSnapshotId, workItemKey } from "./names.ts";
import { compileSelector, resourceId, tagValueMatcher } from "./select.ts";
import type { SnapshotWorkItem, TagPair } from "./work-item.ts";

/**
 * The snapshot planner: inventory + policy + time in, a plan out, every decision with its reason.
 * Pure (no clock, no I/O): the executor applies the items, dry-run prints them.
 *
 * Decisions worth knowing:
 * - Which schedule and window: see `dueSchedule` (time alone decides, so duplicate runs plan the same items).
 * - Tags at creation: ours (managed, policy, schedule, source, window, + instance for instance items)
 *   always win. `copySourceTags` copies the source's tags except `aws:`/`rds:` keys (AWS refuses them)
 *   and our own prefix (a source must not forge our bookkeeping). For ec2-instance policies the
 *   INSTANCE's tags are copied into `tags` (applied to every snapshot of the set), and
 *   `copyTagsFromVolumes` is set when `copySourceTags === true`, so each snapshot also carries its
 *   volume's tags (AWS cannot copy only listed keys from volumes, so a key list copies none).
 * - AWS allows 50 tags per resource. Copied tags beyond the room left by ours are dropped (a key list
 *   keeps its listed order, `true` keeps keys in sorted order); for instance items the room also reserves
 *   the largest volume tag count when volume tags are copied, and volume copying is turned off when a
 *   volume alone would overflow, or carries `outpost-ops:` tags. Every such decision is recorded in the
 *   item's description (EBS items) and in `plan.notes` (all kinds; RDS items have no description).
 * - Local placement reacts to capacity (capacity/placement.ts): on an Outpost whose local snapshot
 *   storage (`localStorage`) is below the floor, `residency: "flexible"` items go to the Region with a
 *   `local-storage-low` note, `strict` ones stay local with `local-storage-low-strict`.
 */

export interface SnapshotPlanInput {
  config: Config;
  policy: Policy;
  region: string;
  resources: Resource[];
  now: Date;
  /** How late a scheduled delivery may be and still count (default 5 minutes). */
  lookbackMs?: number;
  /**
   * S3 on Outposts storage per Outpost ARN, read once per run when a due policy places on an
   * Outpost; an Outpost absent here (no metric) keeps local placement.
   */
  localStorage?: ReadonlyMap<string, LocalStorage>;
}

export interface SkippedResource {
  resourceId: string;
  code: ReasonCode;
  reason: string;
}

export interface SnapshotPlan {
  policy: string;
  region: string;
  at: Date;
  due?: DueSchedule;
  /** `due`, or `not-due` when no schedule of the policy fires at `at` (nothing is evaluated then). */
  code: "due" | "not-due";
  reason: string;
  /** Resources that passed selection (0 when nothing is due: nothing is evaluated then). */
  selected: number;
  /** Sorted by source id. */
  items: SnapshotWorkItem[];
  /** Every resource given that gets no item, with why; sorted by resource id. */
  skipped: SkippedResource[];
  /**
   * Resources planned with a caveat (copied tags dropped at the 50-tag limit, volume tags not copied,
   * a regional snapshot instead of a local one); a resource may have one per code.
   */
  notes: SkippedResource[];
}

/** AWS's limit on tags per EC2 or RDS resource. */
export const MAX_TAGS = 50;
const MAX_EBS_DESCRIPTION = 255;

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const byResourceId = (a: SkippedResource, b: SkippedResource) =>
  a.resourceId < b.resourceId ? -1 : a.resourceId > b.resourceId ? 1 : 0;

function isReservedKey(key: string, rds: boolean): boolean {
  return key.startsWith("aws:") || key.startsWith(TAG_PREFIX) || (rds && key.startsWith("rds:"));
}

/** The source tags `copySourceTags` asks for, in priority order (dropped from the end at the limit). */
function tagsToCopy(policy: Policy, tags: Tags, rds: boolean): TagPair[] {
  const setting = policy.copySourceTags;
  if (setting === false) return [];
  const keys = setting === true ? Object.keys(tags).sort() : [...new Set(setting)];
  const out: TagPair[] = [];
  for (const key of keys) {
    const value = tags[key];
    if (value !== undefined && !isReservedKey(key, rds)) out.push({ Key: key, Value: value });
  }
  return out;
}

/** Ours first, then as many copied tags as fit; returns the note when some were dropped. */
function withCopied(ours: TagPair[], copied: TagPair[], reserved = 0): { tags: TagPair[]; note?: Note } {
  const room = Math.max(0, MAX_TAGS - ours.length - reserved);
  if (copied.length <= room) return { tags: [...ours, ...copied] };
  const dropped = copied.slice(room).map((t) => t.Key);
  return {
    tags: [...ours, ...copied.slice(0, room)],
    note: {
      code: "tags-dropped",
      reason: `${dropped.length} source tag(s) not copied (AWS allows ${MAX_TAGS} tags): ${dropped.join(", ")}`,
    },
  };
}

function outpostLabel(config: Config, arn: string): string {
  return config.outposts.find((o) => o.arn === arn)?.name ?? arn.slice(arn.lastIndexOf("/") + 1);
}

function bootVolume(instance: Instance): Volume | undefined {
  const root = instance.rootDeviceName;
  if (root === undefined) return undefined;
  return instance.volumes.find((v) =>
    v.attachments.some(
      (a) => a.device === root && (a.instanceId === instance.id || v.attachments.length === 1),
    ),
  );
}

const UNSNAPSHOTTABLE_STATES = new Set(["shutting-down", "terminated"]);

interface Context {
  config: Config;
  policy: Policy;
  region: string;
  scheduleName: string;
  window: string;
  localStorage?: ReadonlyMap<string, LocalStorage>;
}

/** A caveat or a skip: its code, and the sentence that says which resource and why. */
interface Note {
  code: ReasonCode;
  reason: string;
}

type Outcome = { item: SnapshotWorkItem; notes: Note[] } | { skip: Note };

const skip = (code: ReasonCode, reason: string): Outcome => ({ skip: { code, reason } });

function baseTags(ctx: Context, sourceId: string): TagPair[] {
  return [
    { Key: Tag.managed, Value: MANAGED_VALUE },
    { Key: Tag.policy, Value: ctx.policy.name },
    { Key: Tag.schedule, Value: ctx.scheduleName },
    { Key: Tag.source, Value: sourceId },
    { Key: Tag.window, Value: ctx.window },
  ];
}

function describe(ctx: Context, what: string, notes: string[]): string {
  const text = [`outpost-ops ${ctx.scheduleName} snapshot of ${what} (window ${ctx.window})`, ...notes].join(
    "; ",
  );
  return text.length > MAX_EBS_DESCRIPTION ? `${text.slice(0, MAX_EBS_DESCRIPTION - 1)}…` : text;
}

/**
 * Where an EBS snapshot goes; the description note says which when the policy asks for Outposts, and
 * `planNote` is the plan's note when the Outpost's storage is below the floor.
 */
function placement(
  ctx: Context,
  outpostArn: string | undefined,
): { outpostArn?: string; note?: string; planNote?: Note } {
  if (ctx.policy.placement !== "outpost") return {};
  if (outpostArn === undefined)
    return { note: "regional snapshot: the source is in the Region, not on an Outpost" };
  const outpost = outpostLabel(ctx.config, outpostArn);
  const storage = ctx.localStorage?.get(outpostArn);
  const decision = localStorageFloor(ctx.config, ctx.policy, storage && { ...storage, outpost });
  if (!decision.local) return { note: decision.note.reason, planNote: decision.note };
  if (decision.note) return { outpostArn, note: decision.note.reason, planNote: decision.note };
  return { outpostArn, note: `local snapshot on Outpost ${outpost}` };
}

function planVolume(ctx: Context, volume: Volume): Outcome {
  const where = placement(ctx, volume.outpostArn);
  const { tags, note } = withCopied(baseTags(ctx, volume.id), tagsToCopy(ctx.policy, volume.tags, false));
  const notes = [where.note, note?.reason].filter((n): n is string => n !== undefined);
  const item: SnapshotWorkItem = {
    kind: "ebs-volume",
    region: ctx.region,
    policy: ctx.policy.name,
    schedule: ctx.scheduleName,
    window: ctx.window,
    key: workItemKey(ctx.policy.name, volume.id, ctx.window),
    tags,
    volumeId: volume.id,
    description: describe(ctx, volume.id, notes),
    ...(where.outpostArn === undefined ? {} : { outpostArn: where.outpostArn }),
  };
  return { item, notes: [where.planNote, note].filter((n): n is Note => n !== undefined) };
}

function planInstance(ctx: Context, instance: Instance): Outcome {
  if (UNSNAPSHOTTABLE_STATES.has(instance.state))
    return skip("instance-state", `instance is ${instance.state}`);
  if (instance.volumes.length === 0) return skip("no-volumes", "no attached EBS volumes");

  const exclude = ctx.policy.exclude ?? {};
  const boot = bootVolume(instance);
  const excludeBootVolume = exclude.bootVolume === true;
  const volumeTagRules = Object.entries(exclude.volumeTags ?? {}).map(([key, value]) => ({
    key,
    value,
    matches: tagValueMatcher(value),
  }));
  const excludedTypes = new Set<string>(exclude.volumeTypes ?? []);
  const why = new Map<string, string>();
  for (const volume of [...instance.volumes].sort(byId)) {
    if (volume === boot) {
      if (excludeBootVolume) why.set(volume.id, "boot volume");
      continue;
    }
    if (excludedTypes.has(volume.type)) {
      why.set(volume.id, `type ${volume.type}`);
      continue;
    }
    const rule = volumeTagRules.find((r) => {
      const v = volume.tags[r.key];
      return v !== undefined && r.matches(v);
    });
    if (rule) why.set(volume.id, `tag ${rule.key}=${volume.tags[rule.key]}`);
  }
  const included = instance.volumes.filter((v) => !why.has(v.id)).sort(byId);
  // Without a known root device every volume counts as a data volume (AWS still honours ExcludeBootVolume).
  if (included.length === 0) {
    return skip(
      "all-volumes-excluded",
      `every volume is excluded: ${[...why].map(([id, reason]) => `${id} (${reason})`).join(", ")}`,
    );
  }
  const excludeDataVolumeIds = [...why.keys()].filter((id) => id !== boot?.id);

  const notes: Note[] = [];
  let copyTagsFromVolumes = ctx.policy.copySourceTags === true;
  const ours = [...baseTags(ctx, instance.id), { Key: Tag.instance, Value: instance.id }];
  let reserved = 0;
  if (copyTagsFromVolumes) {
    const forged = included.find((v) => Object.keys(v.tags).some((k) => k.startsWith(TAG_PREFIX)));
    const counts = included.map((v) => ({
      id: v.id,
      n: Object.keys(v.tags).filter((k) => !k.startsWith("aws:")).length,
    }));
    const largest = counts.reduce((a, b) => (b.n > a.n ? b : a));
    if (forged) {
      copyTagsFromVolumes = false;
      notes.push({
        code: "volume-tags-not-copied",
        reason: `volume tags not copied: ${forged.id} carries ${TAG_PREFIX} tags`,
      });
    } else if (ours.length + largest.n > MAX_TAGS) {
      copyTagsFromVolumes = false;
      notes.push({
        code: "volume-tags-not-copied",
        reason: `volume tags not copied: ${largest.id} has ${largest.n}, over AWS's ${MAX_TAGS}-tag limit with ours`,
      });
    } else {
      reserved = largest.n;
    }
  }
  const copied = withCopied(ours, tagsToCopy(ctx.policy, instance.tags, false), reserved);
  if (copied.note) notes.push(copied.note);

  const where = placement(ctx, instance.outpostArn);
  const describeNotes = [where.note, ...notes.map((n) => n.reason)].filter(
    (n): n is string => n !== undefined,
  );
  const item: SnapshotWorkItem = {
    kind: "ec2-instance",
    region: ctx.region,
    policy: ctx.policy.name,
    schedule: ctx.scheduleName,
    window: ctx.window,
    key: workItemKey(ctx.policy.name, instance.id, ctx.window),
    tags: copied.tags,
    instanceId: instance.id,
    description: describe(ctx, `instance ${instance.id} (crash-consistent)`, describeNotes),
    excludeBootVolume,
    excludeDataVolumeIds,
    copyTagsFromVolumes,
    ...(where.outpostArn === undefined ? {} : { outpostArn: where.outpostArn }),
  };
  const [first] = notes;
  const tagNote = first && { code: first.code, reason: notes.map((n) => n.reason).join("; ") };
  return { item, notes: [where.planNote, tagNote].filter((n): n is Note => n !== undefined) };
}

function planDatabase(
  ctx: Context,
  resource: Resource & { kind: "rds-instance" | "aurora-cluster" },
): Outcome {
  if (resource.kind === "rds-instance" && resource.db.clusterId !== undefined) {
    return skip(
      "aurora-member",
      `member of Aurora cluster ${resource.db.clusterId}: snapshotted by aurora-cluster policies`,
    );
  }
  const source = resource.kind === "rds-instance" ? resource.db : resource.cluster;
  if (source.status !== "available")
    return skip("db-not-available", `status ${source.status}, not available`);
  const { tags, note } = withCopied(baseTags(ctx, source.id), tagsToCopy(ctx.policy, source.tags, true));
  const common = {
    region: ctx.region,
    policy: ctx.policy.name,
    schedule: ctx.scheduleName,
    window: ctx.window,
    key: workItemKey(ctx.policy.name, source.id, ctx.window),
    tags,
    snapshotId: rdsSnapshotId(ctx.policy.name, source.id, ctx.window),
  };
  const item: SnapshotWorkItem =
    resource.kind === "rds-instance"
      ? { kind: "rds-instance", ...common, dbInstanceId: source.id }
      : { kind: "aurora-cluster", ...common, clusterId: source.id };
  return { item, notes: note === undefined ? [] : [note] };
}

function planOne(ctx: Context, resource: Resource): Outcome {
  switch (resource.kind) {
    case "ebs-volume":
      return planVolume(ctx, resource.volume);
    case "ec2-instance":
      return planInstance(ctx, resource.instance);
    case "rds-instance":
    case "aurora-cluster":
      return planDatabase(ctx, resource);
  }
}

/**
 * Plans one policy's snapshots in one Region at `now`.
 * @example planSnapshots({ config, policy, region: "us-west-2", resources, now: new Date(event.time) })
 */
export function planSnapshots(input: SnapshotPlanInput): SnapshotPlan {
  const { config, policy, region, resources, now } = input;
  const lookbackMs = input.lookbackMs ?? DEFAULT_LOOKBACK_MS;
  const due = dueSchedule(policy, now, lookbackMs);
  if (!due) {
    return {
      policy: policy.name,
      region,
      at: now,
      code: "not-due",
      reason: `no schedule of ${policy.name} fires at ${windowId(now)} (or in the ${Math.round(lookbackMs / 60_000)} min before)`,
      selected: 0,
      items: [],
      skipped: [],
      notes: [],
    };
  }

  const ctx: Context = {
    config,
    policy,
    region,
    scheduleName: due.schedule.name,
    window: windowId(due.window),
    ...(input.localStorage ? { localStorage: input.localStorage } : {}),
  };
  const select = compileSelector(config, policy);
  const items: { id: string; item: SnapshotWorkItem }[] = [];
  const skipped: SkippedResource[] = [];
  const notes: SkippedResource[] = [];
  const seen = new Set<string>();
  let selected = 0;
  for (const resource of resources) {
    const id = resourceId(resource);
    if (seen.has(id)) {
      skipped.push({
        resourceId: id,
        code: "listed-twice",
        reason: "listed twice in the inventory: planned once",
      });
      continue;
    }
    seen.add(id);
    const unselected = select(resource);
    if (unselected !== undefined) {
      skipped.push({ resourceId: id, ...unselected });
      continue;
    }
    selected++;
    const outcome = planOne(ctx, resource);
    if ("skip" in outcome) {
      skipped.push({ resourceId: id, ...outcome.skip });
      continue;
    }
    items.push({ id, item: outcome.item });
    for (const note of outcome.notes) notes.push({ resourceId: id, ...note });
  }
  items.sort(byId);
  skipped.sort(byResourceId);
  notes.sort(byResourceId);

  const reason = `${due.reason}: ${items.length} snapshot(s) planned of ${selected} selected, ${skipped.length} skipped`;
  return {
    policy: policy.name,
    region,
    at: now,
    due,
    code: "due",
    reason,
    selected,
    items: items.map((i) => i.item),
    skipped,
    notes,
  };
}
