/**
 * The failover side of the drill's estate, derived from the config's `failover` section as the
 * application team had it before outpost-ops was deployed: the hosted zone with every configured
 * record at the primary site (a failover pair's PRIMARY and SECONDARY), every configured health check
 * (healthy), and each trigger alarm of the primary Region as the user created it: on the
 * ConnectedStatus of the Outpost it watches (AWS/Outposts, one datapoint a minute; the drill writes
 * the series, failover-script.ts). The alarm is the user's, not one of ours: its changes reach
 * the failover function only through the Failover stack's rules.
 */
import { PutMetricAlarmCommand } from "@aws-sdk/client-cloudwatch";
import { absolute, type Config, type FailoverConfig } from "@outpost-ops/core/config";
import { type RecordSet, recordFor, secondaryFor } from "@outpost-ops/core/failover/records";
import { triggerAlarms } from "@outpost-ops/functions/src/jobs.ts";
import type { Estate, RecordSeed } from "@outpost-ops/sandbox";

/** The zone's id in the drill when the config names it by name (Route 53 assigns one in AWS). */
export const DRILL_ZONE_ID = "Z0DRILL0FAILOVER00001";

/** A trigger alarm the drill creates as the user would: an Outpost's service link. */
export interface TriggerAlarm {
  region: string;
  name: string;
  /** The Outpost whose ConnectedStatus it watches. */
  outpostId: string;
  outpostName: string;
}

export interface FailoverEstate {
  zone: { id: string; name: string };
  /** Every record set of the configured names as seeded: what failback must restore exactly. */
  primaryRecords: RecordSet[];
  healthChecks: string[];
  alarms: TriggerAlarm[];
  /** What to seed in the sandbox: the zone with its records, the health checks. */
  seed: Pick<Estate, "hostedZones" | "healthChecks">;
}

function toSeed(r: RecordSet): RecordSeed {
  return {
    name: r.name,
    type: r.type,
    ...(r.alias
      ? {
          aliasTarget: {
            hostedZoneId: r.alias.hostedZoneId,
            dnsName: r.alias.dnsName,
            evaluateTargetHealth: r.alias.evaluateTargetHealth,
          },
        }
      : { ttl: r.ttl, values: r.values ?? [] }),
    ...(r.setIdentifier ? { setIdentifier: r.setIdentifier } : {}),
    ...(r.failover ? { failover: r.failover } : {}),
    ...(r.healthCheckId ? { healthCheckId: r.healthCheckId } : {}),
  };
}

/** A zone given by id only: the longest domain (two labels at least) every record is in. */
function zoneNameOf(failover: FailoverConfig): string {
  const labels = failover.records.map((r) => absolute(r.name).slice(0, -1).split(".").reverse());
  const first = labels[0] ?? [];
  let n = 0;
  while (n < first.length - 1 && labels.every((l) => l.length > n + 1 && l[n] === first[n])) n += 1;
  return `${first.slice(0, Math.max(n, 2)).reverse().join(".")}.`;
}

/**
 * The Outpost a trigger alarm watches: the one whose name the alarm's name contains
 * (`factory-service-link` → factory), else the first.
 */
function outpostOf(config: Config, alarm: string): { id: string; name: string } | undefined {
  const outpost = config.outposts.find((o) => alarm.includes(o.name)) ?? config.outposts[0];
  return outpost ? { id: outpost.arn.split("/").pop() ?? outpost.name, name: outpost.name } : undefined;
}

/**
 * @example const estate = failoverEstate(config); sandbox.seed(estate.seed)
 * @returns undefined for a config without `failover`
 */
export function failoverEstate(config: Config): FailoverEstate | undefined {
  const failover = config.failover;
  if (!failover) return undefined;
  const zone = {
    id: failover.hostedZone.id ?? DRILL_ZONE_ID,
    name: failover.hostedZone.name ? absolute(failover.hostedZone.name) : zoneNameOf(failover),
  };
  const primaryRecords = failover.records.flatMap((r) => {
    const secondary = secondaryFor(r);
    return [recordFor(r, "primary"), ...(secondary ? [secondary] : [])];
  });
  const healthChecks = [
    ...new Set(
      failover.records
        .flatMap((r) => [r.primaryHealthCheckId, r.drHealthCheckId])
        .filter((id) => id !== undefined),
    ),
  ];
  const region = config.regions.primary;
  // Only the primary Region's: DR-Region trigger alarms (an application's health) are not played.
  const alarms = triggerAlarms(config, region).flatMap((name) => {
    const outpost = outpostOf(config, name);
    return outpost ? [{ region, name, outpostId: outpost.id, outpostName: outpost.name }] : [];
  });
  return {
    zone,
    primaryRecords,
    healthChecks,
    alarms,
    seed: {
      hostedZones: [{ id: zone.id, name: zone.name, records: primaryRecords.map(toSeed) }],
      healthChecks: healthChecks.map((id) => ({ id, healthy: true })),
    },
  };
}

/**
 * The trigger alarm as a user creates it for an Outpost's service link: the minimum of
 * ConnectedStatus over a minute below 1 (0: disconnected), a missing datapoint counting as
 * disconnected (the metric stops when the link does), one period, no actions (the Failover stack's
 * rules pick up its state changes from EventBridge).
 */
export function triggerAlarmCommand(alarm: TriggerAlarm): PutMetricAlarmCommand {
  return new PutMetricAlarmCommand({
    AlarmName: alarm.name,
    AlarmDescription: `Service link of Outpost ${alarm.outpostName} (${alarm.outpostId}) down`,
    Namespace: "AWS/Outposts",
    MetricName: "ConnectedStatus",
    Dimensions: [{ Name: "OutpostId", Value: alarm.outpostId }],
    Statistic: "Minimum",
    Period: 60,
    EvaluationPeriods: 1,
    Threshold: 1,
    ComparisonOperator: "LessThanThreshold",
    TreatMissingData: "breaching",
  });
}
