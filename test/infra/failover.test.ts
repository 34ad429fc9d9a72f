/**
 * The Failover stack, as synthesized for a config with a `failover` section of the tests' own
 * (synth.ts failoverConfig: the zone by id, a simple record and a failover-routed pair, trigger
 * alarms in both Regions, one operator): in the DR Region the two functions, their rules and
 * schedule, their IAM with the change conditions, the operators' invoke permission and the event
 * archive; in the primary Region only the forwarding of its trigger alarms. Nothing of it without
 * `failover`.
 */
import { parseConfig } from "@outpost-ops/core/config";
import { Match, type Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { Alerts } from "../../stacks/Alerts.ts";
import { Failover } from "../../stacks/Failover.ts";
import { stacksFor } from "../../stacks/select.ts";
import {
  ACCOUNT,
  copyConfig,
  DR_ALARM_ARN,
  deployedFunctions,
  exampleConfig,
  FAILOVER_ZONE_ID,
  failoverConfig,
  OPERATOR,
  PRIMARY_ALARM,
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

const DR = "us-east-1";
const PRIMARY = "us-west-2";
const ZONE_ARN = `arn:aws:route53:::hostedzone/${FAILOVER_ZONE_ID}`;
const ALARM_PATTERN = {
  source: ["aws.cloudwatch"],
  "detail-type": ["CloudWatch Alarm State Change"],
};

let dr: Synthesized;
let primary: Synthesized;
let t: Template;

beforeAll(async () => {
  dr = await synth(failoverConfig(), DR);
  primary = await synth(failoverConfig(), PRIMARY);
  t = dr.template(Failover);
});

const resourcesOf = (template: Template, type: string) => template.findResources(type) as Resources;

function functionId(name: "failover" | "failoverReadiness"): string {
  const found = deployedFunctions([dr]).find((f) => f.name === name);
  if (!found) throw new Error(`no ${name} function`);
  return found.stack.getLogicalId(found.fn.node.defaultChild as never);
}

/** The statements of a function's role, other than logs and the alert topic (the shared grants). */
function ownStatements(name: "failover" | "failoverReadiness"): Statement[] {
  const found = deployedFunctions([dr]).find((f) => f.name === name);
  if (!found) throw new Error(`no ${name} function`);
  const policies = Object.values(resourcesOf(t, "AWS::IAM::Policy")).filter((p) =>
    JSON.stringify(p.Properties.Roles).includes(found.roleId),
  );
  return policies
    .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
    .filter((s) => ![s.Action].flat().some((a) => /^(logs|sns|kms):/.test(a)));
}

describe("Stack: Failover, DR Region", () => {
  it("deploys the failover function as <prefix>-failover, and the readiness check", () => {
    expect(
      deployedFunctions([dr])
        .filter((f) => f.stack.node.id.endsWith("Failover"))
        .map((f) => f.name)
        .sort(),
    ).toEqual(["failover", "failoverReadiness"]);
    t.hasResourceProperties("AWS::Lambda::Function", {
      FunctionName: "outpost-ops-test-failover",
      Timeout: 300,
      Environment: {
        Variables: Match.objectLike({ ALERT_TOPIC_ARN: Match.anyValue(), EVENT_BUS_NAME: "default" }),
      },
    });
    const readiness = resourcesOf(t, "AWS::Lambda::Function")[functionId("failoverReadiness")];
    expect(readiness?.Properties.FunctionName).toBeUndefined();
  });

  it("invokes the failover function on the DR Region's trigger alarms and the primary's forwarded ones, ALARM only", () => {
    const rules = Object.values(resourcesOf(t, "AWS::Events::Rule")).filter((r) => r.Properties.EventPattern);
    const byRegion = Object.fromEntries(
      rules.map((r) => [(r.Properties.EventPattern as { region: string[] }).region[0], r.Properties]),
    );
    expect(Object.keys(byRegion).sort()).toEqual([DR, PRIMARY]);
    expect(byRegion[DR]?.EventPattern).toEqual({
      ...ALARM_PATTERN,
      region: [DR],
      detail: { alarmName: ["dr-app-health"], state: { value: ["ALARM"] } },
    });
    expect(byRegion[PRIMARY]?.EventPattern).toEqual({
      ...ALARM_PATTERN,
      region: [PRIMARY],
      detail: { alarmName: [PRIMARY_ALARM, "orders-app-health"], state: { value: ["ALARM"] } },
    });
    for (const rule of rules)
      expect(rule.Properties.Targets).toEqual([
        {
          Arn: { "Fn::GetAtt": [functionId("failover"), "Arn"] },
          Id: "Target0",
          RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 8 },
        },
      ]);
  });

  it("runs the readiness check on failover.readiness.schedule (every 30 minutes by default)", () => {
    t.hasResourceProperties("AWS::Events::Rule", {
      // rate(30 minutes), at fixed times of the hour as every schedule of ours (core's expression.ts).
      ScheduleExpression: "cron(0/30 * * * ? *)",
      Targets: [Match.objectLike({ Arn: { "Fn::GetAtt": [functionId("failoverReadiness"), "Arn"] } })],
    });
  });

  it("lets the configured operators invoke the failover function, and nobody the readiness check", () => {
    const permissions = Object.values(resourcesOf(t, "AWS::Lambda::Permission")).filter(
      (p) => p.Properties.Principal !== "events.amazonaws.com",
    );
    expect(permissions.map((p) => p.Properties)).toEqual([
      {
        Action: "lambda:InvokeFunction",
        FunctionName: { "Fn::GetAtt": [functionId("failover"), "Arn"] },
        Principal: OPERATOR,
      },
    ]);
  });

  it("alarms on each function's errors (named with the prefix, so the relay alerts)", () => {
    const names = Object.values(resourcesOf(t, "AWS::CloudWatch::Alarm")).map((a) => a.Properties.AlarmName);
    expect(names.sort()).toEqual([
      "outpost-ops-test-failover-errors",
      "outpost-ops-test-failover-readiness-errors",
    ]);
  });

  it("archives the failover events of the DR Region's default bus for a year", () => {
    t.resourceCountIs("AWS::Events::Archive", 1);
    t.hasResourceProperties("AWS::Events::Archive", {
      ArchiveName: "outpost-ops-test-failover",
      SourceArn: `arn:aws:events:${DR}:${ACCOUNT}:event-bus/default`,
      EventPattern: { source: ["outpost-ops"], detail: { job: ["failover"] } },
      RetentionDays: 365,
    });
  });
});

describe("IAM: failover and readiness", () => {
  const NAMES = [
    "_outpost-ops-failover.com",
    "_outpost-ops-failover.example.com",
    "api.example.com",
    "app.example.com",
  ];

  it("failover: the zone's records, changed only by name, type and CREATE/DELETE; changes, health checks, gauges, events", () => {
    expect(ownStatements("failover")).toEqual([
      { Action: "route53:GetHostedZone", Effect: "Allow", Resource: ZONE_ARN },
      { Action: "route53:ListHostedZonesByName", Effect: "Allow", Resource: "*" },
      { Action: "route53:ListResourceRecordSets", Effect: "Allow", Resource: ZONE_ARN },
      {
        Action: "route53:ChangeResourceRecordSets",
        Effect: "Allow",
        Resource: ZONE_ARN,
        Condition: {
          "ForAllValues:StringEquals": {
            "route53:ChangeResourceRecordSetsNormalizedRecordNames": NAMES,
            "route53:ChangeResourceRecordSetsRecordTypes": ["A", "TXT"],
            "route53:ChangeResourceRecordSetsActions": ["CREATE", "DELETE"],
          },
        },
      },
      { Action: "route53:GetChange", Effect: "Allow", Resource: "arn:aws:route53:::change/*" },
      {
        Action: "route53:GetHealthCheckStatus",
        Effect: "Allow",
        Resource: "arn:aws:route53:::healthcheck/*",
      },
      { Action: "cloudwatch:GetMetricData", Effect: "Allow", Resource: "*" },
      {
        Action: "events:PutEvents",
        Effect: "Allow",
        Resource: `arn:aws:events:${DR}:${ACCOUNT}:event-bus/default`,
      },
    ]);
  });

  it("readiness: the same reads, the probe as DELETE only, no GetChange, FailoverReady in OutpostOps only", () => {
    const statements = ownStatements("failoverReadiness");
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions).not.toContain("route53:GetChange");
    expect(statements.find((s) => s.Action === "route53:ChangeResourceRecordSets")?.Condition).toEqual({
      "ForAllValues:StringEquals": {
        "route53:ChangeResourceRecordSetsNormalizedRecordNames": NAMES,
        "route53:ChangeResourceRecordSetsRecordTypes": ["A", "TXT"],
        "route53:ChangeResourceRecordSetsActions": ["DELETE"],
      },
    });
    expect(statements.find((s) => s.Action === "cloudwatch:PutMetricData")).toEqual({
      Action: "cloudwatch:PutMetricData",
      Effect: "Allow",
      Resource: "*",
      Condition: { StringEquals: { "cloudwatch:namespace": "OutpostOps" } },
    });
  });

  it("a zone given by name: any zone's records, still only the configured names and the exact state record", async () => {
    // Act
    const byName = await synth(
      failoverConfig((s) => {
        Object.assign(s, { hostedZone: { name: "example.com" } });
      }),
      DR,
    );

    // Assess
    const policies = JSON.stringify(byName.template(Failover).findResources("AWS::IAM::Policy"));
    expect(policies).toContain('"arn:aws:route53:::hostedzone/*"');
    expect(policies).not.toContain(FAILOVER_ZONE_ID);
    expect(policies).toContain(
      JSON.stringify(["_outpost-ops-failover.example.com", "api.example.com", "app.example.com"]),
    );
  });
});

describe("Stack: Failover, primary Region", () => {
  it("only forwards its trigger alarms' ALARM state changes to the DR Region's default bus", () => {
    const template = primary.template(Failover);
    expect(deployedFunctions([primary]).filter((f) => f.stack.node.id.endsWith("Failover"))).toEqual([]);
    const rules = Object.values(resourcesOf(template, "AWS::Events::Rule"));
    expect(rules.map((r) => r.Properties.EventPattern)).toEqual([
      {
        ...ALARM_PATTERN,
        region: [PRIMARY],
        detail: { alarmName: [PRIMARY_ALARM, "orders-app-health"], state: { value: ["ALARM"] } },
      },
    ]);
    const bus = `arn:aws:events:${DR}:${ACCOUNT}:event-bus/default`;
    expect(rules[0]?.Properties.Targets).toEqual([
      { Arn: bus, Id: "Target0", RoleArn: { "Fn::GetAtt": [expect.any(String), "Arn"] } },
    ]);
    template.hasResourceProperties("AWS::IAM::Policy", {
      PolicyDocument: { Statement: [{ Action: "events:PutEvents", Effect: "Allow", Resource: bus }] },
    });
    template.resourceCountIs("AWS::Events::Archive", 0);
  });

  it("is not deployed there when every trigger alarm is the DR Region's", () => {
    const config = parseConfig(
      failoverConfig((s) => {
        s.alarms = [DR_ALARM_ARN];
      }),
    );
    expect(stacksFor(PRIMARY, config)).not.toContain(Failover);
    expect(stacksFor(DR, config)).toContain(Failover);
  });
});

describe("The example config's failover", () => {
  it("deploys the failover job in DR and its trigger alarm's forwarding in the primary", async () => {
    const config = parseConfig(exampleConfig);
    for (const region of [PRIMARY, DR]) expect(stacksFor(region, config), region).toContain(Failover);
    const primaryRules = Object.values(
      resourcesOf((await synth(exampleConfig, PRIMARY)).template(Failover), "AWS::Events::Rule"),
    );
    expect(primaryRules.map((r) => r.Properties.EventPattern)).toEqual([
      {
        ...ALARM_PATTERN,
        region: [PRIMARY],
        detail: { alarmName: ["factory-service-link"], state: { value: ["ALARM"] } },
      },
    ]);
    const names = deployedFunctions([await synth(exampleConfig, DR)])
      .filter((f) => f.stack.node.id.endsWith("Failover"))
      .map((f) => f.name)
      .sort();
    expect(names).toEqual(["failover", "failoverReadiness"]);
  });
});

describe("Without failover", () => {
  it.each([
    ["the example config without its failover section", withoutFailover(exampleConfig)],
    ["a config with copies", copyConfig()],
  ])("%s deploys no Failover stack in either Region", (_name, input) => {
    const config = parseConfig(input);
    for (const region of [PRIMARY, DR]) {
      expect(stacksFor(region, config), region).not.toContain(Failover);
      expect(stacksFor(region, config), region).toContain(Alerts);
    }
  });

  it("and no failover function anywhere", async () => {
    const apps = [await synth(copyConfig(), PRIMARY), await synth(copyConfig(), DR)];
    const names = deployedFunctions(apps).map((f) => f.name);
    expect(names).not.toContain("failover");
    expect(names).not.toContain("failoverReadiness");
  });

  it("mode alert-only without alarms: the functions and the schedule, no alarm rule, nothing in the primary", async () => {
    const input = failoverConfig((s) => {
      Object.assign(s, { mode: "alert-only", alarms: [] });
    });
    expect(stacksFor(PRIMARY, parseConfig(input))).not.toContain(Failover);
    const template = (await synth(input, DR)).template(Failover);
    const rules = Object.values(resourcesOf(template, "AWS::Events::Rule"));
    expect(rules.map((r) => r.Properties.ScheduleExpression ?? "pattern")).toEqual(["cron(0/30 * * * ? *)"]);
  });
});
