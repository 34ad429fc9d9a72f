/**
 * The capacity handlers' world for unit tests: a config with two Outposts (factory, and factory-2
 * whose name extends the first's), memory alert and event sinks, clients that reach nothing (the
 * tests that need AWS answers mock the clients' commands), alarm state change events of any name.
 */
import { readFileSync } from "node:fs";
import { memoryAlertSink } from "@outpost-ops/core/alerts";
import { createClients } from "@outpost-ops/core/aws/clients";
import { type Config, parseConfig } from "@outpost-ops/core/config";
import { memoryEventSink } from "@outpost-ops/core/events/publish";
import { unpaced } from "@outpost-ops/core/pacing";
import type { Runtime } from "../src/lib/runtime.ts";
import { lambdaTestContext } from "./lambda-context.ts";

export const REGION = "us-west-2";
export const NOW = new Date("2024-05-14T10:07:41Z");
export const PREFIX = "outpost-ops-test";
export const FACTORY_ID = "op-0a1b2c3d4e5f60718";
export const FACTORY_2_ID = "op-0f1e2d3c4b5a69788";

export function capacityConfig(): Config {
  return parseConfig({
    regions: { primary: REGION, dr: "us-east-1" },
    outposts: [
      { name: "factory", arn: `arn:aws:outposts:${REGION}:123456789012:outpost/${FACTORY_ID}` },
      { name: "factory-2", arn: `arn:aws:outposts:${REGION}:123456789012:outpost/${FACTORY_2_ID}` },
    ],
    alerts: { emails: [] },
    policies: [
      {
        name: "db",
        resource: "rds-instance",
        selector: { tags: { Backup: "yes" } },
        schedules: [{ name: "daily", expression: "cron(0 0 * * ? *)", retention: { keepLast: 4 } }],
      },
    ],
  });
}

export function runtime(config: Config = capacityConfig()) {
  const alerts = memoryAlertSink();
  const events = memoryEventSink();
  const value: Runtime = {
    config,
    env: {
      region: REGION,
      stage: "test",
      prefix: PREFIX,
      alertTopicArn: `arn:aws:sns:${REGION}:123456789012:outpost-ops-test-alerts`,
      eventBusName: "default",
    },
    clients: createClients({
      endpoint: "http://127.0.0.1:9",
      credentials: { accessKeyId: "x", secretAccessKey: "x" },
      maxAttempts: 1,
    }),
    alerts,
    events,
    pacer: unpaced,
    clock: { now: () => NOW.getTime(), sleep: async () => {} },
  };
  return { runtime: () => value, alerts, events };
}

export const context = lambdaTestContext("capacity", REGION, 60_000);

const EVENTS = new URL("../../../test/fixtures/events/", import.meta.url);

/** The fixture's state change (OK → ALARM, or ALARM → OK with `ok`) for an alarm of this name. */
export function alarmEvent(alarmName: string, ok = false): Record<string, unknown> {
  const file = ok ? "cloudwatch-alarm-state-change-ok.json" : "cloudwatch-alarm-state-change.json";
  const raw = JSON.parse(readFileSync(new URL(file, EVENTS), "utf8")) as Record<string, unknown>;
  return {
    ...raw,
    resources: [`arn:aws:cloudwatch:${REGION}:123456789012:alarm:${alarmName}`],
    detail: { ...(raw.detail as Record<string, unknown>), alarmName },
  };
}
