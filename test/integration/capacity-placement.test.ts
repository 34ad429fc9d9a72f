/**
 * Snapshot placement reacts to the Outpost's local snapshot storage (S3 on Outposts, as the sandbox
 * publishes it every 5 minutes): below capacity.localSnapshots.minFreePercent a flexible policy's
 * snapshots go to the Region with a note, and come back once storage recovers; a strict policy stays
 * local; a storage read that fails plans as configured.
 */
import { planSnapshotRun } from "@outpost-ops/core/jobs/snapshot";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  type CapacitySandbox,
  clinicOutpost,
  FACTORY_ID,
  factoryOutpost,
  startCapacitySandbox,
} from "./capacity-sandbox.ts";
import { AZ, configInput, FACTORY_ARN, REGION } from "./helpers.ts";

let cs: CapacitySandbox | undefined;
afterEach(async () => {
  await cs?.close();
  cs = undefined;
});

/** 11:50, so the sandbox publishes storage on the way to the hourly window at 12:00. */
const BEFORE = new Date("2024-05-14T11:50:00Z");
const NOON = new Date("2024-05-14T12:00:00Z");
const ONE = new Date("2024-05-14T13:00:00Z");
const VOLUMES = ["vol-00000000000000f01", "vol-00000000000000f02"];

async function start(residency?: "strict") {
  const input = configInput();
  // Only the factory's line policy: the others select resources this estate does not have.
  input.policies = (input.policies ?? [])
    .filter((p) => p.name === "line")
    .map((p) => (residency ? { ...p, residency } : p));
  return startCapacitySandbox({
    start: BEFORE,
    input,
    estate: {
      outposts: [{ ...factoryOutpost(), snapshotStorageGiB: 1000 }, clinicOutpost()],
      volumes: VOLUMES.map((id) => ({
        region: REGION,
        id,
        sizeGiB: 20,
        type: "gp3" as const,
        availabilityZone: AZ,
        outpostArn: FACTORY_ARN,
        tags: { Backup: "outpost-ops" },
      })),
    },
  });
}

async function linePlan(c: CapacitySandbox, warn?: (message: string, error: unknown) => void) {
  const plans = await planSnapshotRun({
    clients: c.clients,
    config: c.config,
    region: REGION,
    now: c.now(),
    ...(warn ? { warn } : {}),
  });
  const plan = plans.find((p) => p.policy === "line");
  if (!plan) throw new Error("no plan for line");
  return plan;
}

const placements = (plan: Awaited<ReturnType<typeof linePlan>>) =>
  plan.items.map((i) => ("outpostArn" in i ? (i.outpostArn ?? "region") : "region"));

describe("snapshot placement and local storage", () => {
  it("a flexible policy snapshots in the Region while free storage is below the floor, and locally again once it recovers", async () => {
    cs = await start();
    cs.sb.clock.set(NOON);
    const healthy = await linePlan(cs);
    expect(placements(healthy)).toEqual([FACTORY_ARN, FACTORY_ARN]);
    expect(healthy.notes.filter((n) => n.code.startsWith("local-storage"))).toEqual([]);

    // 950 of 1,000 GiB used by other data: 5 % free, below the 10 % floor.
    cs.sb.clock.set(new Date(ONE.getTime() - 10 * 60_000));
    cs.sb.outposts.setOtherStorageUse(REGION, FACTORY_ID, 950);
    cs.sb.clock.set(ONE);
    const low = await linePlan(cs);
    expect(low.items).toHaveLength(2);
    expect(placements(low)).toEqual(["region", "region"]);
    const notes = low.notes.filter((n) => n.code === "local-storage-low");
    expect(notes.map((n) => n.resourceId).sort()).toEqual(VOLUMES);
    expect(notes[0]?.reason).toMatch(
      /regional snapshot instead: Outpost factory's local snapshot storage is \d+ % free, below the 10 % floor/,
    );

    const recovered = new Date(ONE.getTime() + 3_600_000);
    cs.sb.outposts.setOtherStorageUse(REGION, FACTORY_ID, 0);
    cs.sb.clock.set(new Date(recovered.getTime() - 10 * 60_000));
    cs.sb.clock.set(recovered);
    const back = await linePlan(cs);
    expect(placements(back)).toEqual([FACTORY_ARN, FACTORY_ARN]);
    expect(back.notes.filter((n) => n.code.startsWith("local-storage"))).toEqual([]);
  });

  it("a strict policy stays on the Outpost below the floor, with a note that it may fail", async () => {
    cs = await start("strict");
    cs.sb.outposts.setOtherStorageUse(REGION, FACTORY_ID, 950);
    cs.sb.clock.set(NOON);
    const plan = await linePlan(cs);
    expect(placements(plan)).toEqual([FACTORY_ARN, FACTORY_ARN]);
    expect(
      plan.notes
        .filter((n) => n.code === "local-storage-low-strict")
        .map((n) => n.resourceId)
        .sort(),
    ).toEqual(VOLUMES);
  });

  it("a storage read that fails does not stop snapshots: local as configured, and a warning", async () => {
    cs = await start();
    cs.sb.outposts.setOtherStorageUse(REGION, FACTORY_ID, 950);
    cs.sb.clock.set(NOON);
    cs.sb.faults.set({ service: "cloudwatch", operation: "GetMetricData", error: { code: "AccessDenied" } });
    const warn = vi.fn();
    const plan = await linePlan(cs, warn);
    expect(placements(plan)).toEqual([FACTORY_ARN, FACTORY_ARN]);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/could not be read \(AccessDenied/);
  });
});
