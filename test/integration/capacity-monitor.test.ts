/**
 * The capacity monitor over the sandbox: the managed alarms follow what each Outpost has (instance
 * types from GetOutpostInstanceTypes, volume types from ListMetrics, S3 on Outposts total), a second
 * run changes nothing, the stack's and other alarms are never deleted, an Outpost the Outposts API
 * does not know is reported with its fix while the others are reconciled, and the cpu gauge is the
 * average of the Outpost's running instances.
 */
import { capacityAlarmName } from "@outpost-ops/core/capacity/names";
import { runCapacityMonitor } from "@outpost-ops/core/jobs/capacity-monitor";
import { afterEach, describe, expect, it } from "vitest";
import {
  type CapacitySandbox,
  clinicOutpost,
  FACTORY_ID,
  factoryOutpost,
  factoryStorageMetrics,
  flat,
  PREFIX,
  START,
  startCapacitySandbox,
} from "./capacity-sandbox.ts";
import { configInput, FACTORY_ARN, REGION } from "./helpers.ts";

let cs: CapacitySandbox | undefined;
afterEach(async () => {
  await cs?.close();
  cs = undefined;
});

const factory = { outpost: "factory" } as const;
const instance = (outpost: string, subject: string, band: "warning" | "critical") =>
  capacityAlarmName(PREFIX, { outpost, kind: "instance-type", subject }, band);
const exceptions = (outpost: string, subject: string) =>
  capacityAlarmName(PREFIX, { outpost, kind: "capacity-exceptions", subject });

function monitor(c: CapacitySandbox, dryRun = false) {
  return runCapacityMonitor({
    clients: c.clients,
    config: c.config,
    prefix: PREFIX,
    region: REGION,
    now: c.now(),
    ...(dryRun ? { dryRun } : {}),
  });
}

describe("capacity monitor", () => {
  it("creates the alarms of every discovered type, tagged as ours, and a second run puts nothing", async () => {
    cs = await startCapacitySandbox({
      estate: { outposts: [factoryOutpost(), clinicOutpost()], metrics: factoryStorageMetrics(START) },
    });
    const first = await monitor(cs);
    expect(first.failed).toEqual([]);
    expect(first.discovered).toEqual([
      {
        outpost: "factory",
        outpostId: FACTORY_ID,
        instanceTypes: ["c5.xlarge", "m5.large"],
        volumeTypes: ["gp2"],
        storageTotalBytes: 1000 * 2 ** 30,
      },
      { outpost: "clinic", outpostId: "op-0f1e2d3c4b5a69788", instanceTypes: ["m5.large"], volumeTypes: [] },
    ]);
    const expected = [
      ...["c5.xlarge", "m5.large"].flatMap((t) => [
        instance("factory", t, "warning"),
        instance("factory", t, "critical"),
        exceptions("factory", t),
      ]),
      capacityAlarmName(PREFIX, { ...factory, kind: "volume-type", subject: "gp2" }, "warning"),
      capacityAlarmName(PREFIX, { ...factory, kind: "volume-type", subject: "gp2" }, "critical"),
      capacityAlarmName(PREFIX, { ...factory, kind: "snapshot-storage" }, "warning"),
      capacityAlarmName(PREFIX, { ...factory, kind: "snapshot-storage" }, "critical"),
      capacityAlarmName(PREFIX, { ...factory, kind: "local-snapshots" }),
      instance("clinic", "m5.large", "warning"),
      instance("clinic", "m5.large", "critical"),
      exceptions("clinic", "m5.large"),
    ].sort();
    expect([...first.put].sort()).toEqual(expected);
    expect(first.deleted).toEqual([]);
    expect([...(await cs.alarms()).keys()].sort()).toEqual(expected);
    expect(await cs.tagsOf(instance("factory", "m5.large", "warning"))).toEqual({
      "outpost-ops:managed": "true",
    });

    const second = await monitor(cs);
    expect(second.put).toEqual([]);
    expect(second.deleted).toEqual([]);
    expect(second.unchanged).toBe(expected.length);
  });

  it("picks up a type added to an Outpost without a redeploy, and deletes the alarms of a type gone, never the stack's or others'", async () => {
    cs = await startCapacitySandbox();
    const stack = [
      capacityAlarmName(PREFIX, { ...factory, kind: "connected" }),
      capacityAlarmName(PREFIX, { ...factory, kind: "cpu" }, "warning"),
      capacityAlarmName(PREFIX, { ...factory, kind: "cpu" }, "critical"),
    ];
    const foreign = [
      `${PREFIX}-capacity-factory-custom-watch`,
      "other-team-factory-link",
      `${PREFIX}-rpo-orders`,
    ];
    for (const name of [...stack, ...foreign]) await cs.putPlainAlarm(name);
    await monitor(cs);

    cs.sb.outposts.setInstanceTypes(REGION, FACTORY_ID, ["c5.xlarge", "m5.large", "r5.2xlarge"]);
    const added = await monitor(cs);
    expect([...added.put].sort()).toEqual(
      [
        instance("factory", "r5.2xlarge", "critical"),
        exceptions("factory", "r5.2xlarge"),
        instance("factory", "r5.2xlarge", "warning"),
      ].sort(),
    );
    expect(added.deleted).toEqual([]);

    cs.sb.outposts.setInstanceTypes(REGION, FACTORY_ID, ["m5.large", "r5.2xlarge"]);
    const removed = await monitor(cs);
    expect(removed.put).toEqual([]);
    expect(removed.deleted).toEqual(
      [
        instance("factory", "c5.xlarge", "critical"),
        instance("factory", "c5.xlarge", "warning"),
        exceptions("factory", "c5.xlarge"),
      ].sort(),
    );
    const left = await cs.alarms("");
    for (const name of [...stack, ...foreign]) expect(left.has(name), name).toBe(true);
    expect(left.has(instance("factory", "c5.xlarge", "warning"))).toBe(false);
    expect(left.has(instance("factory", "m5.large", "warning"))).toBe(true);
  });

  it("reports an Outpost the Outposts API does not know, with its fix, reconciles the others and leaves its alarms alone", async () => {
    const input = configInput();
    const annexArn = "arn:aws:outposts:us-west-2:123456789012:outpost/op-0123456789abcdef0";
    input.outposts = [...(input.outposts ?? []), { name: "annex", arn: annexArn }];
    cs = await startCapacitySandbox({ input });
    const annexAlarm = instance("annex", "m5.large", "warning");
    await cs.putPlainAlarm(annexAlarm);
    const result = await monitor(cs);
    expect(result.failed).toHaveLength(1);
    expect(result.failed[0]?.outpost).toBe("annex");
    expect(result.failed[0]?.error).toMatch(
      /Outpost annex \(op-0123456789abcdef0\) was not found in us-west-2/,
    );
    expect(result.failed[0]?.error).toMatch(/outposts\[\]\.arn/);
    expect(result.discovered.map((d) => d.outpost)).toEqual(["factory", "clinic"]);
    expect(result.put).toContain(instance("factory", "m5.large", "warning"));
    expect(result.deleted).toEqual([]);
    expect((await cs.alarms()).has(annexAlarm)).toBe(true);
  });

  it("keeps the storage alarms while S3 on Outposts reports no total (a gap must not delete an alarm in ALARM)", async () => {
    cs = await startCapacitySandbox({
      estate: { outposts: [factoryOutpost(), clinicOutpost()], metrics: factoryStorageMetrics(START) },
    });
    const storage = [
      capacityAlarmName(PREFIX, { ...factory, kind: "snapshot-storage" }, "warning"),
      capacityAlarmName(PREFIX, { ...factory, kind: "snapshot-storage" }, "critical"),
      capacityAlarmName(PREFIX, { ...factory, kind: "local-snapshots" }),
    ];
    await monitor(cs);
    // Four hours on, the seeded totals are older than the monitor's look-back: the total is unknown.
    cs.sb.clock.set(new Date(START.getTime() + 4 * 3_600_000));
    const later = await monitor(cs);
    expect(later.discovered[0]?.storageTotalBytes).toBeUndefined();
    expect(later.deleted).toEqual([]);
    const alarms = await cs.alarms();
    for (const name of storage) expect(alarms.has(name), name).toBe(true);
  });

  it("a dry run plans the alarms and writes nothing", async () => {
    cs = await startCapacitySandbox();
    const result = await monitor(cs, true);
    expect(result.put).toContain(instance("factory", "m5.large", "warning"));
    expect((await cs.alarms()).size).toBe(0);
  });

  it("publishes the cpu gauge: the average CPU of the Outpost's running instances, none without instances", async () => {
    const now = START;
    cs = await startCapacitySandbox({
      estate: {
        outposts: [factoryOutpost(), clinicOutpost()],
        volumes: [
          {
            region: REGION,
            id: "vol-0000000000000a001",
            sizeGiB: 8,
            type: "gp2",
            availabilityZone: "us-west-2a",
            outpostArn: FACTORY_ARN,
          },
          {
            region: REGION,
            id: "vol-0000000000000a002",
            sizeGiB: 8,
            type: "gp2",
            availabilityZone: "us-west-2a",
            outpostArn: FACTORY_ARN,
          },
          {
            region: REGION,
            id: "vol-0000000000000a003",
            sizeGiB: 8,
            type: "gp2",
            availabilityZone: "us-west-2a",
            outpostArn: FACTORY_ARN,
          },
        ],
        instances: [
          {
            region: REGION,
            id: "i-00000000000000a01",
            availabilityZone: "us-west-2a",
            outpostArn: FACTORY_ARN,
            volumeIds: ["vol-0000000000000a001"],
          },
          {
            region: REGION,
            id: "i-00000000000000a02",
            availabilityZone: "us-west-2a",
            outpostArn: FACTORY_ARN,
            volumeIds: ["vol-0000000000000a002"],
          },
          // Stopped: it uses no CPU and must not pull the average down.
          {
            region: REGION,
            id: "i-00000000000000a03",
            availabilityZone: "us-west-2a",
            outpostArn: FACTORY_ARN,
            volumeIds: ["vol-0000000000000a003"],
            state: "stopped",
          },
        ],
        metrics: [
          {
            region: REGION,
            namespace: "AWS/EC2",
            name: "CPUUtilization",
            dimensions: { InstanceId: "i-00000000000000a01" },
            points: flat(90, now),
          },
          {
            region: REGION,
            namespace: "AWS/EC2",
            name: "CPUUtilization",
            dimensions: { InstanceId: "i-00000000000000a02" },
            points: flat(60, now),
          },
          {
            region: REGION,
            namespace: "AWS/EC2",
            name: "CPUUtilization",
            dimensions: { InstanceId: "i-00000000000000a03" },
            points: flat(0, now),
          },
        ],
      },
    });
    const result = await monitor(cs);
    expect(result.cpu).toEqual([{ outpost: "factory", value: 75 }, { outpost: "clinic" }]);
    expect(cs.sb.metrics.get(REGION, "OutpostOps", "OutpostCpuUtilization", { outpost: "factory" })).toEqual([
      { at: now, value: 75 },
    ]);
    expect(cs.sb.metrics.get(REGION, "OutpostOps", "OutpostCpuUtilization", { outpost: "clinic" })).toEqual(
      [],
    );
  });
});
