import { describe, expect, it } from "vitest";
import {
  type CapacityAlarm,
  cpuPeriodSeconds,
  type ExistingAlarm,
  isManagedCapacityAlarm,
  managedCapacityAlarms,
  planAlarmReconcile,
  staticCapacityAlarms,
  thresholdOf,
} from "../../src/capacity/alarms.ts";
import type { Discovery } from "../../src/capacity/model.ts";
import { capacityConfig, PREFIX } from "./fixtures.ts";

const config = capacityConfig();
const FACTORY = "op-0a1b2c3d4e5f60718";
const TIB = 1024 ** 4;

const discovery: Discovery[] = [
  {
    outpost: "factory",
    outpostId: FACTORY,
    instanceTypes: ["c5.xlarge", "m5.large"],
    volumeTypes: ["gp2"],
    storageTotalBytes: 10 * TIB,
  },
  { outpost: "factory-2", outpostId: "op-0f1e2d3c4b5a69788", instanceTypes: ["m5.large"], volumeTypes: [] },
];

/** What DescribeAlarms would return for an alarm we put. */
function existing(a: CapacityAlarm, more: Partial<ExistingAlarm> = {}): ExistingAlarm {
  return {
    name: a.name,
    namespace: a.metric.namespace,
    metricName: a.metric.name,
    dimensions: { ...a.metric.dimensions },
    statistic: a.metric.statistic,
    periodSeconds: a.metric.periodSeconds,
    evaluationPeriods: a.evaluationPeriods,
    datapointsToAlarm: a.datapointsToAlarm,
    threshold: a.threshold,
    comparison: a.comparison,
    treatMissingData: a.treatMissingData,
    description: a.description,
    ...more,
  };
}

const byName = (alarms: CapacityAlarm[], suffix: string) => {
  const found = alarms.find((a) => a.name === `${PREFIX}-capacity-${suffix}`);
  if (!found) throw new Error(`no alarm ${suffix} in ${alarms.map((a) => a.name).join(", ")}`);
  return found;
};

describe("Function: staticCapacityAlarms", () => {
  it("gives each configured Outpost connected and both cpu bands", () => {
    // Act
    const alarms = staticCapacityAlarms(config, PREFIX);

    // Assess
    expect(alarms.map((a) => a.name)).toEqual([
      "outpost-ops-prod-capacity-factory-connected",
      "outpost-ops-prod-capacity-factory-cpu-warning",
      "outpost-ops-prod-capacity-factory-cpu-critical",
      "outpost-ops-prod-capacity-factory-2-connected",
      "outpost-ops-prod-capacity-factory-2-cpu-warning",
      "outpost-ops-prod-capacity-factory-2-cpu-critical",
    ]);
  });

  it("treats missing ConnectedStatus as breaching: no data is what a cut link looks like", () => {
    // Act
    const connected = byName(staticCapacityAlarms(config, PREFIX), "factory-connected");

    // Assess
    expect(connected).toMatchObject({
      severity: "critical",
      metric: {
        namespace: "AWS/Outposts",
        name: "ConnectedStatus",
        dimensions: { OutpostId: FACTORY },
        statistic: "Minimum",
        periodSeconds: 60,
      },
      comparison: "LessThanThreshold",
      threshold: 1,
      evaluationPeriods: 15,
      datapointsToAlarm: 3,
      treatMissingData: "breaching",
    });
    expect(connected.band).toBeUndefined();
  });

  it("alarms cpu on the OutpostOps gauge at the configured bands", () => {
    // Prepare
    const custom = capacityConfig({ capacity: { thresholds: { cpu: { warning: 70, critical: 90 } } } });

    // Act
    const alarms = staticCapacityAlarms(custom, PREFIX);

    // Assess
    expect(byName(alarms, "factory-cpu-warning")).toMatchObject({
      band: "warning",
      severity: "warning",
      metric: { namespace: "OutpostOps", name: "OutpostCpuUtilization", dimensions: { outpost: "factory" } },
      comparison: "GreaterThanOrEqualToThreshold",
      threshold: 70,
      treatMissingData: "notBreaching",
    });
    expect(byName(alarms, "factory-cpu-critical")).toMatchObject({ severity: "critical", threshold: 90 });
  });
});

describe("Function: managedCapacityAlarms", () => {
  const alarms = managedCapacityAlarms(config, PREFIX, discovery);

  it("makes two bands and an exceptions alarm per instance type, two bands per volume type, storage and the floor", () => {
    // factory: 2 types × 3 + 1 volume type × 2 + storage 2 + local-snapshots 1 = 11; factory-2: 3.
    expect(alarms).toHaveLength(14);
    expect(alarms.filter((a) => a.condition.outpost === "factory-2").map((a) => a.name)).toEqual([
      "outpost-ops-prod-capacity-factory-2-instance-m5.large-warning",
      "outpost-ops-prod-capacity-factory-2-instance-m5.large-critical",
      "outpost-ops-prod-capacity-factory-2-exceptions-m5.large",
    ]);
  });

  it("alarms instance types on the maximum in three of the last five periods (a single dip does not resolve it)", () => {
    expect(byName(alarms, "factory-instance-m5.large-critical")).toMatchObject({
      severity: "critical",
      metric: {
        namespace: "AWS/Outposts",
        name: "InstanceTypeCapacityUtilization",
        dimensions: { OutpostId: FACTORY, InstanceType: "m5.large" },
        statistic: "Maximum",
        periodSeconds: 300,
      },
      comparison: "GreaterThanOrEqualToThreshold",
      threshold: 95,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
    });
    expect(byName(alarms, "factory-volume-gp2-warning").metric).toMatchObject({
      name: "EBSVolumeTypeCapacityUtilization",
      dimensions: { OutpostId: FACTORY, VolumeType: "gp2" },
    });
  });

  it("alarms refused launches on any exception", () => {
    expect(byName(alarms, "factory-exceptions-c5.xlarge")).toMatchObject({
      severity: "critical",
      metric: { name: "CapacityExceptions", statistic: "Sum" },
      comparison: "GreaterThanThreshold",
      threshold: 0,
      evaluationPeriods: 1,
    });
  });

  it("sets the storage thresholds in free bytes, rounded down", () => {
    // Prepare: 10 TiB; warning at 80 % used = 2 TiB free, critical at 95 % = 0.5 TiB free.
    const odd = managedCapacityAlarms(config, PREFIX, [
      { ...discovery[0], storageTotalBytes: 1001 } as Discovery,
    ]);

    // Assess
    expect(byName(alarms, "factory-storage-warning")).toMatchObject({
      metric: { namespace: "S3Outposts", name: "OutpostFreeBytes", statistic: "Minimum" },
      comparison: "LessThanOrEqualToThreshold",
      threshold: 2 * TIB,
    });
    expect(byName(alarms, "factory-storage-critical").threshold).toBe(0.5 * TIB);
    expect(byName(alarms, "factory-local-snapshots")).toMatchObject({
      severity: "warning",
      comparison: "LessThanThreshold",
      threshold: TIB,
    });
    expect(byName(odd, "factory-storage-warning").threshold).toBe(200); // 200.2
    expect(byName(odd, "factory-local-snapshots").threshold).toBe(100); // 100.1
  });

  it("makes no storage alarms where S3 on Outposts reports no total", () => {
    expect(alarms.some((a) => a.name.includes("factory-2-storage"))).toBe(false);
    expect(alarms.some((a) => a.name.includes("factory-2-local-snapshots"))).toBe(false);
  });

  it("ignores discoveries of Outposts not in the config", () => {
    const stray = managedCapacityAlarms(config, PREFIX, [
      { ...discovery[1], outpost: "clinic" } as Discovery,
    ]);
    expect(stray).toEqual([]);
  });

  it("carries a description that says what to do, and no alarm as not-breaching but connected", () => {
    for (const a of [...alarms, ...staticCapacityAlarms(config, PREFIX)]) {
      expect(a.description.length).toBeGreaterThan(40);
      expect(a.treatMissingData).toBe(a.condition.kind === "connected" ? "breaching" : "notBreaching");
    }
  });
});

describe("Function: thresholdOf", () => {
  it("gives the percent of each kind and band", () => {
    expect(thresholdOf(config, { kind: "instance-type" }, "critical")).toBe(95);
    expect(thresholdOf(config, { kind: "volume-type" })).toBe(80);
    expect(thresholdOf(config, { kind: "local-snapshots" })).toBe(10);
    expect(thresholdOf(config, { kind: "connected" })).toBe(1);
  });
});

describe("Function: cpuPeriodSeconds", () => {
  it.each([
    ["rate(5 minutes)", 300],
    ["rate(15 minutes)", 900],
    ["rate(1 hour)", 3600],
  ])("%s: %i s, one gauge datapoint a period at least", (schedule, seconds) => {
    const custom = capacityConfig({ capacity: { schedule } });
    expect(cpuPeriodSeconds(custom)).toBe(seconds);
    expect(
      staticCapacityAlarms(custom, PREFIX).find((a) => a.condition.kind === "cpu")?.metric.periodSeconds,
    ).toBe(seconds);
  });
});

describe("Function: isManagedCapacityAlarm", () => {
  it.each([
    ["outpost-ops-prod-capacity-factory-instance-m5.large-warning", true],
    ["outpost-ops-prod-capacity-factory-local-snapshots", true],
    ["outpost-ops-prod-capacity-factory-connected", false],
    ["outpost-ops-prod-capacity-factory-2-cpu-critical", false],
    ["outpost-ops-prod-capacity-clinic-instance-m5.large-warning", false],
    ["outpost-ops-prod-rpo-orders-db", false],
    ["outpost-ops-dev-capacity-factory-instance-m5.large-warning", false],
  ])("%s: %s", (name, managed) => {
    expect(isManagedCapacityAlarm(config, PREFIX, name)).toBe(managed);
  });
});

describe("Function: planAlarmReconcile", () => {
  const desired = managedCapacityAlarms(config, PREFIX, discovery);

  it("puts every missing alarm", () => {
    // Act
    const plan = planAlarmReconcile(config, PREFIX, desired, []);

    // Assess
    expect(plan.put).toEqual(desired);
    expect(plan).toMatchObject({ remove: [], unchanged: 0 });
  });

  it("leaves identical alarms alone", () => {
    // Act
    const plan = planAlarmReconcile(
      config,
      PREFIX,
      desired,
      desired.map((a) => existing(a)),
    );

    // Assess
    expect(plan).toEqual({ put: [], remove: [], unchanged: desired.length });
  });

  it.each<[string, Partial<ExistingAlarm>]>([
    ["a changed threshold", { threshold: 90 }],
    ["a changed comparison", { comparison: "GreaterThanThreshold" }],
    ["a changed description", { description: "old text" }],
    ["an extra dimension", { dimensions: { OutpostId: FACTORY, InstanceType: "m5.large", Extra: "x" } }],
    ["a missing statistic", { statistic: undefined }],
    ["missing data treated otherwise", { treatMissingData: "breaching" }],
  ])("puts an alarm again on %s", (_label, change) => {
    // Prepare
    const target = byName(desired, "factory-instance-m5.large-warning");
    const current = desired.map((a) => existing(a, a === target ? change : {}));

    // Act
    const plan = planAlarmReconcile(config, PREFIX, desired, current);

    // Assess
    expect(plan.put).toEqual([target]);
    expect(plan.unchanged).toBe(desired.length - 1);
  });

  it("removes the alarms of an Outpost taken out of the config, by the metric they watch", () => {
    // Prepare: "lab" was an Outpost of the config; a stack-like alarm and a hand-made one stay.
    const gone: ExistingAlarm[] = [
      {
        name: "outpost-ops-prod-capacity-lab-instance-m5.large-warning",
        namespace: "AWS/Outposts",
        metricName: "InstanceTypeCapacityUtilization",
        dimensions: { OutpostId: "op-0123456789abcdef9", InstanceType: "m5.large" },
      },
      {
        name: "outpost-ops-prod-capacity-lab-storage-critical",
        namespace: "S3Outposts",
        metricName: "OutpostFreeBytes",
        dimensions: { OutpostId: "op-0123456789abcdef9" },
      },
      {
        name: "outpost-ops-prod-capacity-lab-connected",
        namespace: "AWS/Outposts",
        metricName: "ConnectedStatus",
        dimensions: { OutpostId: "op-0123456789abcdef9" },
      },
      {
        name: "outpost-ops-dev-capacity-lab-instance-m5.large-warning",
        namespace: "AWS/Outposts",
        metricName: "InstanceTypeCapacityUtilization",
        dimensions: {},
      },
    ];
    const current = desired.map((a) => existing(a)).concat(gone);

    // Act
    const plan = planAlarmReconcile(config, PREFIX, desired, current);

    // Assess
    expect(plan.remove).toEqual([
      "outpost-ops-prod-capacity-lab-instance-m5.large-warning",
      "outpost-ops-prod-capacity-lab-storage-critical",
    ]);
  });

  it("removes the alarms of a type that vanished, never the stack's or other prefixes'", () => {
    // Prepare: c5.xlarge left the factory Outpost.
    const now = managedCapacityAlarms(config, PREFIX, [
      { ...(discovery[0] as Discovery), instanceTypes: ["m5.large"] },
      discovery[1] as Discovery,
    ]);
    const stack = staticCapacityAlarms(config, PREFIX);
    const others: ExistingAlarm[] = [
      { name: "outpost-ops-prod-rpo-orders-db", dimensions: {} },
      { name: "outpost-ops-dev-capacity-factory-instance-c5.xlarge-warning", dimensions: {} },
      { name: "outpost-ops-prod-capacity-clinic-instance-c5.xlarge-warning", dimensions: {} },
      { name: "outpost-ops-prod-capacity-factory-handmade", dimensions: {} },
    ];
    const current = [...desired, ...stack].map((a) => existing(a)).concat(others);

    // Act
    const plan = planAlarmReconcile(config, PREFIX, now, current);

    // Assess
    expect(plan.remove).toEqual([
      "outpost-ops-prod-capacity-factory-exceptions-c5.xlarge",
      "outpost-ops-prod-capacity-factory-instance-c5.xlarge-critical",
      "outpost-ops-prod-capacity-factory-instance-c5.xlarge-warning",
    ]);
    expect(plan.put).toEqual([]);
    expect(plan.unchanged).toBe(now.length);
  });
});
