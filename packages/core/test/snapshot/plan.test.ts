import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Config, type ConfigInput, type Policy, parseConfig } from "../../src/config/schema.ts";
import type { DbCluster, DbInstance, Instance, Resource, Volume } from "../../src/inventory.ts";
import { MAX_TAGS, planSnapshots, type SnapshotPlan } from "../../src/snapshot/plan.ts";
import type { SnapshotWorkItem } from "../../src/snapshot/work-item.ts";
import { Tag, type Tags } from "../../src/tags.ts";

const FACTORY = "arn:aws:outposts:us-west-2:123456789012:outpost/op-0123456789abcdef0";
const CLINIC = "arn:aws:outposts:us-west-2:123456789012:outpost/op-0fedcba9876543210";
const ELSEWHERE = "arn:aws:outposts:us-west-2:123456789012:outpost/op-0aaaaaaaaaaaaaaaa";
const DUE = new Date("2024-05-14T00:00:30Z");
const NOT_DUE = new Date("2024-05-14T10:30:00Z");
const REGION = "us-west-2";

type PolicyInput = ConfigInput["policies"][number];

function setup(policy: Partial<PolicyInput> & Pick<PolicyInput, "resource">): {
  config: Config;
  policy: Policy;
} {
  const config = parseConfig({
    regions: { primary: REGION, dr: "us-east-1" },
    outposts: [
      { name: "factory", arn: FACTORY },
      { name: "clinic", arn: CLINIC },
    ],
    alerts: { emails: [] },
    policies: [
      {
        name: "daily",
        selector: { tags: { Backup: "daily" } },
        schedules: [{ name: "nightly", expression: "cron(0 0 * * ? *)", retention: { keepLast: 7 } }],
        ...policy,
      },
    ],
  });
  const parsed = config.policies[0];
  if (!parsed) throw new Error("no policy");
  return { config, policy: parsed };
}

function volume(id: string, more: Partial<Volume> = {}): Volume {
  return {
    id,
    type: "gp3",
    tags: { Backup: "daily" },
    availabilityZone: "us-west-2a",
    attachments: [],
    ...more,
  };
}
const vol = (id: string, more: Partial<Volume> = {}): Resource => ({
  kind: "ebs-volume",
  volume: volume(id, more),
});

function instance(id: string, volumes: Volume[], more: Partial<Instance> = {}): Resource {
  return {
    kind: "ec2-instance",
    instance: {
      id,
      tags: { Backup: "daily" },
      state: "running",
      rootDeviceName: "/dev/xvda",
      volumes,
      ...more,
    },
  };
}
function attached(id: string, instanceId: string, device: string, more: Partial<Volume> = {}): Volume {
  return volume(id, { attachments: [{ instanceId, device }], tags: {}, ...more });
}
function db(id: string, more: Partial<DbInstance> = {}): Resource {
  return {
    kind: "rds-instance",
    db: {
      id,
      arn: `arn:aws:rds:us-west-2:123456789012:db:${id}`,
      status: "available",
      engine: "postgres",
      tags: { Backup: "daily" },
      ...more,
    },
  };
}
function cluster(id: string, more: Partial<DbCluster> = {}): Resource {
  return {
    kind: "aurora-cluster",
    cluster: {
      id,
      arn: `arn:aws:rds:us-west-2:123456789012:cluster:${id}`,
      status: "available",
      engine: "aurora-postgresql",
      tags: { Backup: "daily" },
      ...more,
    },
  };
}

function only<T>(items: T[]): T {
  expect(items).toHaveLength(1);
  return items[0] as T;
}
function tagsOf(item: SnapshotWorkItem): Tags {
  return Object.fromEntries(item.tags.map((t) => [t.Key, t.Value]));
}
function skipReason(plan: SnapshotPlan, id: string): string | undefined {
  return plan.skipped.find((s) => s.resourceId === id)?.reason;
}

describe("Function: planSnapshots", () => {
  describe("due schedule", () => {
    it("plans nothing and says so when no schedule fires", () => {
      // Prepare
      const { config, policy } = setup({ resource: "ebs-volume" });

      // Act
      const plan = planSnapshots({ config, policy, region: REGION, resources: [vol("vol-1")], now: NOT_DUE });

      // Assess
      expect(plan).toEqual({
        policy: "daily",
        region: REGION,
        at: NOT_DUE,
        code: "not-due",
        reason: "no schedule of daily fires at 2024-05-14T10:30Z (or in the 5 min before)",
        selected: 0,
        items: [],
        skipped: [],
        notes: [],
      });
    });

    it("tags the items with the schedule that keeps longer when two fire in the same minute", () => {
      // Prepare
      const { config, policy } = setup({
        resource: "ebs-volume",
        schedules: [
          { name: "hourly", expression: "rate(1 hour)", retention: { keepLast: 24 } },
          { name: "weekly", expression: "cron(0 0 ? * TUE *)", retention: { keepLast: 8 } },
        ],
      });

      // Act (2024-05-14 is a Tuesday)
      const plan = planSnapshots({ config, policy, region: REGION, resources: [vol("vol-1")], now: DUE });

      // Assess
      const item = only(plan.items);
      expect(item.schedule).toBe("weekly");
      expect(tagsOf(item)[Tag.schedule]).toBe("weekly");
      expect(plan.due?.coinciding).toEqual(["hourly"]);
      expect(plan.code).toBe("due");
      expect(plan.reason).toBe(
        "weekly fires at 2024-05-14T00:00Z (also hourly; weekly keeps longer): 1 snapshot(s) planned of 1 selected, 0 skipped",
      );
    });

    it("plans the nominal window for a delivery late within the lookback", () => {
      // Prepare
      const { config, policy } = setup({ resource: "ebs-volume" });

      // Act
      const plan = planSnapshots({
        config,
        policy,
        region: REGION,
        resources: [vol("vol-1")],
        now: new Date("2024-05-14T00:03:59Z"),
      });

      // Assess
      expect(only(plan.items).window).toBe("2024-05-14T00:00Z");
      expect(only(plan.items).key).toBe("daily/vol-1/2024-05-14T00:00Z");
    });
  });

  describe("ebs-volume items", () => {
    it("carries our tags, a readable description and the idempotency key", () => {
      // Prepare
      const { config, policy } = setup({ resource: "ebs-volume" });

      // Act
      const plan = planSnapshots({ config, policy, region: REGION, resources: [vol("vol-123")], now: DUE });

      // Assess
      expect(plan.items).toEqual([
        {
          kind: "ebs-volume",
          region: REGION,
          policy: "daily",
          schedule: "nightly",
          window: "2024-05-14T00:00Z",
          key: "daily/vol-123/2024-05-14T00:00Z",
          volumeId: "vol-123",
          description: "outpost-ops nightly snapshot of vol-123 (window 2024-05-14T00:00Z)",
          tags: [
            { Key: "outpost-ops:managed", Value: "true" },
            { Key: "outpost-ops:policy", Value: "daily" },
            { Key: "outpost-ops:schedule", Value: "nightly" },
            { Key: "outpost-ops:source", Value: "vol-123" },
            { Key: "outpost-ops:window", Value: "2024-05-14T00:00Z" },
          ],
        },
      ]);
      expect(plan.selected).toBe(1);
      expect(plan.skipped).toEqual([]);
    });
  });

  describe("selection", () => {
    it("skips a resource whose tag changed, with the reason", () => {
      // Prepare
      const { config, policy } = setup({ resource: "ebs-volume" });

      // Act
      const plan = planSnapshots({
        config,
        policy,
        region: REGION,
        resources: [vol("vol-1", { tags: { Backup: "weekly" } })],
        now: DUE,
      });

      // Assess
      expect(plan.items).toEqual([]);
      expect(plan.selected).toBe(0);
      expect(plan.skipped).toEqual([
        {
          resourceId: "vol-1",
          code: "tag-mismatch",
          reason: "left the selection: tag Backup=weekly does not match daily",
        },
      ]);
    });

    it("skips a resource that lost the tag", () => {
      // Prepare
      const { config, policy } = setup({ resource: "ebs-volume" });

      // Act
      const plan = planSnapshots({
        config,
        policy,
        region: REGION,
        resources: [vol("vol-1", { tags: {} })],
        now: DUE,
      });

      // Assess
      expect(skipReason(plan, "vol-1")).toBe("left the selection: tag Backup is missing (want daily)");
    });

    it("requires every selector tag, accepting any value of a list and * wildcards", () => {
      // Prepare
      const { config, policy } = setup({
        resource: "ebs-volume",
        selector: { tags: { Backup: ["daily", "always"], App: "orders-*" } },
      });
      const resources = [
        vol("vol-a", { tags: { Backup: "always", App: "orders-db" } }),
        vol("vol-b", { tags: { Backup: "daily", App: "orders-" } }),
        vol("vol-c", { tags: { Backup: "daily", App: "billing" } }),
        vol("vol-d", { tags: { Backup: "weekly", App: "orders-db" } }),
        vol("vol-e", { tags: { Backup: "daily", App: "xorders-db" } }),
      ];

      // Act
      const plan = planSnapshots({ config, policy, region: REGION, resources, now: DUE });

      // Assess
      expect(plan.items.map((i) => i.key.split("/")[1])).toEqual(["vol-a", "vol-b"]);
      expect(skipReason(plan, "vol-c")).toBe("left the selection: tag App=billing does not match orders-*");
      expect(skipReason(plan, "vol-d")).toBe(
        "left the selection: tag Backup=weekly does not match daily or always",
      );
      expect(skipReason(plan, "vol-e")).toBe(
        "left the selection: tag App=xorders-db does not match orders-*",
      );
    });

    it("treats regex characters in tag values literally", () => {
      // Prepare
      const { config, policy } = setup({ resource: "ebs-volume", selector: { tags: { Backup: "a.c*" } } });
      const resources = [
        vol("vol-1", { tags: { Backup: "a.c-1" } }),
        vol("vol-2", { tags: { Backup: "abc-1" } }),
      ];

      // Act
      const plan = planSnapshots({ config, policy, region: REGION, resources, now: DUE });

      // Assess
      expect(plan.items.map((i) => i.key)).toEqual(["daily/vol-1/2024-05-14T00:00Z"]);
    });

    it("skips a resource of another kind", () => {
      // Prepare
      const { config, policy } = setup({ resource: "ebs-volume" });

      // Act
      const plan = planSnapshots({ config, policy, region: REGION, resources: [db("db-1")], now: DUE });

      // Assess
      expect(skipReason(plan, "db-1")).toBe(
        "left the selection: rds-instance resource, but policy daily snapshots ebs-volume",
      );
    });

    it("keeps only volumes and instances on the selected Outposts", () => {
      // Prepare
      const { config, policy } = setup({
        resource: "ebs-volume",
        selector: { tags: { Backup: "daily" }, outposts: ["factory"] },
      });
      const resources = [
        vol("vol-factory", { outpostArn: FACTORY }),
        vol("vol-clinic", { outpostArn: CLINIC }),
        vol("vol-unknown", { outpostArn: ELSEWHERE }),
        vol("vol-region"),
      ];

      // Act
      const plan = planSnapshots({ config, policy, region: REGION, resources, now: DUE });

      // Assess
      expect(plan.items.map((i) => i.key.split("/")[1])).toEqual(["vol-factory"]);
      expect(plan.skipped).toEqual([
        {
          resourceId: "vol-clinic",
          code: "other-outpost",
          reason: "left the selection: on Outpost clinic, not on factory",
        },
        {
          resourceId: "vol-region",
          code: "not-on-outpost",
          reason: "left the selection: in the Region, not on Outpost factory",
        },
        {
          resourceId: "vol-unknown",
          code: "other-outpost",
          reason: `left the selection: on Outpost ${ELSEWHERE}, not on factory`,
        },
      ]);
    });

    it("plans a resource listed twice only once", () => {
      // Prepare
      const { config, policy } = setup({ resource: "ebs-volume" });

      // Act
      const plan = planSnapshots({
        config,
        policy,
        region: REGION,
        resources: [vol("vol-1"), vol("vol-1")],
        now: DUE,
      });

      // Assess
      expect(plan.items).toHaveLength(1);
      expect(plan.skipped).toEqual([
        { resourceId: "vol-1", code: "listed-twice", reason: "listed twice in the inventory: planned once" },
      ]);
    });
  });

  describe("databases", () => {
    it("plans an available RDS instance with a deterministic snapshot id", () => {
      // Prepare
      const { config, policy } = setup({ resource: "rds-instance" });

      // Act
      const plan = planSnapshots({ config, policy, region: REGION, resources: [db("db-orders")], now: DUE });

      // Assess
      const item = only(plan.items);
      expect(item).toMatchObject({
        kind: "rds-instance",
        dbInstanceId: "db-orders",
        snapshotId: "oo-daily-db-orders-20240514t0000",
      });
      expect(tagsOf(item)[Tag.source]).toBe("db-orders");
    });

    it("skips an RDS instance that is not available", () => {
      // Prepare
      const { config, policy } = setup({ resource: "rds-instance" });

      // Act
      const plan = planSnapshots({
        config,
        policy,
        region: REGION,
        resources: [db("db-1", { status: "backing-up" })],
        now: DUE,
      });

      // Assess
      expect(plan.items).toEqual([]);
      expect(skipReason(plan, "db-1")).toBe("status backing-up, not available");
    });

    it("skips Aurora cluster members", () => {
      // Prepare
      const { config, policy } = setup({ resource: "rds-instance" });

      // Act
      const plan = planSnapshots({
        config,
        policy,
        region: REGION,
        resources: [db("db-1", { clusterId: "orders" })],
        now: DUE,
      });

      // Assess
      expect(skipReason(plan, "db-1")).toBe(
        "member of Aurora cluster orders: snapshotted by aurora-cluster policies",
      );
    });

    it("plans available Aurora clusters and skips the others", () => {
      // Prepare
      const { config, policy } = setup({ resource: "aurora-cluster" });
      const resources = [cluster("orders"), cluster("billing", { status: "modifying" })];

      // Act
      const plan = planSnapshots({ config, policy, region: REGION, resources, now: DUE });

      // Assess
      expect(only(plan.items)).toMatchObject({
        kind: "aurora-cluster",
        clusterId: "orders",
        snapshotId: "oo-daily-orders-20240514t0000",
      });
      expect(plan.skipped).toEqual([
        { resourceId: "billing", code: "db-not-available", reason: "status modifying, not available" },
      ]);
    });
  });

  describe("ec2-instance exclusions", () => {
    const volumes = [
      attached("vol-root", "i-1", "/dev/xvda"),
      attached("vol-data", "i-1", "/dev/sdf"),
      attached("vol-cold", "i-1", "/dev/sdg", { type: "sc1" }),
      attached("vol-scratch", "i-1", "/dev/sdh", { tags: { Scratch: "yes" } }),
    ];

    it("makes one crash-consistent item per instance", () => {
      // Prepare
      const { config, policy } = setup({ resource: "ec2-instance" });

      // Act
      const plan = planSnapshots({
        config,
        policy,
        region: REGION,
        resources: [instance("i-1", volumes)],
        now: DUE,
      });

      // Assess
      const item = only(plan.items);
      expect(item).toMatchObject({
        kind: "ec2-instance",
        instanceId: "i-1",
        excludeBootVolume: false,
        excludeDataVolumeIds: [],
        copyTagsFromVolumes: false,
        description:
          "outpost-ops nightly snapshot of instance i-1 (crash-consistent) (window 2024-05-14T00:00Z)",
      });
      expect(tagsOf(item)[Tag.instance]).toBe("i-1");
      expect(tagsOf(item)[Tag.source]).toBe("i-1");
    });

    it("excludes the boot volume, data volumes by type and data volumes by tag", () => {
      // Prepare
      const { config, policy } = setup({
        resource: "ec2-instance",
        exclude: { bootVolume: true, volumeTypes: ["sc1", "st1"], volumeTags: { Scratch: "yes" } },
      });

      // Act
      const plan = planSnapshots({
        config,
        policy,
        region: REGION,
        resources: [instance("i-1", volumes)],
        now: DUE,
      });

      // Assess
      expect(only(plan.items)).toMatchObject({
        excludeBootVolume: true,
        excludeDataVolumeIds: ["vol-cold", "vol-scratch"],
      });
    });

    it("never puts the boot volume among the excluded data volumes", () => {
      // Prepare: the boot volume is gp3 and gp3 is excluded, but the boot volume is kept
      const { config, policy } = setup({ resource: "ec2-instance", exclude: { volumeTypes: ["gp3"] } });

      // Act
      const plan = planSnapshots({
        config,
        policy,
        region: REGION,
        resources: [instance("i-1", volumes)],
        now: DUE,
      });

      // Assess
      expect(only(plan.items)).toMatchObject({
        excludeBootVolume: false,
        excludeDataVolumeIds: ["vol-data", "vol-scratch"],
      });
    });

    it("skips an instance whose every volume is excluded", () => {
      // Prepare
      const { config, policy } = setup({
        resource: "ec2-instance",
        exclude: { bootVolume: true, volumeTypes: ["gp3"] },
      });
      const two = [attached("vol-root", "i-1", "/dev/xvda"), attached("vol-data", "i-1", "/dev/sdf")];

      // Act
      const plan = planSnapshots({
        config,
        policy,
        region: REGION,
        resources: [instance("i-1", two)],
        now: DUE,
      });

      // Assess
      expect(plan.items).toEqual([]);
      expect(skipReason(plan, "i-1")).toBe(
        "every volume is excluded: vol-data (type gp3), vol-root (boot volume)",
      );
    });

    it("skips an instance without volumes and a terminated one", () => {
      // Prepare
      const { config, policy } = setup({ resource: "ec2-instance" });
      const resources = [instance("i-1", []), instance("i-2", volumes, { state: "terminated" })];

      // Act
      const plan = planSnapshots({ config, policy, region: REGION, resources, now: DUE });

      // Assess
      expect(plan.skipped).toEqual([
        { resourceId: "i-1", code: "no-volumes", reason: "no attached EBS volumes" },
        { resourceId: "i-2", code: "instance-state", reason: "instance is terminated" },
      ]);
    });
  });

  describe("placement", () => {
    it('snapshots Outpost volumes locally and Region volumes regionally with "outpost" placement', () => {
      // Prepare
      const { config, policy } = setup({ resource: "ebs-volume", placement: "outpost" });

      // Act
      const plan = planSnapshots({
        config,
        policy,
        region: REGION,
        resources: [vol("vol-a", { outpostArn: FACTORY }), vol("vol-b")],
        now: DUE,
      });

      // Assess
      const [onOutpost, inRegion] = plan.items;
      expect(onOutpost).toMatchObject({
        volumeId: "vol-a",
        outpostArn: FACTORY,
        description:
          "outpost-ops nightly snapshot of vol-a (window 2024-05-14T00:00Z); local snapshot on Outpost factory",
      });
      expect(inRegion).not.toHaveProperty("outpostArn");
      expect(inRegion).toMatchObject({
        volumeId: "vol-b",
        description:
          "outpost-ops nightly snapshot of vol-b (window 2024-05-14T00:00Z); regional snapshot: the source is in the Region, not on an Outpost",
      });
    });

    it("snapshots instances on an Outpost locally", () => {
      // Prepare
      const { config, policy } = setup({ resource: "ec2-instance", placement: "outpost" });
      const resource = instance("i-1", [attached("vol-root", "i-1", "/dev/xvda")], { outpostArn: CLINIC });

      // Act
      const plan = planSnapshots({ config, policy, region: REGION, resources: [resource], now: DUE });

      // Assess
      expect(only(plan.items)).toMatchObject({ outpostArn: CLINIC });
    });

    it('puts every snapshot in the Region with "region" placement', () => {
      // Prepare
      const { config, policy } = setup({ resource: "ebs-volume", placement: "region" });

      // Act
      const plan = planSnapshots({
        config,
        policy,
        region: REGION,
        resources: [vol("vol-a", { outpostArn: FACTORY })],
        now: DUE,
      });

      // Assess
      expect(only(plan.items)).not.toHaveProperty("outpostArn");
      expect(only(plan.items)).toMatchObject({
        description: "outpost-ops nightly snapshot of vol-a (window 2024-05-14T00:00Z)",
      });
    });
  });

  describe("tag copying", () => {
    const sourceTags = {
      Backup: "daily",
      Name: "orders",
      Team: "payments",
      "aws:cloudformation:stack-name": "s",
      [Tag.policy]: "forged",
    };

    it("copies every user tag but aws: and our own prefix when copySourceTags is true", () => {
      // Prepare
      const { config, policy } = setup({ resource: "ebs-volume", copySourceTags: true });

      // Act
      const plan = planSnapshots({
        config,
        policy,
        region: REGION,
        resources: [vol("vol-1", { tags: sourceTags })],
        now: DUE,
      });

      // Assess
      const tags = tagsOf(only(plan.items));
      expect(tags).toEqual({
        [Tag.managed]: "true",
        [Tag.policy]: "daily",
        [Tag.schedule]: "nightly",
        [Tag.source]: "vol-1",
        [Tag.window]: "2024-05-14T00:00Z",
        Backup: "daily",
        Name: "orders",
        Team: "payments",
      });
    });

    it("copies only the listed keys when copySourceTags is a list", () => {
      // Prepare
      const { config, policy } = setup({
        resource: "rds-instance",
        copySourceTags: ["Team", "Missing", "aws:cloudformation:stack-name"],
      });

      // Act
      const plan = planSnapshots({
        config,
        policy,
        region: REGION,
        resources: [db("db-1", { tags: sourceTags })],
        now: DUE,
      });

      // Assess
      const item = only(plan.items);
      expect(item.tags.slice(5)).toEqual([{ Key: "Team", Value: "payments" }]);
    });

    it("copies the instance's tags and asks AWS to copy each volume's tags when copySourceTags is true", () => {
      // Prepare
      const { config, policy } = setup({ resource: "ec2-instance", copySourceTags: true });
      const resource = instance(
        "i-1",
        [attached("vol-root", "i-1", "/dev/xvda", { tags: { Disk: "root" } })],
        { tags: sourceTags },
      );

      // Act
      const plan = planSnapshots({ config, policy, region: REGION, resources: [resource], now: DUE });

      // Assess
      const item = only(plan.items);
      expect(item).toMatchObject({ copyTagsFromVolumes: true });
      expect(item.tags.slice(6)).toEqual([
        { Key: "Backup", Value: "daily" },
        { Key: "Name", Value: "orders" },
        { Key: "Team", Value: "payments" },
      ]);
    });

    it("does not copy volume tags for a key list", () => {
      // Prepare
      const { config, policy } = setup({ resource: "ec2-instance", copySourceTags: ["Team"] });
      const resource = instance("i-1", [attached("vol-root", "i-1", "/dev/xvda")], { tags: sourceTags });

      // Act
      const plan = planSnapshots({ config, policy, region: REGION, resources: [resource], now: DUE });

      // Assess
      expect(only(plan.items)).toMatchObject({
        copyTagsFromVolumes: false,
        tags: expect.arrayContaining([{ Key: "Team", Value: "payments" }]),
      });
    });

    it(`keeps within AWS's ${MAX_TAGS}-tag limit: ours win, the last copied tags are dropped and the description says so`, () => {
      // Prepare
      const { config, policy } = setup({ resource: "ebs-volume", copySourceTags: true });
      const many: Tags = { Backup: "daily" };
      for (let i = 0; i < 59; i++) many[`k${String(i).padStart(2, "0")}`] = "v";

      // Act
      const plan = planSnapshots({
        config,
        policy,
        region: REGION,
        resources: [vol("vol-1", { tags: many })],
        now: DUE,
      });

      // Assess
      const item = only(plan.items);
      expect(item.tags).toHaveLength(MAX_TAGS);
      expect(item.tags.slice(0, 5).map((t) => t.Key)).toEqual([
        Tag.managed,
        Tag.policy,
        Tag.schedule,
        Tag.source,
        Tag.window,
      ]);
      const dropped = Array.from({ length: 15 }, (_, i) => `k${44 + i}`).join(", ");
      expect(plan.notes).toEqual([
        {
          resourceId: "vol-1",
          code: "tags-dropped",
          reason: `15 source tag(s) not copied (AWS allows 50 tags): ${dropped}`,
        },
      ]);
      expect(item.kind === "ebs-volume" && item.description).toContain("15 source tag(s) not copied");
    });

    it("keeps a key list's order of priority at the limit", () => {
      // Prepare
      const keys = Array.from({ length: 50 }, (_, i) => `z${50 - i}`);
      const { config, policy } = setup({ resource: "aurora-cluster", copySourceTags: keys });
      const tags: Tags = Object.fromEntries([["Backup", "daily"], ...keys.map((k) => [k, "v"])]);

      // Act
      const plan = planSnapshots({
        config,
        policy,
        region: REGION,
        resources: [cluster("orders", { tags })],
        now: DUE,
      });

      // Assess
      const item = only(plan.items);
      expect(item.tags.slice(5).map((t) => t.Key)).toEqual(keys.slice(0, 45));
      expect(plan.notes[0]?.reason).toMatch(/^5 source tag\(s\) not copied/);
    });

    it("reserves room for the volume tags AWS copies onto instance snapshots", () => {
      // Prepare
      const { config, policy } = setup({ resource: "ec2-instance", copySourceTags: true });
      const volumeTags: Tags = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`v${i}`, "x"]));
      const instanceTags: Tags = Object.fromEntries([
        ["Backup", "daily"],
        ...Array.from({ length: 20 }, (_, i) => [`i${i}`, "x"]),
      ]);
      const resource = instance("i-1", [attached("vol-root", "i-1", "/dev/xvda", { tags: volumeTags })], {
        tags: instanceTags,
      });

      // Act
      const plan = planSnapshots({ config, policy, region: REGION, resources: [resource], now: DUE });

      // Assess: 6 of ours + 30 volume tags leave room for 14 instance tags
      const item = only(plan.items);
      expect(item).toMatchObject({ copyTagsFromVolumes: true });
      expect(item.tags).toHaveLength(6 + 14);
      expect(plan.notes[0]?.reason).toMatch(/^7 source tag\(s\) not copied/);
    });

    it("stops copying volume tags when a volume has too many or carries our tags", () => {
      // Prepare
      const { config, policy } = setup({ resource: "ec2-instance", copySourceTags: true });
      const crowded: Tags = Object.fromEntries(Array.from({ length: 48 }, (_, i) => [`v${i}`, "x"]));
      const resources = [
        instance("i-1", [attached("vol-1", "i-1", "/dev/xvda", { tags: crowded })]),
        instance("i-2", [
          attached("vol-2", "i-2", "/dev/xvda", { tags: { [Tag.window]: "2020-01-01T00:00Z" } }),
        ]),
      ];

      // Act
      const plan = planSnapshots({ config, policy, region: REGION, resources, now: DUE });

      // Assess
      expect(plan.items.map((i) => i.kind === "ec2-instance" && i.copyTagsFromVolumes)).toEqual([
        false,
        false,
      ]);
      expect(plan.notes).toEqual([
        {
          resourceId: "i-1",
          code: "volume-tags-not-copied",
          reason: "volume tags not copied: vol-1 has 48, over AWS's 50-tag limit with ours",
        },
        {
          resourceId: "i-2",
          code: "volume-tags-not-copied",
          reason: "volume tags not copied: vol-2 carries outpost-ops: tags",
        },
      ]);
    });
  });

  describe("determinism and scale", () => {
    it("returns items and skips sorted by source id, and the same plan for the same input", () => {
      // Prepare
      const { config, policy } = setup({ resource: "ebs-volume" });
      const resources = [
        vol("vol-c"),
        vol("vol-a-b"),
        vol("vol-z", { tags: {} }),
        vol("vol-a"),
        vol("vol-b", { tags: {} }),
      ];

      // Act
      const first = planSnapshots({ config, policy, region: REGION, resources, now: DUE });
      const second = planSnapshots({
        config,
        policy,
        region: REGION,
        resources: [...resources].reverse(),
        now: DUE,
      });

      // Assess
      expect(first.items.map((i) => (i.kind === "ebs-volume" ? i.volumeId : ""))).toEqual([
        "vol-a",
        "vol-a-b",
        "vol-c",
      ]);
      expect(first.skipped.map((s) => s.resourceId)).toEqual(["vol-b", "vol-z"]);
      expect(second).toEqual(first);
    });

    it("plans 10,000 volumes, one item each", () => {
      // Prepare
      const { config, policy } = setup({
        resource: "ebs-volume",
        placement: "outpost",
        copySourceTags: true,
        selector: { tags: { Backup: ["daily", "hourly-*"] }, outposts: ["factory", "clinic"] },
      });
      const resources = Array.from({ length: 10_000 }, (_, i) =>
        vol(`vol-${String(i).padStart(17, "0")}`, {
          outpostArn: i % 2 ? FACTORY : CLINIC,
          tags: { Backup: "daily", Name: `v${i}`, Team: "t" },
        }),
      );

      // Act
      const plan = planSnapshots({ config, policy, region: REGION, resources, now: DUE });

      // Assess (its speed is measured in bench/planners.bench.ts, not here)
      expect(plan.items).toHaveLength(10_000);
    });
  });

  describe("properties", () => {
    const values = ["daily", "weekly", "hourly-1", "x"];
    const tagsArb = fc.record(
      { Backup: fc.constantFrom(...values), App: fc.constantFrom("orders-db", "billing") },
      { requiredKeys: [] },
    );
    const outpostArb = fc.constantFrom(undefined, FACTORY, CLINIC);
    const idArb = fc.stringMatching(/^[a-z]{1,3}$/);
    const resourceArb: fc.Arbitrary<Resource> = fc.oneof(
      fc
        .record({ id: idArb, tags: tagsArb, outpostArn: outpostArb })
        .map(({ id, tags, outpostArn }) => vol(`vol-${id}`, { tags, ...(outpostArn ? { outpostArn } : {}) })),
      fc
        .record({
          id: idArb,
          tags: tagsArb,
          outpostArn: outpostArb,
          status: fc.constantFrom("available", "backing-up"),
        })
        .map(({ id, tags, outpostArn, status }) =>
          instance(
            `i-${id}`,
            [
              attached(`vol-root-${id}`, `i-${id}`, "/dev/xvda"),
              attached(`vol-d-${id}`, `i-${id}`, "/dev/sdf", {
                type: status === "available" ? "gp3" : "st1",
              }),
            ],
            {
              tags,
              ...(outpostArn ? { outpostArn } : {}),
            },
          ),
        ),
      fc
        .record({
          id: idArb,
          tags: tagsArb,
          status: fc.constantFrom("available", "backing-up"),
          member: fc.boolean(),
        })
        .map(({ id, tags, status, member }) =>
          db(`db-${id}`, { tags, status, ...(member ? { clusterId: "c" } : {}) }),
        ),
      fc
        .record({ id: idArb, tags: tagsArb, status: fc.constantFrom("available", "modifying") })
        .map(({ id, tags, status }) => cluster(`c-${id}`, { tags, status })),
    );
    const policyArb = fc.record({
      resource: fc.constantFrom(
        "ebs-volume",
        "ec2-instance",
        "rds-instance",
        "aurora-cluster",
      ) as fc.Arbitrary<PolicyInput["resource"]>,
      wanted: fc.oneof(
        fc.constantFrom(...values),
        fc.constant("hourly-*"),
        fc.subarray(values, { minLength: 1 }),
      ),
      app: fc.option(fc.constantFrom("orders-*", "billing"), { nil: undefined }),
      outposts: fc.option(fc.subarray(["factory", "clinic"], { minLength: 1 }), { nil: undefined }),
    });

    /** An independent statement of the selector, to check the planner against. */
    function selectedBy(
      p: {
        resource: string;
        wanted: string | string[];
        app: string | undefined;
        outposts: string[] | undefined;
      },
      r: Resource,
    ): boolean {
      if (r.kind !== p.resource) return false;
      const tags =
        r.kind === "ebs-volume"
          ? r.volume.tags
          : r.kind === "ec2-instance"
            ? r.instance.tags
            : r.kind === "rds-instance"
              ? r.db.tags
              : r.cluster.tags;
      const like = (value: string | undefined, pattern: string) =>
        value !== undefined &&
        (pattern.endsWith("*") ? value.startsWith(pattern.slice(0, -1)) : value === pattern);
      const wanted = typeof p.wanted === "string" ? [p.wanted] : p.wanted;
      if (!wanted.some((w) => like(tags.Backup, w))) return false;
      if (p.app !== undefined && !like(tags.App, p.app)) return false;
      if (p.outposts && (r.kind === "ebs-volume" || r.kind === "ec2-instance")) {
        const arn = r.kind === "ebs-volume" ? r.volume.outpostArn : r.instance.outpostArn;
        const arns: string[] = p.outposts.map((n) => (n === "factory" ? FACTORY : CLINIC));
        if (arn === undefined || !arns.includes(arn)) return false;
      }
      return true;
    }

    it("never plans a resource that fails selection, plans each source once, and explains every other resource", () => {
      fc.assert(
        fc.property(policyArb, fc.array(resourceArb, { maxLength: 30 }), (p, resources) => {
          // Prepare
          const isEbs = p.resource === "ebs-volume" || p.resource === "ec2-instance";
          const { config, policy } = setup({
            resource: p.resource,
            selector: {
              tags: { Backup: p.wanted, ...(p.app === undefined ? {} : { App: p.app }) },
              ...(p.outposts && isEbs ? { outposts: p.outposts } : {}),
            },
            exclude: p.resource === "ec2-instance" ? { volumeTypes: ["st1"] } : undefined,
          });
          const spec = { ...p, outposts: isEbs ? p.outposts : undefined };

          // Act
          const plan = planSnapshots({ config, policy, region: REGION, resources, now: DUE });

          // Assess
          const byId = new Map<string, Resource>();
          for (const r of resources) {
            const id =
              r.kind === "ebs-volume"
                ? r.volume.id
                : r.kind === "ec2-instance"
                  ? r.instance.id
                  : r.kind === "rds-instance"
                    ? r.db.id
                    : r.cluster.id;
            if (!byId.has(id)) byId.set(id, r);
          }
          const keys = plan.items.map((i) => i.key);
          expect(new Set(keys).size).toBe(keys.length);
          for (const item of plan.items) {
            const sourceId = item.key.split("/")[1] ?? "";
            const resource = byId.get(sourceId);
            expect(resource).toBeDefined();
            expect(selectedBy(spec, resource as Resource)).toBe(true);
            expect(item.tags.length).toBeLessThanOrEqual(MAX_TAGS);
          }
          expect(plan.items.length + plan.skipped.length).toBe(resources.length);
          expect(plan.skipped.every((s) => s.reason.length > 0)).toBe(true);
          expect(plan.selected).toBe([...byId.values()].filter((r) => selectedBy(spec, r)).length);
        }),
        { numRuns: 1000 },
      );
    });
  });
});
