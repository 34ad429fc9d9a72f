/**
 * The Capacity stack, as synthesized for the example config (two Outposts, factory and clinic, in
 * us-west-2) and for one with a `capacity` section of the tests' own: in the primary Region only, and
 * only when the config declares Outposts; per Outpost the alarms that need no discovery (connected,
 * cpu warning and critical); the monitor's and the report's schedules from the config; the rule that
 * delivers the capacity alarms' state changes to their handler (the relay's rule unchanged, the relay
 * skipping them in code); the monitor's alarm rights limited to the capacity prefix.
 */
import { parseConfig } from "@outpost-ops/core/config";
import { isCapacityAlarm } from "@outpost-ops/functions/src/jobs.ts";
import { Match, type Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { Alerts } from "../../stacks/Alerts.ts";
import { Capacity } from "../../stacks/Capacity.ts";
import { stacksFor } from "../../stacks/select.ts";
import {
  ACCOUNT,
  configWith,
  deployedFunctions,
  exampleConfig,
  type Synthesized,
  synth,
  withoutFailover,
} from "./synth.ts";

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;
interface Statement {
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

const PRIMARY = "us-west-2";
const DR = "us-east-1";
const PREFIX = "outpost-ops-test-capacity-";
const OUTPOSTS = { factory: "op-0a1b2c3d4e5f60718", clinic: "op-0f1e2d3c4b5a69788" } as const;
const SCHEDULE = "rate(10 minutes)";
const REPORT = "cron(0 6 ? * FRI *)";

/** The example with a capacity section of the tests' own: other schedules, other cpu bands. */
const tuned = () =>
  configWith((c) => {
    Object.assign(c, {
      capacity: {
        schedule: SCHEDULE,
        report: { schedule: REPORT },
        thresholds: { cpu: { warning: 70, critical: 90 } },
      },
    });
  });

/** The example without Outposts: the policies that name one go too (the config refuses them). */
function withoutOutposts() {
  return configWith((c) => {
    c.outposts = [];
    c.policies = c.policies.filter(
      (p) => !("placement" in p && p.placement === "outpost") && !p.selector.outposts,
    );
  });
}

let primary: Synthesized;
let t: Template;

beforeAll(async () => {
  primary = await synth(tuned(), PRIMARY);
  t = primary.template(Capacity);
});

const resourcesOf = (template: Template, type: string) => template.findResources(type) as Resources;

function functionId(app: Synthesized, name: "capacityMonitor" | "capacityAlarm" | "capacityReport"): string {
  const found = deployedFunctions([app]).find((f) => f.name === name);
  if (!found) throw new Error(`no ${name} function`);
  return found.stack.getLogicalId(found.fn.node.defaultChild as never);
}

/** The statements of a function's role, other than logs and the alert topic (the shared grants). */
function ownStatements(name: "capacityMonitor" | "capacityAlarm" | "capacityReport"): Statement[] {
  const found = deployedFunctions([primary]).find((f) => f.name === name);
  if (!found) throw new Error(`no ${name} function`);
  return Object.values(resourcesOf(t, "AWS::IAM::Policy"))
    .filter((p) => JSON.stringify(p.Properties.Roles).includes(found.roleId))
    .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
    .filter((s) => ![s.Action].flat().some((a) => /^(logs|sns|kms):/.test(a)));
}

/** The capacity alarms (the capacity handler's), not the capacity functions' errors alarms (the relay's). */
const capacityAlarms = (template: Template) =>
  Object.values(resourcesOf(template, "AWS::CloudWatch::Alarm"))
    .map((a) => a.Properties)
    .filter((p) => isCapacityAlarm("outpost-ops-test", String(p.AlarmName)));

describe("Stack: Capacity, where it is deployed", () => {
  it("in the primary Region of a config with Outposts, after the other stacks", () => {
    const config = parseConfig(exampleConfig);
    expect(stacksFor(PRIMARY, config)).toContain(Capacity);
    expect(stacksFor(PRIMARY, config).at(-1)).toBe(Capacity);
  });

  it("never in the DR Region", async () => {
    expect(stacksFor(DR, parseConfig(exampleConfig))).not.toContain(Capacity);
    const dr = await synth(tuned(), DR);
    expect(deployedFunctions([dr]).map((f) => f.name)).not.toEqual(
      expect.arrayContaining(["capacityMonitor"]),
    );
    expect(JSON.stringify(dr.template(Alerts).toJSON())).not.toContain(PREFIX);
  });

  it("nowhere without Outposts: no stack, no capacity function, alarm or rule", async () => {
    const input = withoutOutposts();
    expect(stacksFor(PRIMARY, parseConfig(input))).not.toContain(Capacity);
    const app = await synth(input, PRIMARY);
    expect(
      deployedFunctions([app])
        .filter((f) => f.name.startsWith("capacity"))
        .map((f) => f.name),
    ).toEqual([]);
    expect(() => app.template(Capacity)).toThrow(/not in this app/);
  });
});

describe("Stack: Capacity, primary Region", () => {
  it("deploys the monitor (2 min), the alarm handler (60 s) and the report (5 min), each with its role", () => {
    const fns = resourcesOf(t, "AWS::Lambda::Function");
    const timeout = (name: Parameters<typeof functionId>[1]) =>
      fns[functionId(primary, name)]?.Properties.Timeout;
    expect(timeout("capacityMonitor")).toBe(120);
    expect(timeout("capacityAlarm")).toBe(60);
    expect(timeout("capacityReport")).toBe(300);
    const variables = (name: Parameters<typeof functionId>[1]) => {
      const environment = fns[functionId(primary, name)]?.Properties.Environment as
        | { Variables: Record<string, unknown> }
        | undefined;
      return Object.keys(environment?.Variables ?? {}).sort();
    };
    // The prefix handlers match comes from the stage (OUTPOST_OPS_STAGE), which every function gets.
    expect(variables("capacityMonitor")).toEqual(
      expect.arrayContaining(["ALERT_TOPIC_ARN", "OUTPOST_OPS_STAGE"]),
    );
    expect(variables("capacityAlarm")).toEqual(
      expect.arrayContaining(["ALERT_TOPIC_ARN", "EVENT_BUS_NAME", "OUTPOST_OPS_STAGE"]),
    );
    expect(variables("capacityReport")).toEqual(expect.arrayContaining(["EVENT_BUS_NAME"]));
  });

  it.each(Object.entries(OUTPOSTS))(
    "%s: the connected alarm (ConnectedStatus Minimum, 60 s, 3 of 15 below 1; missing data breaching)",
    (outpost, id) => {
      t.hasResourceProperties("AWS::CloudWatch::Alarm", {
        AlarmName: `${PREFIX}${outpost}-connected`,
        AlarmDescription: Match.stringLikeRegexp(".+"),
        Namespace: "AWS/Outposts",
        MetricName: "ConnectedStatus",
        Dimensions: [{ Name: "OutpostId", Value: id }],
        Statistic: "Minimum",
        Period: 60,
        EvaluationPeriods: 15,
        DatapointsToAlarm: 3,
        ComparisonOperator: "LessThanThreshold",
        Threshold: 1,
        TreatMissingData: "breaching",
      });
    },
  );

  it.each(Object.keys(OUTPOSTS))(
    "%s: the cpu bands on the monitor's gauge (Average over the monitor's interval, 3 of 5, at or above the config's percent)",
    (outpost) => {
      for (const [band, threshold] of [
        ["warning", 70],
        ["critical", 90],
      ] as const) {
        t.hasResourceProperties("AWS::CloudWatch::Alarm", {
          AlarmName: `${PREFIX}${outpost}-cpu-${band}`,
          Namespace: "OutpostOps",
          MetricName: "OutpostCpuUtilization",
          Dimensions: [{ Name: "outpost", Value: outpost }],
          Statistic: "Average",
          // One gauge datapoint per monitor run (every 10 minutes here): a shorter period would
          // leave periods empty and never reach 3 of 5.
          Period: 600,
          EvaluationPeriods: 5,
          DatapointsToAlarm: 3,
          ComparisonOperator: "GreaterThanOrEqualToThreshold",
          Threshold: threshold,
          TreatMissingData: "notBreaching",
        });
      }
    },
  );

  it("deploys no other capacity alarm (the monitor manages the discovered ones), and none has actions", () => {
    const alarms = capacityAlarms(t);
    expect(alarms.map((a) => a.AlarmName).sort()).toEqual(
      Object.keys(OUTPOSTS)
        .flatMap((o) => [
          `${PREFIX}${o}-connected`,
          `${PREFIX}${o}-cpu-critical`,
          `${PREFIX}${o}-cpu-warning`,
        ])
        .sort(),
    );
    for (const a of alarms) expect(a.AlarmActions, String(a.AlarmName)).toBeUndefined();
  });

  it("alarms on each capacity function's errors like on every function's (named under the capacity prefix, relayed)", () => {
    const errors = Object.values(resourcesOf(t, "AWS::CloudWatch::Alarm"))
      .map((a) => String(a.Properties.AlarmName))
      .filter((n) => n.endsWith("-errors"))
      .sort();
    expect(errors).toEqual([
      "outpost-ops-test-capacity-alarm-errors",
      "outpost-ops-test-capacity-monitor-errors",
      "outpost-ops-test-capacity-report-errors",
    ]);
    for (const name of errors) expect(isCapacityAlarm("outpost-ops-test", name), name).toBe(false);
  });

  it("runs the monitor and the report on the config's expressions", () => {
    for (const [name, expression] of [
      ["capacityMonitor", "cron(0/10 * * * ? *)"],
      ["capacityReport", REPORT],
    ] as const) {
      t.hasResourceProperties("AWS::Events::Rule", {
        ScheduleExpression: expression,
        Targets: [Match.objectLike({ Arn: { "Fn::GetAtt": [functionId(primary, name), "Arn"] } })],
      });
    }
  });

  it("the defaults: every 5 minutes, Mondays at 08:00 UTC", async () => {
    const app = await synth(withoutFailover(exampleConfig), PRIMARY);
    const template = app.template(Capacity);
    const schedules = Object.values(resourcesOf(template, "AWS::Events::Rule"))
      .map((r) => r.Properties.ScheduleExpression)
      .filter(Boolean)
      .sort();
    expect(schedules).toEqual(["cron(0 8 ? * MON *)", "cron(0/5 * * * ? *)"]);
  });

  it("delivers the capacity alarms' ALARM and OK to the capacity alarm handler, by name prefix", () => {
    const rules = Object.values(resourcesOf(t, "AWS::Events::Rule")).filter((r) => r.Properties.EventPattern);
    expect(rules.map((r) => r.Properties.EventPattern)).toEqual([
      {
        source: ["aws.cloudwatch"],
        "detail-type": ["CloudWatch Alarm State Change"],
        detail: { alarmName: [{ prefix: PREFIX }], state: { value: ["ALARM", "OK"] } },
      },
    ]);
    expect(rules[0]?.Properties.Targets).toEqual([
      {
        Arn: { "Fn::GetAtt": [functionId(primary, "capacityAlarm"), "Arn"] },
        Id: "Target0",
        RetryPolicy: { MaximumEventAgeInSeconds: 7200, MaximumRetryAttempts: 8 },
      },
    ]);
  });

  it("leaves the relay's rule as it was: every alarm of the prefix (the relay skips the capacity ones)", () => {
    const relay = Object.values(resourcesOf(primary.template(Alerts), "AWS::Events::Rule"));
    expect(relay.map((r) => r.Properties.EventPattern)).toEqual([
      {
        source: ["aws.cloudwatch"],
        "detail-type": ["CloudWatch Alarm State Change"],
        detail: { alarmName: [{ prefix: "outpost-ops-test-" }], state: { value: ["ALARM", "OK"] } },
      },
    ]);
  });
});

describe("IAM: capacity", () => {
  const CAPACITY_ALARMS = `arn:aws:cloudwatch:${PRIMARY}:${ACCOUNT}:alarm:${PREFIX}*`;

  it("the monitor creates and deletes alarms under the capacity prefix only", () => {
    const alarmWrites = ownStatements("capacityMonitor").filter((s) =>
      [s.Action].flat().some((a) => a === "cloudwatch:PutMetricAlarm" || a === "cloudwatch:DeleteAlarms"),
    );
    expect(alarmWrites.flatMap((s) => [s.Action].flat()).sort()).toEqual([
      "cloudwatch:DeleteAlarms",
      "cloudwatch:PutMetricAlarm",
    ]);
    for (const s of alarmWrites) expect([s.Resource].flat(), JSON.stringify(s)).toEqual([CAPACITY_ALARMS]);
  });

  it("the monitor, which never alerts (its findings are alarms), may not publish to the alert topic; the others may", () => {
    const actionsOf = (name: "capacityMonitor" | "capacityAlarm" | "capacityReport") => {
      const found = deployedFunctions([primary]).find((f) => f.name === name);
      return Object.values(resourcesOf(t, "AWS::IAM::Policy"))
        .filter((p) => JSON.stringify(p.Properties.Roles).includes(found?.roleId ?? "?"))
        .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
        .flatMap((st) => [st.Action].flat());
    };
    expect(actionsOf("capacityMonitor")).not.toContain("sns:Publish");
    expect(actionsOf("capacityAlarm")).toContain("sns:Publish");
    expect(actionsOf("capacityReport")).toContain("sns:Publish");
  });

  it("no other capacity role may create or delete an alarm", () => {
    for (const name of ["capacityAlarm", "capacityReport"] as const) {
      const actions = ownStatements(name).flatMap((s) => [s.Action].flat());
      expect(actions, name).not.toContain("cloudwatch:PutMetricAlarm");
      expect(actions, name).not.toContain("cloudwatch:DeleteAlarms");
    }
  });
});
