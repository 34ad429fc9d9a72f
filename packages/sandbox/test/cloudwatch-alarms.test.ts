import { readFileSync } from "node:fs";
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  PutMetricAlarmCommand,
  type PutMetricAlarmCommandInput,
  PutMetricDataCommand,
  SetAlarmStateCommand,
} from "@aws-sdk/client-cloudwatch";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type AlarmRule, judge } from "../src/cloudwatch/evaluate.ts";
import { type EventEnvelope, type Sandbox, startSandbox } from "../src/index.ts";

/**
 * CloudWatch metric alarms evaluated on the sandbox clock, and the "CloudWatch Alarm State Change"
 * events they send to the default bus, checked against the documented sample (the repo's
 * test/fixtures/events/cloudwatch-alarm-state-change*.json) through the real SDK.
 */

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const START = new Date("2024-05-14T10:00:00Z");
const MIN = 60_000;
const WEST = "us-west-2";
const OUTPOST = "op-0123456789abcdef0";

const fixture = (name: string): EventEnvelope =>
  JSON.parse(readFileSync(new URL(`../../../test/fixtures/events/${name}.json`, import.meta.url), "utf8"));

/** Every key path, in document order; arrays are represented by their first element. */
function keyPaths(v: unknown, prefix = ""): string[] {
  if (Array.isArray(v)) return v.length === 0 ? [`${prefix}[]`] : keyPaths(v[0], `${prefix}[]`);
  if (v === null || typeof v !== "object") return [`${prefix}:${typeof v}`];
  return Object.entries(v).flatMap(([k, x]) => [prefix + k, ...keyPaths(x, `${prefix + k}.`)]);
}

interface StateDetail {
  reason: string;
  reasonData?: string;
  timestamp: string;
  value: string;
}
interface AlarmDetail {
  alarmName: string;
  configuration: { description?: string; metrics: Record<string, unknown>[] };
  previousState: StateDetail;
  state: StateDetail;
}

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

const alarmEvents = () => sb.state.events(WEST).filter((e) => e.source === "aws.cloudwatch");
const transitions = () =>
  alarmEvents().map((e) => {
    const d = e.detail as AlarmDetail;
    return `${d.alarmName}: ${d.previousState.value} -> ${d.state.value} @ ${e.time}`;
  });
const stateOf = async (name: string) =>
  (await cw.send(new DescribeAlarmsCommand({ AlarmNames: [name] }))).MetricAlarms?.[0]?.StateValue;

/** An alarm on the product's own gauge, as its stacks declare them (Maximum > 0). */
const gaugeAlarm = (name: string, extra: Partial<PutMetricAlarmCommandInput>) =>
  cw.send(
    new PutMetricAlarmCommand({
      AlarmName: name,
      AlarmDescription: `${name} test alarm`,
      Namespace: "OutpostOps",
      MetricName: "ResourcesBehindRpo",
      Dimensions: [{ Name: "policy", Value: "daily" }],
      Statistic: "Maximum",
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 0,
      ComparisonOperator: "GreaterThanThreshold",
      ...extra,
    }),
  );

const gauge = (value: number, at?: Date) =>
  cw.send(
    new PutMetricDataCommand({
      Namespace: "OutpostOps",
      MetricData: [
        {
          MetricName: "ResourcesBehindRpo",
          Dimensions: [{ Name: "policy", Value: "daily" }],
          Value: value,
          Timestamp: at,
          Unit: "Count",
        },
      ],
    }),
  );

describe("Sandbox: CloudWatch alarm state change events", () => {
  it("goes ALARM when the metric breaches and OK when it clears, one event per change, shaped as the samples", async () => {
    // Prepare: the fixtures' alarm (Outpost service link, Maximum of ConnectedStatus < 1 over 5 min);
    // connected every minute except 10:02-10:06.
    const points: [string, number][] = [];
    for (let m = -10; m <= 80; m++) {
      const t = new Date(START.getTime() + m * MIN).toISOString();
      points.push([t, m >= 2 && m <= 6 ? 0 : 1]);
    }
    sb.seed({
      metrics: [
        {
          region: WEST,
          namespace: "AWS/Outposts",
          name: "ConnectedStatus",
          dimensions: { OutpostId: OUTPOST },
          points,
        },
      ],
    });
    const sample = fixture("cloudwatch-alarm-state-change");
    const sampleOk = fixture("cloudwatch-alarm-state-change-ok");
    // Act
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: "OutpostServiceLinkDisconnected",
        AlarmDescription: "Goes into alarm when the Outpost service link is disconnected",
        Namespace: "AWS/Outposts",
        MetricName: "ConnectedStatus",
        Dimensions: [{ Name: "OutpostId", Value: OUTPOST }],
        Statistic: "Maximum",
        Period: 300,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: "LessThanThreshold",
      }),
    );
    const created = await stateOf("OutpostServiceLinkDisconnected");
    sb.clock.advance(6 * MIN);
    const before = await stateOf("OutpostServiceLinkDisconnected");
    sb.clock.advance(MIN);
    const alarmed = await stateOf("OutpostServiceLinkDisconnected");
    sb.clock.advance(MIN);
    const cleared = await stateOf("OutpostServiceLinkDisconnected");
    sb.clock.advance(60 * MIN);
    // Assess
    expect([created, before, alarmed, cleared]).toEqual(["OK", "OK", "ALARM", "OK"]);
    expect(transitions()).toEqual([
      "OutpostServiceLinkDisconnected: INSUFFICIENT_DATA -> OK @ 2024-05-14T10:00:00Z",
      "OutpostServiceLinkDisconnected: OK -> ALARM @ 2024-05-14T10:07:00Z",
      "OutpostServiceLinkDisconnected: ALARM -> OK @ 2024-05-14T10:08:00Z",
    ]);
    const [first, alarm, ok] = alarmEvents() as [EventEnvelope, EventEnvelope, EventEnvelope];
    expect(keyPaths(alarm)).toEqual(keyPaths(sample));
    expect(keyPaths(ok)).toEqual(keyPaths(sampleOk));
    const arn = `arn:aws:cloudwatch:${WEST}:123456789012:alarm:OutpostServiceLinkDisconnected`;
    const d = alarm.detail as AlarmDetail;
    expect(alarm).toMatchObject({
      "detail-type": "CloudWatch Alarm State Change",
      source: "aws.cloudwatch",
      account: "123456789012",
      region: WEST,
      time: "2024-05-14T10:07:00Z",
      resources: [arn],
    });
    expect(d.configuration).toEqual({
      description: "Goes into alarm when the Outpost service link is disconnected",
      metrics: [
        {
          id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          metricStat: {
            metric: {
              dimensions: { OutpostId: OUTPOST },
              name: "ConnectedStatus",
              namespace: "AWS/Outposts",
            },
            period: 300,
            stat: "Maximum",
          },
          returnData: true,
        },
      ],
    });
    const sampleState = (sample.detail as AlarmDetail).state;
    expect(d.state).toMatchObject({ value: "ALARM", timestamp: "2024-05-14T10:07:00.000+0000" });
    // The sample's wording and window (datapoint at 10:02 for a 10:07 evaluation) come out as sampled.
    expect(d.state.reason).toBe(sampleState.reason);
    const reasonData = JSON.parse(d.state.reasonData as string);
    expect(Object.keys(reasonData)).toEqual(Object.keys(JSON.parse(sampleState.reasonData as string)));
    expect(reasonData).toMatchObject({
      queryDate: "2024-05-14T10:07:00.000+0000",
      startDate: "2024-05-14T10:02:00.000+0000",
      statistic: "Maximum",
      period: 300,
      recentDatapoints: [0],
      threshold: 1,
    });
    // Each event's previousState is the state the one before it set.
    expect((first.detail as AlarmDetail).previousState).toEqual({
      reason: "Unchecked: Initial alarm creation",
      timestamp: "2024-05-14T10:00:00.000+0000",
      value: "INSUFFICIENT_DATA",
    });
    expect(d.previousState).toEqual((first.detail as AlarmDetail).state);
    expect((ok.detail as AlarmDetail).previousState).toEqual(d.state);
    expect((ok.detail as AlarmDetail).state.reason).toMatch(/was not less than the threshold \(1\.0\)/);
  });

  it("shows the new state, reason and timestamps in DescribeAlarms", async () => {
    // Act
    await gaugeAlarm("rpo-daily", { TreatMissingData: "notBreaching" });
    sb.clock.advance(30_000);
    await gauge(2);
    sb.clock.advance(30_000);
    const out = await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["rpo-daily"] }));
    // Assess
    expect(out.MetricAlarms?.[0]).toMatchObject({
      AlarmName: "rpo-daily",
      StateValue: "ALARM",
      StateReason: expect.stringMatching(/^Threshold Crossed: 1 out of the last 1 datapoints \[2\.0 /),
      StateUpdatedTimestamp: new Date("2024-05-14T10:01:00Z"),
      StateTransitionedTimestamp: new Date("2024-05-14T10:01:00Z"),
      TreatMissingData: "notBreaching",
      Threshold: 0,
    });
    expect(JSON.parse(out.MetricAlarms?.[0]?.StateReasonData ?? "{}")).toMatchObject({
      recentDatapoints: [2],
    });
    const alarmed = await cw.send(new DescribeAlarmsCommand({ StateValue: "ALARM" }));
    expect(alarmed.MetricAlarms?.map((a) => a.AlarmName)).toEqual(["rpo-daily"]);
  });

  it("sends no event while the state stays the same", async () => {
    // Prepare
    await gaugeAlarm("rpo-daily", { Period: 1800, TreatMissingData: "notBreaching" });
    // Act: breaching datapoints every 10 minutes for two hours keep it in ALARM.
    for (let n = 0; n < 12; n++) {
      await gauge(3);
      sb.clock.advance(10 * MIN);
    }
    // Assess
    expect(transitions()).toEqual([
      "rpo-daily: INSUFFICIENT_DATA -> OK @ 2024-05-14T10:00:00Z",
      "rpo-daily: OK -> ALARM @ 2024-05-14T10:10:00Z",
    ]);
  });

  it("treats silence as breaching: ALARM once EvaluationPeriods periods have no data", async () => {
    // Prepare: the scheduler publishes 0 every ten minutes, then stops after the 10:50 run.
    await gaugeAlarm("rpo-daily", { Period: 300, EvaluationPeriods: 2, TreatMissingData: "breaching" });
    const early = await stateOf("rpo-daily");
    for (let n = 0; n < 6; n++) {
      await gauge(0);
      sb.clock.advance(10 * MIN);
    }
    // Act: now 11:00, the last datapoint is at 10:50. The window [W-10min, W) holds it up to W = 11:00.
    const oneSilentPeriod = await stateOf("rpo-daily");
    sb.clock.set(new Date("2024-05-14T11:00:59Z"));
    const justBefore = await stateOf("rpo-daily");
    sb.clock.set(new Date("2024-05-14T11:01:00Z"));
    const after = await stateOf("rpo-daily");
    // Assess: a brand-new alarm with no data at all is breaching from its first evaluation; one
    // period with data among the two makes it OK (1 filled breaching < M = 2).
    expect(early).toBe("ALARM");
    expect(oneSilentPeriod).toBe("OK");
    expect(justBefore).toBe("OK");
    expect(after).toBe("ALARM");
    expect(transitions()).toEqual([
      "rpo-daily: INSUFFICIENT_DATA -> ALARM @ 2024-05-14T10:00:00Z",
      "rpo-daily: ALARM -> OK @ 2024-05-14T10:10:00Z",
      "rpo-daily: OK -> ALARM @ 2024-05-14T11:01:00Z",
    ]);
    expect((alarmEvents()[2]?.detail as AlarmDetail | undefined)?.state.reason).toMatch(
      /treated as \[Breaching\]/,
    );
  });

  it("treats silence as not breaching: OK with no data, for days", async () => {
    // Act
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: "copy-kms-key",
        Namespace: "OutpostOps",
        MetricName: "KmsKeyUnusable",
        Dimensions: [{ Name: "key", Value: "arn:aws:kms:us-east-1:123456789012:key/k" }],
        Statistic: "Maximum",
        Period: 300,
        EvaluationPeriods: 1,
        Threshold: 0,
        ComparisonOperator: "GreaterThanThreshold",
        TreatMissingData: "notBreaching",
      }),
    );
    for (let h = 0; h < 48; h++) sb.clock.advance(60 * MIN);
    // Assess
    expect(await stateOf("copy-kms-key")).toBe("OK");
    expect(transitions()).toEqual(["copy-kms-key: INSUFFICIENT_DATA -> OK @ 2024-05-14T10:00:00Z"]);
  });

  it("stays INSUFFICIENT_DATA with no data when missing data is treated as missing (the default)", async () => {
    // Act
    await gaugeAlarm("rpo-daily", {});
    sb.clock.advance(60 * MIN);
    // Assess
    expect(await stateOf("rpo-daily")).toBe("INSUFFICIENT_DATA");
    expect(alarmEvents()).toEqual([]);
  });

  it("needs DatapointsToAlarm (M) of the last EvaluationPeriods (N) periods breaching", async () => {
    // Prepare: 2 out of 3 one-minute periods; per minute 10:00.. values 1 0 0 1 1 0 0 0.
    await gaugeAlarm("two-of-three", { Period: 60, EvaluationPeriods: 3, DatapointsToAlarm: 2 });
    const values = [1, 0, 0, 1, 1, 0, 0, 0];
    const states: (string | undefined)[] = [];
    // Act: publish each minute's value 30 s into the minute, look at the state after the minute.
    for (const v of values) {
      sb.clock.advance(30_000);
      await gauge(v);
      sb.clock.advance(30_000);
      states.push(await stateOf("two-of-three"));
    }
    // Assess: windows (oldest first) [- - 1] (one breaching point, too recent to alarm on: missing
    // data is "missing"), [- 1 0], [1 0 0], [0 0 1], [0 1 1], [1 1 0], [1 0 0], [0 0 0].
    expect(states).toEqual(["INSUFFICIENT_DATA", "OK", "OK", "OK", "ALARM", "ALARM", "OK", "OK"]);
    expect(transitions()).toEqual([
      "two-of-three: INSUFFICIENT_DATA -> OK @ 2024-05-14T10:02:00Z",
      "two-of-three: OK -> ALARM @ 2024-05-14T10:05:00Z",
      "two-of-three: ALARM -> OK @ 2024-05-14T10:07:00Z",
    ]);
    expect((alarmEvents()[1]?.detail as AlarmDetail | undefined)?.state.reason).toMatch(
      /^Threshold Crossed: 2 out of the last 3 datapoints \[1\.0 \(14\/05\/24 10:04:00\), 1\.0 \(14\/05\/24 10:03:00\)\] were greater than the threshold \(0\.0\) \(minimum 2 datapoints for OK -> ALARM transition\)\.$/,
    );
  });

  it("evaluates once at the new time when the clock jumps: no ALARM -> OK flap inside a jump", async () => {
    // Prepare: a breach at 10:20, inside the jump below.
    await gaugeAlarm("rpo-daily", { TreatMissingData: "notBreaching" });
    await gauge(5, new Date("2024-05-14T10:20:00Z"));
    // Act
    sb.clock.advance(2 * 60 * MIN);
    // Assess
    expect(await stateOf("rpo-daily")).toBe("OK");
    expect(transitions()).toEqual(["rpo-daily: INSUFFICIENT_DATA -> OK @ 2024-05-14T10:00:00Z"]);
  });

  it("aligns periods to the clock with a WallClockWindow, to the minute with the default sliding window", async () => {
    // Prepare
    await gaugeAlarm("sliding", { TreatMissingData: "notBreaching" });
    await gaugeAlarm("wall-clock", {
      TreatMissingData: "notBreaching",
      EvaluationWindow: { WallClockWindow: {} },
    });
    sb.clock.advance(30_000);
    await gauge(1);
    // Act
    sb.clock.advance(30_000);
    const at1001 = [await stateOf("sliding"), await stateOf("wall-clock")];
    sb.clock.set(new Date("2024-05-14T10:05:00Z"));
    const at1005 = [await stateOf("sliding"), await stateOf("wall-clock")];
    sb.clock.set(new Date("2024-05-14T10:06:00Z"));
    const at1006 = [await stateOf("sliding"), await stateOf("wall-clock")];
    sb.clock.set(new Date("2024-05-14T10:10:00Z"));
    const at1010 = [await stateOf("sliding"), await stateOf("wall-clock")];
    // Assess: sliding [09:56, 10:01) holds the 10:00:30 point until [10:01, 10:06); wall clock only
    // [10:00, 10:05), evaluated from 10:05 until 10:10.
    expect(at1001).toEqual(["ALARM", "OK"]);
    expect(at1005).toEqual(["ALARM", "ALARM"]);
    expect(at1006).toEqual(["OK", "ALARM"]);
    expect(at1010).toEqual(["OK", "OK"]);
  });

  it("sends the event for SetAlarmState, holds the state until the next evaluation window, then re-evaluates", async () => {
    // Prepare
    await gaugeAlarm("rpo-daily", { TreatMissingData: "notBreaching" });
    sb.clock.advance(10_000);
    // Act
    await cw.send(
      new SetAlarmStateCommand({
        AlarmName: "rpo-daily",
        StateValue: "ALARM",
        StateReason: "Testing the relay",
        StateReasonData: '{"test":true}',
      }),
    );
    await gauge(0);
    const held = await stateOf("rpo-daily");
    await cw.send(
      new SetAlarmStateCommand({ AlarmName: "rpo-daily", StateValue: "ALARM", StateReason: "Again" }),
    );
    sb.clock.advance(50_000);
    const after = await stateOf("rpo-daily");
    const bad = await cw
      .send(
        new SetAlarmStateCommand({
          AlarmName: "rpo-daily",
          StateValue: "OK",
          StateReason: "x",
          StateReasonData: "{",
        }),
      )
      .catch((e: Error) => e.name);
    const missing = await cw
      .send(new SetAlarmStateCommand({ AlarmName: "nope", StateValue: "OK", StateReason: "x" }))
      .catch((e: Error) => e.name);
    // Assess
    expect(held).toBe("ALARM");
    expect(after).toBe("OK");
    expect(transitions()).toEqual([
      "rpo-daily: INSUFFICIENT_DATA -> OK @ 2024-05-14T10:00:00Z",
      "rpo-daily: OK -> ALARM @ 2024-05-14T10:00:10Z",
      "rpo-daily: ALARM -> OK @ 2024-05-14T10:01:00Z",
    ]);
    expect((alarmEvents()[1]?.detail as AlarmDetail | undefined)?.state).toEqual({
      reason: "Testing the relay",
      reasonData: '{"test":true}',
      timestamp: "2024-05-14T10:00:10.000+0000",
      value: "ALARM",
    });
    expect(bad).toBe("InvalidFormatFault");
    expect(missing).toBe("ResourceNotFound");
  });

  it("keeps the state when an alarm is updated, and re-evaluates it under the new configuration", async () => {
    // Prepare
    await gaugeAlarm("rpo-daily", { TreatMissingData: "notBreaching" });
    sb.clock.advance(30_000);
    await gauge(3);
    sb.clock.advance(30_000);
    // Act
    await gaugeAlarm("rpo-daily", { TreatMissingData: "notBreaching", Threshold: 5 });
    // Assess
    expect(await stateOf("rpo-daily")).toBe("OK");
    expect(transitions()).toEqual([
      "rpo-daily: INSUFFICIENT_DATA -> OK @ 2024-05-14T10:00:00Z",
      "rpo-daily: OK -> ALARM @ 2024-05-14T10:01:00Z",
      "rpo-daily: ALARM -> OK @ 2024-05-14T10:01:00Z",
    ]);
  });
});

describe("Alarm evaluation over one window (the User Guide's missing-data rules)", () => {
  const rule = (treat: AlarmRule["treatMissingData"], m = 3): AlarmRule => ({
    periodMs: 300_000,
    evaluationPeriods: 3,
    datapointsToAlarm: m,
    threshold: 3,
    comparison: "GreaterThanThreshold",
    treatMissingData: treat,
    wallClock: false,
  });
  // Oldest first: 0 = not breaching, X = breaching, - = missing.
  const window = (s: string) => s.split(" ").map((c) => (c === "X" ? 5 : c === "0" ? 0 : undefined));
  const cases: [string, number, Record<AlarmRule["treatMissingData"], string | undefined>][] = [
    ["X X X", 3, { missing: "ALARM", ignore: "ALARM", breaching: "ALARM", notBreaching: "ALARM" }],
    ["0 X X", 3, { missing: "OK", ignore: "OK", breaching: "OK", notBreaching: "OK" }],
    ["- - -", 3, { missing: "INSUFFICIENT_DATA", ignore: undefined, breaching: "ALARM", notBreaching: "OK" }],
    ["0 - -", 3, { missing: "OK", ignore: "OK", breaching: "OK", notBreaching: "OK" }],
    // Premature-alarm logic: the oldest breaching point is M periods old, nothing good after it.
    ["X - -", 3, { missing: "ALARM", ignore: undefined, breaching: "ALARM", notBreaching: "OK" }],
    ["- - X", 3, { missing: "INSUFFICIENT_DATA", ignore: undefined, breaching: "ALARM", notBreaching: "OK" }],
    ["0 X -", 2, { missing: "OK", ignore: "OK", breaching: "ALARM", notBreaching: "OK" }],
    ["- X -", 2, { missing: "ALARM", ignore: undefined, breaching: "ALARM", notBreaching: "OK" }],
  ];
  it.each(cases)("%s with M=%i", (points, m, expected) => {
    for (const treat of ["missing", "ignore", "breaching", "notBreaching"] as const) {
      expect([treat, judge(rule(treat, m), window(points)).state]).toEqual([treat, expected[treat]]);
    }
  });
});
