import { describe, expect, it } from "vitest";
import type { LocalStorage } from "../../src/capacity/placement.ts";
import { type ConfigInput, parseConfig } from "../../src/config/schema.ts";
import type { Resource, Volume } from "../../src/inventory.ts";
import { planSnapshots } from "../../src/snapshot/plan.ts";

const FACTORY = "arn:aws:outposts:us-west-2:123456789012:outpost/op-0123456789abcdef0";
const CLINIC = "arn:aws:outposts:us-west-2:123456789012:outpost/op-0fedcba9876543210";
const DUE = new Date("2024-05-14T00:00:30Z");
const TIB = 1024 ** 4;

type PolicyInput = ConfigInput["policies"][number];

function setup(policy: Partial<PolicyInput> & Pick<PolicyInput, "resource">) {
  const config = parseConfig({
    regions: { primary: "us-west-2", dr: "us-east-1" },
    outposts: [
      { name: "factory", arn: FACTORY },
      { name: "clinic", arn: CLINIC },
    ],
    alerts: { emails: [] },
    policies: [
      {
        name: "local",
        selector: { tags: { Backup: "daily" } },
        placement: "outpost",
        schedules: [{ name: "nightly", expression: "cron(0 0 * * ? *)", retention: { keepLast: 7 } }],
        ...policy,
      },
    ],
  });
  const parsed = config.policies[0];
  if (!parsed) throw new Error("no policy");
  return { config, policy: parsed };
}

function volume(id: string, outpostArn?: string, tags: Record<string, string> = { Backup: "daily" }): Volume {
  return {
    id,
    type: "gp3",
    tags,
    availabilityZone: "us-west-2a",
    attachments: [],
    ...(outpostArn ? { outpostArn } : {}),
  };
}
const vol = (id: string, outpostArn?: string): Resource => ({
  kind: "ebs-volume",
  volume: volume(id, outpostArn),
});
const inst = (id: string, outpostArn: string): Resource => ({
  kind: "ec2-instance",
  instance: {
    id,
    tags: { Backup: "daily" },
    state: "running",
    rootDeviceName: "/dev/xvda",
    volumes: [
      { ...volume(`vol-${id}`, outpostArn, {}), attachments: [{ instanceId: id, device: "/dev/xvda" }] },
    ],
    outpostArn,
  },
});

/** `free` of 100 TiB. */
const storage = (entries: [string, number][]): ReadonlyMap<string, LocalStorage> =>
  new Map(entries.map(([arn, free]) => [arn, { freeBytes: free * TIB, totalBytes: 100 * TIB }]));

describe("Function: planSnapshots (placement reacts to local snapshot storage)", () => {
  it("takes a flexible policy's snapshot in the Region when the Outpost is below the floor, and says so", () => {
    // Prepare
    const { config, policy } = setup({ resource: "ebs-volume" });

    // Act
    const plan = planSnapshots({
      config,
      policy,
      region: "us-west-2",
      resources: [vol("vol-f", FACTORY), vol("vol-c", CLINIC)],
      now: DUE,
      localStorage: storage([
        [FACTORY, 4.6],
        [CLINIC, 40],
      ]),
    });

    // Assess
    const [clinic, factory] = plan.items;
    expect(factory).not.toHaveProperty("outpostArn");
    expect(factory?.kind === "ebs-volume" && factory.description).toBe(
      "outpost-ops nightly snapshot of vol-f (window 2024-05-14T00:00Z); regional snapshot instead: Outpost factory's local snapshot storage is 4 % free, below the 10 % floor",
    );
    expect(clinic).toMatchObject({ outpostArn: CLINIC });
    expect(plan.notes).toEqual([
      {
        resourceId: "vol-f",
        code: "local-storage-low",
        reason:
          "regional snapshot instead: Outpost factory's local snapshot storage is 4 % free, below the 10 % floor",
      },
    ]);
  });

  it("returns to local placement once storage is at or above the floor again", () => {
    // Prepare
    const { config, policy } = setup({ resource: "ebs-volume" });
    const plan = (free: number) =>
      planSnapshots({
        config,
        policy,
        region: "us-west-2",
        resources: [vol("vol-f", FACTORY)],
        now: DUE,
        localStorage: storage([[FACTORY, free]]),
      });

    // Act
    const low = plan(9.99);
    const back = plan(10);

    // Assess
    expect(low.items[0]).not.toHaveProperty("outpostArn");
    expect(back.items[0]).toMatchObject({ outpostArn: FACTORY });
    expect(back.notes).toEqual([]);
  });

  it("keeps a strict policy's snapshot local, with its note", () => {
    // Prepare
    const { config, policy } = setup({ resource: "ebs-volume", residency: "strict" });

    // Act
    const plan = planSnapshots({
      config,
      policy,
      region: "us-west-2",
      resources: [vol("vol-f", FACTORY)],
      now: DUE,
      localStorage: storage([[FACTORY, 2]]),
    });

    // Assess
    expect(plan.items[0]).toMatchObject({ outpostArn: FACTORY });
    expect(plan.notes).toEqual([
      {
        resourceId: "vol-f",
        code: "local-storage-low-strict",
        reason:
          "local snapshot kept (residency strict): Outpost factory's local snapshot storage is 2 % free, below the 10 % floor; it may fail",
      },
    ]);
  });

  it("keeps local placement where storage is unknown", () => {
    // Prepare
    const { config, policy } = setup({ resource: "ebs-volume" });

    // Act
    const withoutMap = planSnapshots({
      config,
      policy,
      region: "us-west-2",
      resources: [vol("vol-f", FACTORY)],
      now: DUE,
    });
    const otherOutpost = planSnapshots({
      config,
      policy,
      region: "us-west-2",
      resources: [vol("vol-f", FACTORY)],
      now: DUE,
      localStorage: storage([[CLINIC, 1]]),
    });

    // Assess
    for (const plan of [withoutMap, otherOutpost]) {
      expect(plan.items[0]).toMatchObject({ outpostArn: FACTORY });
      expect(plan.notes).toEqual([]);
    }
  });

  it("moves instance sets to the Region too, at the configured floor", () => {
    // Prepare
    const { config, policy } = setup({ resource: "ec2-instance" });
    const higher = parseConfig({
      ...config,
      capacity: { localSnapshots: { minFreePercent: 30 } },
    } as ConfigInput);

    // Act
    const plan = planSnapshots({
      config: higher,
      policy,
      region: "us-west-2",
      resources: [inst("i-1", CLINIC)],
      now: DUE,
      localStorage: storage([[CLINIC, 25]]),
    });

    // Assess
    const [item] = plan.items;
    expect(item).not.toHaveProperty("outpostArn");
    expect(item?.kind === "ec2-instance" && item.description).toMatch(
      /; regional snapshot instead: Outpost clinic's local snapshot storage is 25 % free, below the 30 % floor$/,
    );
    expect(plan.notes.map((n) => [n.resourceId, n.code])).toEqual([["i-1", "local-storage-low"]]);
  });

  it("leaves regional policies and Region volumes alone", () => {
    // Prepare
    const { config, policy } = setup({ resource: "ebs-volume", placement: "region" });

    // Act
    const plan = planSnapshots({
      config,
      policy,
      region: "us-west-2",
      resources: [vol("vol-f", FACTORY), vol("vol-r")],
      now: DUE,
      localStorage: storage([[FACTORY, 1]]),
    });

    // Assess
    expect(plan.notes).toEqual([]);
    expect(plan.items.every((i) => !("outpostArn" in i))).toBe(true);
  });
});
