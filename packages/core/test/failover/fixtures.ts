import { type FailoverConfig, parseConfig } from "../../src/config/index.ts";
import type { FailoverInput, Trigger } from "../../src/failover/plan.ts";
import type { PolicyReadiness } from "../../src/failover/readiness.ts";
import { type RecordSet, recordFor, secondaryFor } from "../../src/failover/records.ts";
import { stateRecord } from "../../src/failover/state.ts";

export const NOW = new Date("2024-05-14T12:00:00Z");
export const ZONE = { id: "Z0123456789ABCDEFGHIJ", name: "example.com." };
export const PRIMARY_HC = "11111111-2222-3333-4444-555555555555";
export const DR_HC = "66666666-7777-8888-9999-000000000000";
const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

/** A config with one simple A record and one failover-routed pair. */
export function failoverConfig(change: Record<string, unknown> = {}): FailoverConfig {
  const config = parseConfig({
    regions: { primary: "us-west-2", dr: "us-east-1" },
    alerts: { emails: [] },
    policies: [
      {
        name: "orders-db",
        resource: "rds-instance",
        selector: { tags: { Backup: "dr" } },
        schedules: [{ name: "hourly", expression: "rate(1 hour)", retention: { keepLast: 24 } }],
        copy: { rpo: "6h", kmsKeyArn: KEY },
      },
    ],
    failover: {
      hostedZone: { name: "example.com" },
      records: [
        {
          name: "app.example.com",
          type: "A",
          primary: { values: ["10.0.0.10"] },
          dr: { values: ["10.1.0.10"] },
        },
        {
          name: "api.example.com",
          type: "A",
          routing: "failover",
          primary: { values: ["10.0.0.20"] },
          dr: { values: ["10.1.0.20"] },
          primaryHealthCheckId: PRIMARY_HC,
          drHealthCheckId: DR_HC,
        },
      ],
      alarms: ["factory-connected"],
      mode: "automatic",
      ...change,
    },
  });
  if (!config.failover) throw new Error("no failover");
  return config.failover;
}

export const alarmTrigger: Trigger = {
  kind: "alarm",
  alarm: "factory-connected",
  alarmAt: new Date(NOW.getTime() - 30_000),
  region: "us-west-2",
};
export const manualTrigger: Trigger = { kind: "manual", by: "arn:aws:iam::123456789012:user/ops" };

/** The zone as it is when everything points at `site`, with the SECONDARY of the pair. */
export function zoneAt(failover: FailoverConfig, site: "primary" | "dr"): RecordSet[] {
  return failover.records.flatMap((r) => [
    recordFor(r, site),
    ...(secondaryFor(r) ? [secondaryFor(r) as RecordSet] : []),
  ]);
}

export const ready: PolicyReadiness[] = [
  { policy: "orders-db", ready: true, code: "failover-ready", detail: "orders-db: every DR copy within 6h" },
];
export const stale: PolicyReadiness[] = [
  {
    policy: "orders-db",
    ready: false,
    code: "dr-behind-rpo",
    detail: "orders-db: its oldest DR copy is 9h old",
  },
];

export function input(failover: FailoverConfig, change: Partial<FailoverInput> = {}): FailoverInput {
  return {
    failover,
    target: "dr",
    trigger: alarmTrigger,
    reason: "service link down",
    force: false,
    now: NOW,
    zone: ZONE,
    current: zoneAt(failover, "primary"),
    readiness: ready,
    health: [{ id: DR_HC, healthy: true, detail: `health check ${DR_HC}: 3 of 3 checkers report healthy` }],
    permission: { ok: true, detail: "may change 3 record(s)" },
    ...change,
  };
}

export const stateAt = (site: "primary" | "dr", at: Date, by = "manual:arn:aws:iam::123456789012:user/ops") =>
  stateRecord(ZONE.name, { site, at, by, reason: "drill", forced: false });
