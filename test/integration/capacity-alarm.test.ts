/**
 * The capacity alarm path over the sandbox, end to end: the monitor creates the m5.large alarms, a
 * squeeze of AWS/Outposts InstanceTypeCapacityUtilization (played with sb.metrics.put over 13 days of
 * a seeded linear trend) makes the sandbox's alarms change state, and every state change event goes
 * through handleCapacityAlarm: one warning alert with the seeded trend's forecast, one critical when
 * it worsens, nothing while it stays, one resolved on recovery. The service link going down is one
 * critical alert naming the failover command and DR readiness. The capacity view reads the same
 * numbers as the alert.
 */
import { CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import type { AlarmStateChange, Alert } from "@outpost-ops/core/alerts";
import { putCapacityAlarm } from "@outpost-ops/core/aws/alarms";
import { staticCapacityAlarms } from "@outpost-ops/core/capacity/alarms";
import { forecastFull } from "@outpost-ops/core/capacity/forecast";
import { capacityAlarmName } from "@outpost-ops/core/capacity/names";
import type { ConfigInput } from "@outpost-ops/core/config";
import { CapacityAlarmError } from "@outpost-ops/core/errors";
import { handleCapacityAlarm } from "@outpost-ops/core/jobs/capacity-alarm";
import { runCapacityMonitor } from "@outpost-ops/core/jobs/capacity-monitor";
import { readCapacityView } from "@outpost-ops/core/jobs/capacity-view";
import { afterEach, describe, expect, it } from "vitest";
import {
  type CapacitySandbox,
  clinicOutpost,
  DAY_MS,
  FACTORY_ID,
  factoryOutpost,
  PREFIX,
  STAGE,
  START,
  startCapacitySandbox,
} from "./capacity-sandbox.ts";
import { configInput, REGION } from "./helpers.ts";

let cs: CapacitySandbox | undefined;
afterEach(async () => {
  await cs?.close();
  cs = undefined;
});

const DR = "us-east-1";
const M5 = { outpost: "factory", kind: "instance-type", subject: "m5.large" } as const;
const WARNING = capacityAlarmName(PREFIX, M5, "warning");
const CRITICAL = capacityAlarmName(PREFIX, M5, "critical");
const CONNECTED = capacityAlarmName(PREFIX, { outpost: "factory", kind: "connected" });
const dims = { OutpostId: FACTORY_ID, InstanceType: "m5.large" };
const MIDNIGHT = Date.UTC(2024, 4, 14);

/** Day k of the 14 (k = 13 is today): 48 + 3k %, a perfect line, 3 points a day. */
const trend = (k: number) => 48 + 3 * k;

/** The 13 days before today, one point at noon each, on the line. */
function history(): [number, number][] {
  return Array.from({ length: 13 }, (_, k) => [MIDNIGHT - (13 - k) * DAY_MS + 12 * 3_600_000, trend(k)]);
}

function withFailover(): ConfigInput {
  return {
    ...configInput(),
    failover: {
      hostedZone: { name: "example.com" },
      records: [
        {
          name: "app.example.com",
          type: "A",
          primary: { values: ["10.0.0.10"] },
          dr: { values: ["10.1.0.10"] },
        },
      ],
    },
  };
}

async function start(input: ConfigInput = configInput()) {
  const c = await startCapacitySandbox({
    input,
    estate: {
      outposts: [factoryOutpost(["m5.large"]), clinicOutpost()],
      metrics: [
        {
          region: REGION,
          namespace: "AWS/Outposts",
          name: "InstanceTypeCapacityUtilization",
          dimensions: dims,
          points: history(),
        },
      ],
    },
  });
  await runCapacityMonitor({
    clients: c.clients,
    config: c.config,
    prefix: PREFIX,
    region: REGION,
    now: c.now(),
  });
  return c;
}

/**
 * Utilization `value` for `minutes`, as AWS reports it: each minute the clock moves (the alarms
 * evaluate) and a datapoint arrives, with the headroom counts.
 */
function play(c: CapacitySandbox, value: number, minutes = 15) {
  for (let i = 0; i < minutes; i++) {
    c.sb.clock.advance(60_000);
    const now = c.now().getTime();
    c.sb.metrics.put(REGION, "AWS/Outposts", "InstanceTypeCapacityUtilization", dims, [[now, value]]);
    c.sb.metrics.put(REGION, "AWS/Outposts", "AvailableInstanceType_Count", dims, [
      [now, Math.round((100 - value) / 10)],
    ]);
    c.sb.metrics.put(REGION, "AWS/Outposts", "UsedInstanceType_Count", dims, [[now, Math.round(value / 10)]]);
  }
}

/** ConnectedStatus 1 every minute of the last quarter hour: the connected alarm (3 of 15) starts OK. */
function linkUpForAQuarterHour(c: CapacitySandbox) {
  const now = c.now().getTime();
  c.sb.metrics.put(
    REGION,
    "AWS/Outposts",
    "ConnectedStatus",
    { OutpostId: FACTORY_ID },
    Array.from({ length: 16 }, (_, i) => [now - (15 - i) * 60_000, 1] as const),
  );
}

/** Runs every state change event of the names since the cursor through the handler. */
async function handleNew(c: CapacitySandbox, names: string[], from: number) {
  const changes: AlarmStateChange[] = names.flatMap((n) => c.changesOf(n, from));
  const out = [];
  for (const change of changes)
    out.push(
      await handleCapacityAlarm({
        clients: c.clients,
        config: c.config,
        prefix: PREFIX,
        region: REGION,
        stage: STAGE,
        change,
        now: c.now(),
      }),
    );
  return out;
}

const alertsOf = (results: { alert?: Alert }[]) => results.flatMap((r) => (r.alert ? [r.alert] : []));

describe("capacity alarms, one alert per condition", () => {
  it("a squeeze alerts once at warning with the trend's forecast, once at critical, not while it stays, once resolved", async () => {
    cs = await start();
    const names = [WARNING, CRITICAL];
    // The alarms' first evaluation (INSUFFICIENT_DATA -> OK) says nothing.
    expect(alertsOf(await handleNew(cs, names, 0))).toEqual([]);

    // Today at 87 %: the warning band (80) for three periods; the 14 daily maxima lie on one line.
    let cursor = cs.eventCount();
    play(cs, trend(13));
    const warned = await handleNew(cs, names, cursor);
    const warnings = alertsOf(warned);
    expect(warnings).toHaveLength(1);
    const warning = warnings[0] as Alert;
    expect(warning.severity).toBe("warning");
    expect(warning.job).toBe("capacity");
    expect(warning.stage).toBe(STAGE);
    const reading = warned.find((r) => r.alert)?.reading;
    expect(reading?.current).toBe(87);
    expect(reading?.daily.map((p) => p.value)).toEqual(Array.from({ length: 14 }, (_, k) => trend(k)));
    // (100 - 87) / 3 per day = 4.3: full in ~5 days, an exact fit.
    expect(reading?.forecast).toMatchObject({ kind: "full-in", days: 5, points: 14 });
    expect(reading?.forecast?.kind === "full-in" && reading.forecast.r2).toBeCloseTo(1, 5);
    expect(reading?.headroom).toEqual({ available: 1, used: 9 });
    expect(warning.subject).toMatch(/^\[WARNING\] factory Outpost: m5\.large capacity 87 %, full in ~5 days/);
    expect(warning.attributes).toMatchObject({
      outpost: "factory",
      metric: "instance-type",
      band: "warning",
    });

    // The view reads the same numbers as the alert.
    const view = await readCapacityView({
      clients: cs.clients,
      config: cs.config,
      region: REGION,
      now: cs.now(),
    });
    const fromView = view.outposts
      .find((o) => o.outpost === "factory")
      ?.readings.find((r) => r.condition.kind === "instance-type" && r.condition.subject === "m5.large");
    expect(fromView).toEqual(reading);

    // Worse: 97 % crosses critical (95); the warning alarm stays ALARM and sends no event.
    cursor = cs.eventCount();
    play(cs, 97);
    const worse = await handleNew(cs, names, cursor);
    const criticals = alertsOf(worse);
    expect(criticals.map((a) => a.severity)).toEqual(["critical"]);
    const worseDaily = worse.find((r) => r.alert)?.reading?.daily ?? [];
    expect(worseDaily.map((p) => p.value)).toEqual([...Array.from({ length: 13 }, (_, k) => trend(k)), 97]);
    expect(worse.find((r) => r.alert)?.reading?.forecast).toEqual(forecastFull(worseDaily));

    // It stays at 97 % for an hour: the alarms evaluate again and again, nobody hears of it.
    cursor = cs.eventCount();
    play(cs, 97, 60);
    expect(alertsOf(await handleNew(cs, names, cursor))).toEqual([]);
    // A redelivered warning ALARM while critical is in ALARM is silent too.
    const replay = await handleCapacityAlarm({
      clients: cs.clients,
      config: cs.config,
      prefix: PREFIX,
      region: REGION,
      stage: STAGE,
      change: {
        alarmName: WARNING,
        state: "ALARM",
        previousState: "OK",
        region: REGION,
        at: cs.now(),
        resources: [],
      },
      now: cs.now(),
    });
    expect(replay.decision.kind).toBe("silent");
    expect(replay.alert).toBeUndefined();

    // Recovery to 60 %: both bands go OK once 3 of the last 5 periods are below (a sustained
    // recovery, not one dip), and one resolved message says so.
    cursor = cs.eventCount();
    play(cs, 60, 25);
    const recovered = await handleNew(cs, names, cursor);
    expect(recovered.length).toBeGreaterThanOrEqual(2);
    const resolved = alertsOf(recovered);
    expect(resolved).toHaveLength(1);
    expect(resolved[0]?.severity).toBe("info");
    expect(resolved[0]?.subject).toMatch(/resolved/);
  });

  it("the service link down is one critical alert naming the failover command and DR readiness", async () => {
    cs = await start(withFailover());
    linkUpForAQuarterHour(cs);
    for (const alarm of staticCapacityAlarms(cs.config, PREFIX).filter(
      (a) => a.condition.outpost === "factory",
    ))
      await putCapacityAlarm(cs.cloudwatch, alarm);
    await cs.clients.get(CloudWatchClient, DR).send(
      new PutMetricDataCommand({
        Namespace: "OutpostOps",
        MetricData: [{ MetricName: "FailoverReady", Value: 1, Unit: "Count", Timestamp: cs.now() }],
      }),
    );
    // The link was up (above); from now on nothing: missing data is breaching.
    const cursor = cs.eventCount();
    for (let i = 0; i < 6; i++) cs.sb.clock.advance(60_000);
    const results = await handleNew(cs, [CONNECTED], cursor);
    const alerts = alertsOf(results);
    expect(alerts).toHaveLength(1);
    const alert = alerts[0] as Alert;
    expect(alert.severity).toBe("critical");
    expect(alert.subject).toMatch(/factory Outpost: service link down/);
    expect(alert.body).toContain(`npx outpost-ops failover --stage ${STAGE}`);
    expect(alert.body).toContain(`DR readiness: ready (FailoverReady in ${DR})`);
  });

  it("an alert whose reads fail still goes out, saying what could not be read (the edge will not come again)", async () => {
    cs = await start(withFailover());
    linkUpForAQuarterHour(cs);
    for (const alarm of staticCapacityAlarms(cs.config, PREFIX).filter(
      (a) => a.condition.outpost === "factory",
    ))
      await putCapacityAlarm(cs.cloudwatch, alarm);
    const cursor = cs.eventCount();
    for (let i = 0; i < 6; i++) cs.sb.clock.advance(60_000);
    // The alarm has changed; now the handler's metric reads (and DR readiness) are refused.
    cs.sb.faults.set({
      service: "cloudwatch",
      operation: "GetMetricData",
      error: { code: "AccessDenied", status: 403 },
    });
    const results = await handleNew(cs, [CONNECTED], cursor).finally(() => cs?.sb.faults.clear());
    const alerts = alertsOf(results);
    expect(alerts).toHaveLength(1);
    const alert = alerts[0] as Alert;
    expect(alert.subject).toMatch(/factory Outpost: service link down/);
    expect(alert.body).toMatch(/Not read: {3}the metrics .*AccessDenied/);
    expect(alert.body).toContain("DR readiness: unknown");
  });

  it("an alarm name that is not ours, or names an Outpost the config does not have, is a clear error", async () => {
    cs = await start();
    const change = (alarmName: string): AlarmStateChange => ({
      alarmName,
      state: "ALARM",
      previousState: "OK",
      region: REGION,
      at: cs?.now() ?? START,
      resources: [],
    });
    const handle = (alarmName: string) =>
      handleCapacityAlarm({
        clients: (cs as CapacitySandbox).clients,
        config: (cs as CapacitySandbox).config,
        prefix: PREFIX,
        region: REGION,
        stage: STAGE,
        change: change(alarmName),
        now: START,
      });
    await expect(handle(`${PREFIX}-capacity-annex-instance-m5.large-warning`)).rejects.toThrow(
      CapacityAlarmError,
    );
    await expect(handle(`${PREFIX}-capacity-annex-instance-m5.large-warning`)).rejects.toThrow(/annex/);
    await expect(handle("someone-elses-alarm")).rejects.toThrow(CapacityAlarmError);
  });
});
