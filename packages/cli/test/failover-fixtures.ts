/**
 * Failover results as the CLI receives them, made by the real planner (core planFailover) and the
 * real serialiser (toFailoverResult), so that rendering tests see exactly what a run answers.
 */
import { type Config, parseConfig } from "@outpost-ops/core/config";
import { type FailoverInput, type FailoverPlan, planFailover } from "@outpost-ops/core/failover/plan";
import { recordFor } from "@outpost-ops/core/failover/records";
import { type FailoverResult, toFailoverResult } from "@outpost-ops/core/failover/result";
import { stateRecord } from "@outpost-ops/core/failover/state";
import type { FailoverRun } from "@outpost-ops/core/jobs/failover";

export const NOW = new Date("2024-05-14T12:00:00.000Z");
export const ZONE = { id: "Z0123456789ABCDEFGHIJ", name: "example.com." };
export const OPERATOR = "arn:aws:sts::123456789012:assumed-role/ops/alice";
const KEY = "arn:aws:kms:us-east-1:123456789012:key/0f1e2d3c-0000-4000-8000-000000000001";

export function failoverConfig(withFailover = true): Config {
  return parseConfig({
    regions: { primary: "us-west-2", dr: "us-east-1" },
    alerts: { emails: [] },
    policies: [
      {
        name: "orders",
        resource: "rds-instance",
        selector: { tags: { Backup: "yes" } },
        schedules: [{ name: "six", expression: "rate(6 hours)", retention: { keepLast: 4 } }],
        copy: { rpo: "8h", kmsKeyArn: KEY },
      },
    ],
    ...(withFailover
      ? {
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
        }
      : {}),
  });
}

const failover = () => failoverConfig().failover ?? (undefined as never);
const record = () => failover().records[0] ?? (undefined as never);

/** The planner's input with DNS on `site` and everything ready; `change` overrides. */
export function planInput(
  site: "primary" | "dr" = "primary",
  change: Partial<FailoverInput> = {},
): FailoverInput {
  return {
    failover: failover(),
    target: "dr",
    trigger: { kind: "manual", by: OPERATOR },
    reason: "factory link down",
    force: false,
    now: NOW,
    zone: ZONE,
    current: [recordFor(record(), site)],
    readiness: [
      { policy: "orders", ready: true, code: "failover-ready", detail: "orders: every DR copy within 8h 0m" },
    ],
    health: [],
    permission: { ok: true, detail: "may change 2 record(s) in zone Z0123456789ABCDEFGHIJ" },
    ...change,
  };
}

export const staleReadiness: FailoverInput["readiness"] = [
  {
    policy: "orders",
    ready: false,
    code: "dr-behind-rpo",
    detail: "orders: its oldest DR copy is 20h 0m old",
  },
];

/** DNS on DR since `at`, by an earlier manual failover. */
export function onDr(at = new Date("2024-05-14T09:00:00.000Z")): Partial<FailoverInput> {
  return {
    current: [
      recordFor(record(), "dr"),
      stateRecord(ZONE.name, { site: "dr", at, by: `manual:${OPERATOR}`, reason: "drill", forced: false }),
    ],
  };
}

export function plan(site: "primary" | "dr" = "primary", change: Partial<FailoverInput> = {}): FailoverPlan {
  return planFailover(planInput(site, change));
}

/** A result as the function would answer it. */
export function result(
  outcome: FailoverRun["outcome"],
  p: FailoverPlan = plan(),
  extra: Partial<FailoverRun> = {},
): FailoverResult {
  return toFailoverResult({
    plan: p,
    outcome,
    timeline: { receivedAt: NOW, decidedAt: new Date(NOW.getTime() + 120) },
    ...extra,
  });
}

/** A change that went through: submitted 450 ms after the event, INSYNC 40 s later. */
export function changed(p: FailoverPlan = plan(), pending = false): FailoverResult {
  return result("changed", p, {
    changeId: "C0123456789ABCDEF",
    ...(pending ? { pending: true as const } : {}),
    timeline: {
      receivedAt: NOW,
      decidedAt: new Date(NOW.getTime() + 300),
      submittedAt: new Date(NOW.getTime() + 450),
      ...(pending ? {} : { inSyncAt: new Date(NOW.getTime() + 40_450) }),
    },
  });
}
