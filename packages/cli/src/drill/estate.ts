/**
 * The drill's estate, derived from the config so that every policy selects something: per policy a
 * few matching resources and one that does not match, plus the things retention must never delete
 * (an unmanaged snapshot, one an AMI uses, one on legal hold, one AWS Backup owns). A policy whose
 * resource kind and selector repeat an earlier policy's (line-volumes-dr: the regional twin of an
 * Outpost-placed policy) protects the same resources, not new ones.
 *
 * In the DR Region: the copy policies' KMS keys, and snapshots DR retention must leave alone (one
 * made by hand, one someone copied there without our tags). With `failover`: the hosted zone, its
 * records at the primary site and the health checks (failover-estate.ts).
 */
import { type Config, destinationsOf, type Policy } from "@outpost-ops/core/config";
import type { Estate } from "@outpost-ops/sandbox";
import { OUTPOST_INSTANCE_TYPES } from "./capacity-estate.ts";
import { type FailoverEstate, failoverEstate } from "./failover-estate.ts";

export interface DrillEstate {
  estate: Estate;
  /** Resources each policy should protect: policy name → source ids. */
  protectedSources: Map<string, string[]>;
  /** Snapshot ids that must survive the drill, with why. */
  untouchable: Map<string, string>;
  /** The same in the DR Region (regions.dr). */
  drUntouchable: Map<string, string>;
  /** Another team's snapshots in the primary Region, which it copies to DR (drill.ts, the copy outage). */
  migrationSnapshots: string[];
  /** The zone, records, health checks and trigger alarms of `failover` (absent without one). */
  failover?: FailoverEstate;
}

/**
 * Snapshots another team keeps in the primary Region (not ours: no managed tag) and copies to the DR
 * Region on its own: their copies count against the same 20 EBS copies in flight as ours.
 */
const MIGRATION_SNAPSHOTS = 18;

/**
 * Volumes per EBS policy (plus one that does not match). Three keep the drill's 21 days quick: every
 * DR copy scheduler run reads all of the primary's managed snapshots, most of them these volumes'
 * hourly local ones.
 */
const VOLUMES_PER_POLICY = 3;

const hex = (n: number, width = 17) => n.toString(16).padStart(width, "0");

function matchingTags(policy: Policy): Record<string, string> {
  const tags: Record<string, string> = {
    Name: `${policy.name}-resource`,
    Application: "drill",
    CostCenter: "ops",
  };
  for (const [key, value] of Object.entries(policy.selector.tags)) {
    const first = Array.isArray(value) ? (value[0] ?? "") : value;
    tags[key] = first.replaceAll("*", "x");
  }
  return tags;
}

/**
 * @example const { estate } = drillEstate(config, "2024-01-01T00:00:00Z")
 */
export function drillEstate(config: Config, start: Date): DrillEstate {
  const region = config.regions.primary;
  const az = `${region}a`;
  const estate: Required<
    Pick<
      Estate,
      "outposts" | "volumes" | "instances" | "snapshots" | "images" | "dbInstances" | "dbClusters" | "kmsKeys"
    >
  > = {
    outposts: [],
    volumes: [],
    instances: [],
    snapshots: [],
    images: [],
    dbInstances: [],
    dbClusters: [],
    kmsKeys: [],
  };
  const protectedSources = new Map<string, string[]>();
  const untouchable = new Map<string, string>();
  const drUntouchable = new Map<string, string>();
  /** Resource kind + selector → the ids seeded for the first policy with them. */
  const seeded = new Map<string, string[]>();
  let serial = 1;
  const next = (prefix: string) => `${prefix}-${hex(serial++)}`;

  for (const o of config.outposts) {
    estate.outposts.push({
      region,
      id: o.arn.split("/")[1] ?? o.name,
      arn: o.arn,
      name: o.name,
      availabilityZone: az,
      instanceTypes: OUTPOST_INSTANCE_TYPES,
    });
  }
  const outpostFor = (policy: Policy) => {
    const name = policy.selector.outposts?.[0];
    return name ? config.outposts.find((o) => o.name === name)?.arn : undefined;
  };

  config.policies.forEach((policy, p) => {
    const selection = JSON.stringify([policy.resource, policy.selector]);
    const same = seeded.get(selection);
    if (same) {
      protectedSources.set(policy.name, same);
      return;
    }
    const tags = matchingTags(policy);
    const ids: string[] = [];
    const outpostArn = outpostFor(policy);
    const onOutpost = outpostArn ? { outpostArn } : {};
    if (policy.resource === "ebs-volume") {
      for (let i = 0; i < VOLUMES_PER_POLICY; i++) {
        const id = next("vol");
        estate.volumes.push({
          region,
          id,
          sizeGiB: 100,
          type: "gp3",
          availabilityZone: az,
          tags,
          ...onOutpost,
        });
        ids.push(id);
      }
      estate.volumes.push({
        region,
        id: next("vol"),
        sizeGiB: 50,
        type: "gp3",
        availabilityZone: az,
        tags: { Name: "scratch" },
        ...onOutpost,
      });
    } else if (policy.resource === "ec2-instance") {
      for (let i = 0; i < 2; i++) {
        const instanceId = next("i");
        const volumeIds = [next("vol"), next("vol"), next("vol")];
        const types = ["gp3", "gp3", "sc1"] as const;
        volumeIds.forEach((id, v) => {
          estate.volumes.push({
            region,
            id,
            sizeGiB: 50,
            type: types[v] ?? "gp3",
            availabilityZone: az,
            tags: { Name: `${instanceId}-disk${v}` },
            attachments: [{ instanceId, device: v === 0 ? "/dev/xvda" : `/dev/xvd${"bcd"[v - 1]}` }],
            ...onOutpost,
          });
        });
        estate.instances.push({
          region,
          id: instanceId,
          availabilityZone: az,
          rootDeviceName: "/dev/xvda",
          tags,
          volumeIds,
          ...onOutpost,
        });
        ids.push(instanceId);
      }
    } else if (policy.resource === "rds-instance") {
      for (let i = 0; i < 2; i++) {
        const id = `${policy.name}-db-${i + 1}`;
        estate.dbInstances.push({ region, id, engine: "postgres", status: "available", tags });
        ids.push(id);
      }
      estate.dbInstances.push({
        region,
        id: `${policy.name}-unselected`,
        engine: "postgres",
        status: "available",
        tags: { Name: "reporting" },
      });
    } else {
      const id = `${policy.name}-cluster`;
      const members = [`${id}-writer`, `${id}-reader`];
      estate.dbClusters.push({ region, id, engine: "aurora-postgresql", status: "available", members, tags });
      for (const m of members)
        estate.dbInstances.push({
          region,
          id: m,
          engine: "aurora-postgresql",
          status: "available",
          clusterId: id,
          tags,
        });
      ids.push(id);
    }
    protectedSources.set(policy.name, ids);
    seeded.set(selection, ids);

    // Snapshots that predate the drill and must survive it, on the first EBS policy's first source.
    if (p === config.policies.findIndex((q) => q.resource === "ebs-volume") && ids[0]) {
      const volumeId = ids[0];
      const old = new Date(start.getTime() - 90 * 86_400_000).toISOString();
      const schedule = policy.schedules[0]?.name ?? "daily";
      const managed = {
        "outpost-ops:managed": "true",
        "outpost-ops:policy": policy.name,
        "outpost-ops:schedule": schedule,
        "outpost-ops:source": volumeId,
      };
      const decoys: [string, Record<string, string>, boolean, string][] = [
        [next("snap"), { Name: "hand-made before the migration" }, false, "not created by outpost-ops"],
        [next("snap"), { ...managed, "outpost-ops:window": "2023-10-01T00:00Z" }, false, "used by an AMI"],
        [
          next("snap"),
          { ...managed, "outpost-ops:window": "2023-10-02T00:00Z", "outpost-ops:legal-hold": "case-4711" },
          false,
          "legal hold",
        ],
        [
          next("snap"),
          { ...managed, "outpost-ops:window": "2023-10-03T00:00Z", "aws:backup:source-resource": "backup" },
          true,
          "managed by AWS Backup",
        ],
      ];
      for (const [id, snapTags, awsBackup, why] of decoys) {
        estate.snapshots.push({
          region,
          id,
          volumeId,
          startTime: old,
          state: "completed",
          tags: snapTags,
          awsBackup,
        });
        untouchable.set(id, why);
      }
      const amiSnapshot = decoys[1]?.[0];
      if (amiSnapshot)
        estate.images.push({ region, id: next("ami"), name: "golden-image", snapshotIds: [amiSnapshot] });
    }
  });
  seedDr(config, start, estate, drUntouchable, next);
  const migrationSnapshots: string[] = [];
  const scratch = estate.volumes.find((v) => v.tags?.Name === "scratch") ?? estate.volumes[0];
  const copying = config.policies.some((p) => p.copy);
  for (let i = 0; copying && scratch && i < MIGRATION_SNAPSHOTS; i++) {
    const id = next("snap");
    estate.snapshots.push({
      region,
      id,
      volumeId: scratch.id ?? "",
      startTime: new Date(start.getTime() - (i + 1) * 86_400_000).toISOString(),
      state: "completed",
      tags: { Name: `migration ${i + 1}`, Team: "data-platform" },
    });
    migrationSnapshots.push(id);
    untouchable.set(id, "another team's snapshot");
  }
  // Last, so that the other resources keep their ids: the capacity phase's consumers.
  const local = localOutpost(config);
  if (local) seedControllers(estate, local, region, az, next);
  const failover = failoverEstate(config);
  return {
    estate: { ...estate, ...failover?.seed },
    protectedSources,
    untouchable,
    drUntouchable,
    migrationSnapshots,
    ...(failover ? { failover } : {}),
  };
}

/**
 * The Outpost the capacity phase squeezes and fills: the first one a policy places snapshots on
 * (the factory in the example), else the first.
 */
export function localOutpost(config: Config): { name: string; id: string; arn: string } | undefined {
  const placed = config.policies.find((p) => p.placement === "outpost" && p.selector.outposts?.length);
  const name = placed?.selector.outposts?.[0];
  const outpost = config.outposts.find((o) => o.name === name) ?? config.outposts[0];
  return outpost
    ? { name: outpost.name, id: outpost.arn.split("/").pop() ?? outpost.name, arn: outpost.arn }
    : undefined;
}

/** Controllers of the production line that no policy backs up. */
const CONTROLLERS = 3;

/**
 * The line's controllers on that Outpost (m5.large, no Backup tag, so no policy selects them): what
 * its m5.large and gp3 capacity alerts name as top consumers.
 */
function seedControllers(
  estate: Required<Pick<Estate, "volumes" | "instances">>,
  outpost: { arn: string },
  region: string,
  az: string,
  next: (prefix: string) => string,
): void {
  for (let i = 1; i <= CONTROLLERS; i++) {
    const instanceId = next("i");
    const volumeId = next("vol");
    estate.volumes.push({
      region,
      id: volumeId,
      sizeGiB: 40,
      type: "gp3",
      availabilityZone: az,
      tags: { Name: `line-controller-${i}-root` },
      attachments: [{ instanceId, device: "/dev/xvda" }],
      outpostArn: outpost.arn,
    });
    estate.instances.push({
      region,
      id: instanceId,
      availabilityZone: az,
      rootDeviceName: "/dev/xvda",
      tags: { Name: `line-controller-${i}`, Application: "line" },
      volumeIds: [volumeId],
      outpostArn: outpost.arn,
    });
  }
}

/**
 * The DR Region's side: every copy policy's KMS key (enabled), and two snapshots there that are not
 * ours to delete: one made by hand, and a copy someone made of one of our snapshots, which carries
 * its source's name but none of our tags.
 */
function seedDr(
  config: Config,
  start: Date,
  estate: Required<Pick<Estate, "snapshots" | "kmsKeys">>,
  untouchable: Map<string, string>,
  next: (prefix: string) => string,
): void {
  const region = config.regions.dr;
  // Every destination's keys, each in its own Region (regions.dr's and any copy.alsoTo Region's).
  const keys = new Map(
    config.policies.flatMap((p) => destinationsOf(p, config).map((d) => [d.kmsKeyArn, d.region] as const)),
  );
  for (const [arn, keyRegion] of keys) {
    const id = arn.split("/").pop() ?? arn;
    estate.kmsKeys.push({
      region: keyRegion,
      id,
      arn,
      description: "outpost-ops DR copies",
      aliases: ["outpost-ops-dr"],
    });
  }
  if (keys.size === 0) return;
  const old = new Date(start.getTime() - 30 * 86_400_000).toISOString();
  const decoys: [string, Record<string, string>, string][] = [
    [next("snap"), { Name: "restore test, by hand" }, "made by hand in the DR Region"],
    [next("snap"), { Name: "copied by another tool" }, "a copy outpost-ops did not make"],
  ];
  for (const [id, tags, why] of decoys) {
    estate.snapshots.push({ region, id, volumeId: "vol-ffffffff", startTime: old, state: "completed", tags });
    untouchable.set(id, why);
  }
}
