import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
  type GetMetricDataCommandOutput,
  ListMetricsCommand,
  ListTagsForResourceCommand,
  PutMetricAlarmCommand,
  type PutMetricAlarmCommandInput,
  PutMetricDataCommand,
  paginateDescribeAlarms,
  paginateGetMetricData,
  paginateListMetrics,
  TagResourceCommand,
} from "@aws-sdk/client-cloudwatch";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../src/index.ts";

/**
 * The CloudWatch calls of the capacity job (design decision 14) through the real SDK: ListMetrics,
 * DeleteAlarms, PutMetricAlarm Tags, DescribeAlarms paging, GetMetricData over days, and alarms on
 * AWS/* series fed through `sandbox.metrics.put`.
 */

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const START = new Date("2024-05-14T10:00:00Z");
const MIN = 60_000;
const DAY = 86_400_000;
const WEST = "us-west-2";
const OUTPOST = "op-0123456789abcdef0";

let sb: Sandbox;
let cw: CloudWatchClient;

beforeEach(async () => {
  sb = await startSandbox({ startTime: START });
  cw = new CloudWatchClient({ region: WEST, endpoint: sb.endpoint, credentials, maxAttempts: 1 });
});

afterEach(async () => {
  cw.destroy();
  await sb.close();
});

const alarmTransitions = () =>
  sb.state
    .events(WEST)
    .filter((e) => e.source === "aws.cloudwatch")
    .map((e) => {
      const d = e.detail as { alarmName: string; previousState: { value: string }; state: { value: string } };
      return `${d.alarmName}: ${d.previousState.value} -> ${d.state.value} @ ${e.time}`;
    });

const stateOf = async (name: string) =>
  (await cw.send(new DescribeAlarmsCommand({ AlarmNames: [name] }))).MetricAlarms?.[0]?.StateValue;

const utilization = (type: string) => ({ OutpostId: OUTPOST, InstanceType: type });

describe("Sandbox: CloudWatch ListMetrics", () => {
  it("filters by namespace, name and dimensions (name only or name and value), listing only series with data", async () => {
    // Prepare
    const at = START.getTime() - MIN;
    for (const type of ["gp2", "gp3", "io1"]) {
      sb.metrics.put(
        WEST,
        "AWS/Outposts",
        "EBSVolumeTypeCapacityUtilization",
        { OutpostId: OUTPOST, VolumeType: type },
        [[at, 40]],
      );
    }
    sb.metrics.put(
      WEST,
      "AWS/Outposts",
      "EBSVolumeTypeCapacityUtilization",
      { OutpostId: "op-fffffffffffffffff", VolumeType: "gp2" },
      [[at, 10]],
    );
    sb.metrics.put(WEST, "AWS/Outposts", "ConnectedStatus", { OutpostId: OUTPOST }, [[at, 1]]);
    sb.metrics.put("us-east-1", "AWS/Outposts", "ConnectedStatus", { OutpostId: OUTPOST }, [[at, 1]]);
    // A series with no datapoints does not exist for ListMetrics.
    sb.metrics.put(WEST, "AWS/Outposts", "CapacityExceptions", { OutpostId: OUTPOST }, []);
    // Act
    const volumes = await cw.send(
      new ListMetricsCommand({
        Namespace: "AWS/Outposts",
        MetricName: "EBSVolumeTypeCapacityUtilization",
        Dimensions: [{ Name: "OutpostId", Value: OUTPOST }],
        RecentlyActive: "PT3H",
      }),
    );
    const anyOutpost = await cw.send(
      new ListMetricsCommand({ Namespace: "AWS/Outposts", Dimensions: [{ Name: "VolumeType" }] }),
    );
    const all = await cw.send(new ListMetricsCommand({}));
    const none = await cw.send(new ListMetricsCommand({ Namespace: "AWS/EC2" }));
    // Assess
    expect(
      volumes.Metrics?.map((m) => m.Dimensions?.find((d) => d.Name === "VolumeType")?.Value).sort(),
    ).toEqual(["gp2", "gp3", "io1"]);
    expect(volumes.Metrics?.[0]).toEqual({
      Namespace: "AWS/Outposts",
      MetricName: "EBSVolumeTypeCapacityUtilization",
      Dimensions: [
        { Name: "OutpostId", Value: OUTPOST },
        { Name: "VolumeType", Value: "gp2" },
      ],
    });
    expect(volumes.NextToken).toBeUndefined();
    expect(anyOutpost.Metrics).toHaveLength(4);
    expect(all.Metrics).toHaveLength(5);
    expect(none.Metrics).toEqual([]);
  });

  it("pages 500 metrics at a time with NextToken, each metric once", async () => {
    // Prepare: 1,203 series in the custom namespace (PutMetricData) and in AWS/EC2 (the seam).
    for (let n = 0; n < 1203; n++) {
      sb.metrics.put(WEST, "AWS/EC2", "CPUUtilization", { InstanceId: `i-${String(n).padStart(17, "0")}` }, [
        [START, n],
      ]);
    }
    await cw.send(
      new PutMetricDataCommand({ Namespace: "OutpostOps", MetricData: [{ MetricName: "Gauge", Value: 1 }] }),
    );
    // Act
    const pages: number[] = [];
    const ids = new Set<string>();
    for await (const page of paginateListMetrics({ client: cw }, { Namespace: "AWS/EC2" })) {
      pages.push(page.Metrics?.length ?? 0);
      for (const m of page.Metrics ?? []) ids.add(m.Dimensions?.[0]?.Value ?? "");
    }
    // Assess
    expect(pages).toEqual([500, 500, 203]);
    expect(ids.size).toBe(1203);
  });
});

/** An alarm as the capacity design declares them. */
const capacityAlarm = (name: string, extra: Partial<PutMetricAlarmCommandInput> = {}) =>
  cw.send(
    new PutMetricAlarmCommand({
      AlarmName: name,
      Namespace: "AWS/Outposts",
      MetricName: "InstanceTypeCapacityUtilization",
      Dimensions: [
        { Name: "OutpostId", Value: OUTPOST },
        { Name: "InstanceType", Value: "m5.large" },
      ],
      Statistic: "Maximum",
      Period: 300,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      Threshold: 80,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      TreatMissingData: "notBreaching",
      Tags: [{ Key: "outpost-ops:managed", Value: "true" }],
      ...extra,
    }),
  );

describe("Sandbox: CloudWatch alarms for capacity", () => {
  it("stores Tags at creation (an update's Tags are ignored) and lists them per alarm ARN", async () => {
    // Prepare
    await capacityAlarm("cap-m5-warning");
    await capacityAlarm("cap-m5-warning", { Threshold: 81, Tags: [{ Key: "other", Value: "x" }] });
    const arn = `arn:aws:cloudwatch:${WEST}:123456789012:alarm:cap-m5-warning`;
    // Act
    const tags = await cw.send(new ListTagsForResourceCommand({ ResourceARN: arn }));
    await cw.send(new TagResourceCommand({ ResourceARN: arn, Tags: [{ Key: "team", Value: "ops" }] }));
    const tagged = await cw.send(new ListTagsForResourceCommand({ ResourceARN: arn }));
    const unknown = cw.send(new ListTagsForResourceCommand({ ResourceARN: `${arn}-nope` }));
    // Assess
    expect(tags.Tags).toEqual([{ Key: "outpost-ops:managed", Value: "true" }]);
    expect(tagged.Tags).toEqual([
      { Key: "outpost-ops:managed", Value: "true" },
      { Key: "team", Value: "ops" },
    ]);
    await expect(unknown).rejects.toMatchObject({ name: "ResourceNotFoundException" });
    expect(
      (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["cap-m5-warning"] }))).MetricAlarms?.[0]
        ?.Threshold,
    ).toBe(81);
  });

  it("pages DescribeAlarms in name order with MaxRecords and NextToken, under AlarmNamePrefix", async () => {
    // Prepare: 120 alarms under the prefix, created out of order, and one outside it.
    const names = Array.from(
      { length: 120 },
      (_, n) => `outpost-ops-prod-capacity-f-${String(n).padStart(3, "0")}`,
    );
    for (const name of [...names].reverse()) await capacityAlarm(name);
    await capacityAlarm("other-alarm");
    // Act
    const sizes: number[] = [];
    const listed: string[] = [];
    for await (const page of paginateDescribeAlarms(
      { client: cw, pageSize: 50 },
      { AlarmNamePrefix: "outpost-ops-prod-capacity-" },
    )) {
      sizes.push(page.MetricAlarms?.length ?? 0);
      listed.push(...(page.MetricAlarms ?? []).map((a) => a.AlarmName ?? ""));
    }
    const defaultPage = await cw.send(new DescribeAlarmsCommand({}));
    const tooMany = cw.send(new DescribeAlarmsCommand({ MaxRecords: 101 }));
    const both = cw.send(new DescribeAlarmsCommand({ AlarmNames: ["x"], AlarmNamePrefix: "x" }));
    // Assess
    expect(sizes).toEqual([50, 50, 20]);
    expect(listed).toEqual(names);
    expect(defaultPage.MetricAlarms).toHaveLength(50);
    expect(defaultPage.NextToken).toBeDefined();
    await expect(tooMany).rejects.toMatchObject({ name: "ValidationException" });
    await expect(both).rejects.toMatchObject({ name: "InvalidParameterCombinationException" });
  });

  it("PutMetricAlarm refuses a missing required member, an unknown comparison, more datapoints than periods; nothing is stored", async () => {
    const base = {
      AlarmName: "cap-bad",
      Namespace: "AWS/Outposts",
      MetricName: "InstanceTypeCapacityUtilization",
      Statistic: "Maximum" as const,
      Period: 300,
      EvaluationPeriods: 5,
      Threshold: 80,
      ComparisonOperator: "GreaterThanOrEqualToThreshold" as const,
    };
    await expect(
      cw.send(new PutMetricAlarmCommand({ ...base, EvaluationPeriods: undefined as unknown as number })),
    ).rejects.toMatchObject({
      message: expect.stringMatching(/'evaluationPeriods' failed to satisfy constraint/),
    });
    await expect(
      cw.send(new PutMetricAlarmCommand({ ...base, ComparisonOperator: "Bigger" as "GreaterThanThreshold" })),
    ).rejects.toMatchObject({ message: expect.stringMatching(/'comparisonOperator' .*enum value set/) });
    await expect(cw.send(new PutMetricAlarmCommand({ ...base, DatapointsToAlarm: 6 }))).rejects.toMatchObject(
      {
        message: expect.stringMatching(/DatapointsToAlarm \(6\) must not exceed EvaluationPeriods \(5\)/),
      },
    );
    const stored = await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["cap-bad"] }));
    expect(stored.MetricAlarms).toEqual([]);
  });

  it("DeleteAlarms deletes up to 100 names, ignores unknown ones, refuses more; a deleted alarm sends nothing", async () => {
    // Prepare
    await capacityAlarm("cap-a");
    await capacityAlarm("cap-b");
    // Act
    await cw.send(new DeleteAlarmsCommand({ AlarmNames: ["cap-a", "never-existed"] }));
    const left = await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: "cap-" }));
    const tooMany = cw.send(
      new DeleteAlarmsCommand({ AlarmNames: Array.from({ length: 101 }, (_, n) => `cap-${n}`) }),
    );
    const before = alarmTransitions().length;
    for (let m = 0; m < 20; m++) {
      sb.metrics.put(WEST, "AWS/Outposts", "InstanceTypeCapacityUtilization", utilization("m5.large"), [
        [sb.clock.now(), 99],
      ]);
      sb.clock.advance(MIN);
    }
    // Assess
    expect(left.MetricAlarms?.map((a) => a.AlarmName)).toEqual(["cap-b"]);
    await expect(tooMany).rejects.toMatchObject({
      name: "ValidationException",
      $metadata: { httpStatusCode: 400 },
    });
    expect(await stateOf("cap-b")).toBe("ALARM");
    const after = alarmTransitions().slice(before);
    expect(after.every((t) => t.startsWith("cap-b:"))).toBe(true);
  });

  it("evaluates the design's alarms on AWS/* series fed at runtime: 3 of 3 Maximum >= 80, then OK", async () => {
    // Prepare
    await capacityAlarm("cap-m5-warning");
    await capacityAlarm("cap-m5-critical", { Threshold: 95 });
    const feed = (minutes: number, value: number) => {
      for (let m = 0; m < minutes; m++) {
        sb.metrics.put(WEST, "AWS/Outposts", "InstanceTypeCapacityUtilization", utilization("m5.large"), [
          [sb.clock.now(), value],
        ]);
        sb.clock.advance(MIN);
      }
    };
    // Act: 15 minutes at 70 %, 15 at 90 %, 15 at 97 %, 20 at 50 %.
    feed(15, 70);
    feed(15, 90);
    feed(15, 97);
    feed(20, 50);
    // Assess: each band alarms once, after three breaching 5-minute periods, and clears once.
    const t = alarmTransitions();
    expect(t.filter((x) => x.startsWith("cap-m5-warning"))).toEqual([
      "cap-m5-warning: INSUFFICIENT_DATA -> OK @ 2024-05-14T10:00:00Z",
      // Sliding 5-minute periods: at 10:26 they are [10:11, 10:16), [10:16, 10:21), [10:21, 10:26).
      "cap-m5-warning: OK -> ALARM @ 2024-05-14T10:26:00Z",
      "cap-m5-warning: ALARM -> OK @ 2024-05-14T10:50:00Z",
    ]);
    expect(t.filter((x) => x.startsWith("cap-m5-critical"))).toEqual([
      "cap-m5-critical: INSUFFICIENT_DATA -> OK @ 2024-05-14T10:00:00Z",
      "cap-m5-critical: OK -> ALARM @ 2024-05-14T10:41:00Z",
      "cap-m5-critical: ALARM -> OK @ 2024-05-14T10:50:00Z",
    ]);
  });

  it("evaluates Sum > 0 over one period, Minimum < 1 with missing data breaching, Minimum <= and Average", async () => {
    // Prepare
    const dims = [{ Name: "OutpostId", Value: OUTPOST }];
    await capacityAlarm("exceptions", {
      MetricName: "CapacityExceptions",
      Dimensions: dims,
      Statistic: "Sum",
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      Threshold: 0,
      ComparisonOperator: "GreaterThanThreshold",
    });
    await capacityAlarm("connected", {
      MetricName: "ConnectedStatus",
      Dimensions: dims,
      Statistic: "Minimum",
      Period: 60,
      Threshold: 1,
      ComparisonOperator: "LessThanThreshold",
      TreatMissingData: "breaching",
    });
    await capacityAlarm("storage", {
      Namespace: "S3Outposts",
      MetricName: "OutpostFreeBytes",
      Dimensions: dims,
      Statistic: "Minimum",
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      Threshold: 100,
      ComparisonOperator: "LessThanOrEqualToThreshold",
    });
    await capacityAlarm("cpu", {
      Namespace: "OutpostOps",
      MetricName: "OutpostCpuUtilization",
      Dimensions: [{ Name: "outpost", Value: "factory" }],
      Statistic: "Average",
    });
    // Act
    const states: Record<string, (string | undefined)[]> = {
      exceptions: [],
      connected: [],
      storage: [],
      cpu: [],
    };
    const look = async () => {
      for (const k of Object.keys(states)) states[k]?.push(await stateOf(k));
    };
    const minute = async (cpu: number) => {
      sb.metrics.put(WEST, "AWS/Outposts", "ConnectedStatus", { OutpostId: OUTPOST }, [[sb.clock.now(), 1]]);
      sb.metrics.put(WEST, "S3Outposts", "OutpostFreeBytes", { OutpostId: OUTPOST }, [[sb.clock.now(), 100]]);
      await cw.send(
        new PutMetricDataCommand({
          Namespace: "OutpostOps",
          MetricData: [
            {
              MetricName: "OutpostCpuUtilization",
              Dimensions: [{ Name: "outpost", Value: "factory" }],
              Value: cpu,
            },
          ],
        }),
      );
      sb.clock.advance(MIN);
    };
    await look(); // 10:00: nothing reported; only `connected` treats that as breaching
    for (let m = 0; m < 5; m++) await minute(m % 2 ? 60 : 120);
    const lastMinute = sb.clock.now().getTime() - MIN;
    sb.metrics.put(WEST, "AWS/Outposts", "CapacityExceptions", { OutpostId: OUTPOST }, [[lastMinute, 0]]);
    await look(); // 10:05
    sb.metrics.put(WEST, "AWS/Outposts", "CapacityExceptions", { OutpostId: OUTPOST }, [[lastMinute, 2]]);
    await look(); // 10:05, two exceptions in the last period: Sum 2 > 0
    for (let m = 0; m < 10; m++) await minute(m % 2 ? 60 : 120);
    await look(); // 10:15: three periods averaging 96, 84, 96 >= 80
    // Assess
    expect(states).toEqual({
      exceptions: ["OK", "OK", "ALARM", "OK"],
      connected: ["ALARM", "OK", "OK", "OK"],
      storage: ["OK", "ALARM", "ALARM", "ALARM"],
      cpu: ["OK", "OK", "OK", "ALARM"],
    });
  });
});

describe("Sandbox: CloudWatch GetMetricData for capacity", () => {
  /** 14 days of 5-minute datapoints rising 1 point a day (peaking at noon), ending at START. */
  const seedTrend = () => {
    const points: [number, number][] = [];
    const from = START.getTime() - 14 * DAY;
    for (let t = from; t < START.getTime(); t += 5 * MIN) {
      const day = Math.floor((t - from) / DAY);
      const hour = new Date(t).getUTCHours();
      points.push([t, 50 + day + (hour === 12 ? 10 : 0) - (hour === 0 ? 5 : 0)]);
    }
    sb.metrics.put(WEST, "AWS/Outposts", "InstanceTypeCapacityUtilization", utilization("m5.large"), points);
    return from;
  };
  const query = (id: string, stat: string, period = 86_400) => ({
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: "AWS/Outposts",
        MetricName: "InstanceTypeCapacityUtilization",
        Dimensions: [
          { Name: "OutpostId", Value: OUTPOST },
          { Name: "InstanceType", Value: "m5.large" },
        ],
      },
      Period: period,
      Stat: stat,
    },
  });

  it("answers daily Maximum, Minimum, Average and Sum over 14 days in one call, periods from StartTime", async () => {
    // Prepare
    const from = seedTrend();
    // Act
    const out = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(from),
        EndTime: START,
        ScanBy: "TimestampAscending",
        MetricDataQueries: [
          query("max", "Maximum"),
          query("min", "Minimum"),
          query("avg", "Average"),
          query("sum", "Sum"),
        ],
      }),
    );
    // Assess
    const [max, min, avg, sum] = out.MetricDataResults ?? [];
    expect(out.NextToken).toBeUndefined();
    expect(max?.StatusCode).toBe("Complete");
    expect(max?.Timestamps).toHaveLength(14);
    expect(max?.Timestamps?.[0]?.getTime()).toBe(from);
    expect(max?.Values).toEqual(Array.from({ length: 14 }, (_, d) => 60 + d));
    expect(min?.Values?.[0]).toBe(45);
    // Day 0 starts at 10:00 UTC: 12 noon points at +10, 12 midnight points at -5, 264 at 50.
    expect(avg?.Values?.[0]).toBeCloseTo((264 * 50 + 12 * 60 + 12 * 45) / 288, 6);
    expect(sum?.Values?.[0]).toBe(264 * 50 + 12 * 60 + 12 * 45);
  });

  it("pages by MaxDatapoints across queries with PartialData and NextToken, newest first by default", async () => {
    // Prepare
    const from = seedTrend();
    const input: GetMetricDataCommandInput = {
      StartTime: new Date(from),
      EndTime: START,
      MaxDatapoints: 10,
      MetricDataQueries: [query("a", "Maximum"), query("b", "Minimum")],
    };
    // Act
    const first = await cw.send(new GetMetricDataCommand(input));
    const pages: GetMetricDataCommandOutput[] = [];
    for await (const page of paginateGetMetricData({ client: cw }, input)) pages.push(page);
    // Assess
    expect(first.MetricDataResults?.map((r) => [r.Id, r.Values?.length, r.StatusCode])).toEqual([
      ["a", 10, "PartialData"],
      ["b", 0, "PartialData"],
    ]);
    expect(first.MetricDataResults?.[0]?.Values?.[0]).toBe(73);
    expect(first.NextToken).toBeDefined();
    expect(pages).toHaveLength(3);
    const merged = (id: string) =>
      pages.flatMap((p) => p.MetricDataResults?.find((r) => r.Id === id)?.Values ?? []);
    expect(merged("a")).toEqual(Array.from({ length: 14 }, (_, d) => 73 - d));
    expect(merged("b")).toHaveLength(14);
    expect(pages[2]?.NextToken).toBeUndefined();
    expect(pages[2]?.MetricDataResults?.map((r) => r.StatusCode)).toEqual(["Complete", "Complete"]);
  });

  it("accepts 500 queries and refuses 501 with ValidationError", async () => {
    // Prepare
    const many = (n: number) => Array.from({ length: n }, (_, i) => ({ ...query(`q${i}`, "Maximum", 300) }));
    // Act
    const ok = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(START.getTime() - DAY),
        EndTime: START,
        MetricDataQueries: many(500),
      }),
    );
    const refused = cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(START.getTime() - DAY),
        EndTime: START,
        MetricDataQueries: many(501),
      }),
    );
    // Assess
    expect(ok.MetricDataResults).toHaveLength(500);
    await expect(refused).rejects.toMatchObject({
      name: "ValidationException",
      $metadata: { httpStatusCode: 400 },
    });
  });

  it("sandbox.metrics.get returns what put stored; seed({ metrics }) mid-run also evaluates alarms", async () => {
    // Prepare
    await capacityAlarm("seeded", { EvaluationPeriods: 1, DatapointsToAlarm: 1 });
    // Act
    sb.seed({
      metrics: [
        {
          region: WEST,
          namespace: "AWS/Outposts",
          name: "InstanceTypeCapacityUtilization",
          dimensions: utilization("m5.large"),
          points: [[START.getTime() - MIN, 99]],
        },
      ],
    });
    // Assess
    expect(await stateOf("seeded")).toBe("ALARM");
    expect(
      sb.metrics.get(WEST, "AWS/Outposts", "InstanceTypeCapacityUtilization", utilization("m5.large")),
    ).toEqual([{ at: new Date(START.getTime() - MIN), value: 99 }]);
  });
});
