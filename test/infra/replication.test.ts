import { Tag } from "@outpost-ops/core/tags";
import { Jobs } from "@outpost-ops/functions/src/jobs.ts";
import { Match, Template } from "aws-cdk-lib/assertions";
import { Stack } from "sst/constructs";
import { beforeAll, describe, expect, it } from "vitest";
import { Backup } from "../../stacks/Backup.ts";
import { Replication } from "../../stacks/Replication.ts";
import {
  ACCOUNT,
  copyConfig,
  type DeployedFunction,
  DR_KEY,
  DR_KEY_2,
  deployedFunctions,
  exampleConfig,
  type Synthesized,
  synth,
  withoutCopies,
} from "./synth.ts";

/*
 * The DR copy job as deployed: in the DR Region the scheduler behind its FIFO queue, the rules that
 * feed the queue, the RPO and KMS alarms, the dashboard and the copy role's IAM; in the primary
 * Region the rules that forward AWS's snapshot events to the DR Region's default bus; and nothing
 * of it for a config without a copy rule. copyConfig() replaces the example's own copies with its
 * own three (two keys), so the counts here do not follow the example; "The example config's copies"
 * checks what the example itself deploys.
 */

let dr: Synthesized;
let primary: Synthesized;
let template: Template;

beforeAll(async () => {
  dr = await synth(copyConfig(), "us-east-1");
  primary = await synth(copyConfig(), "us-west-2");
  template = dr.template(Replication);
});

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

const listOf = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const actionsOf = (s: Statement) => listOf(s.Action).map(String);

/** The logical id CDK gave the construct with this id at the stack's root. */
function logicalId(t: Template, id: string): string {
  const ids = Object.keys(t.toJSON().Resources as Resources).filter((k) =>
    new RegExp(`^${id}[0-9A-F]{8}$`).test(k),
  );
  if (ids.length !== 1) throw new Error(`expected one resource with construct id ${id}, found ${ids.length}`);
  return ids[0] as string;
}

function queueId(t: Template, name: string): string {
  const [id] = Object.keys(t.findResources("AWS::SQS::Queue", { Properties: { QueueName: name } }));
  if (!id) throw new Error(`no queue named ${name}`);
  return id;
}

const arnOf = (id: string) => ({ "Fn::GetAtt": [id, "Arn"] });

function copyFunction(app: Synthesized): DeployedFunction {
  const [fn, ...more] = deployedFunctions([app]).filter((f) => f.name === "copySchedule");
  if (!fn || more.length > 0) throw new Error("expected one copy scheduler");
  return fn;
}

/** Every statement of the copy scheduler's role (default: in the DR Region). */
function copyRoleStatements(app: Synthesized = dr): Statement[] {
  const fn = copyFunction(app);
  const policies = Object.values(fn.template.Resources).filter(
    (r) =>
      r.Type === "AWS::IAM::Policy" &&
      listOf(r.Properties?.Roles).some((ref) => (ref as { Ref?: string }).Ref === fn.roleId),
  );
  return policies.flatMap(
    (p) => (p.Properties?.PolicyDocument as { Statement: Statement[] } | undefined)?.Statement ?? [],
  );
}

describe("Stack: Replication, DR Region", () => {
  it("deploys the copy scheduler in this stack, with a role of its own and only its declared variables", () => {
    const fn = copyFunction(dr);
    expect(fn.stack.stackName).toBe("test-outpost-ops-Replication");
    expect(fn.properties.Timeout).toBe(300);
    const roles = deployedFunctions([dr]).filter((f) => f.roleId === fn.roleId && f.stack === fn.stack);
    expect(roles.map((f) => f.name)).toEqual(["copySchedule"]);
    expect(Object.keys(fn.properties.Environment.Variables)).toEqual(
      expect.arrayContaining(["ALERT_TOPIC_ARN", "EVENT_BUS_NAME"]),
    );
    expect(Object.keys(fn.properties.Environment.Variables)).not.toContain("COPY_TICKS_QUEUE_URL");
  });

  it("DR runs retention (of the copies) and the copy job, never the snapshot job", () => {
    const names = deployedFunctions([dr])
      .map((f) => f.name)
      .sort();
    expect(names).toEqual(["alarmStateChange", "copySchedule", "retentionSweep", "retentionWork"]);
    const backup = dr.template(Backup);
    backup.resourcePropertiesCountIs(
      "AWS::SQS::Queue",
      { QueueName: Match.stringLikeRegexp("snapshot-work") },
      0,
    );
    backup.resourcePropertiesCountIs("AWS::Events::Rule", { ScheduleExpression: "cron(15 * * * ? *)" }, 1);
    backup.resourcePropertiesCountIs(
      "AWS::Events::Rule",
      { Description: Match.stringLikeRegexp("^Snapshot window") },
      0,
    );
  });

  describe("the copy-ticks queue", () => {
    it("is FIFO, de-duplicates on content, and frees a crashed batch's message group after 600 s", () => {
      const dlq = queueId(template, "outpost-ops-test-copy-ticks-dlq.fifo");
      template.hasResourceProperties("AWS::SQS::Queue", {
        QueueName: "outpost-ops-test-copy-ticks.fifo",
        FifoQueue: true,
        ContentBasedDeduplication: true,
        VisibilityTimeout: 600,
        SqsManagedSseEnabled: true,
        RedrivePolicy: { deadLetterTargetArn: arnOf(dlq), maxReceiveCount: 10 },
      });
      template.hasResourceProperties("AWS::SQS::Queue", {
        QueueName: "outpost-ops-test-copy-ticks-dlq.fifo",
        FifoQueue: true,
        ContentBasedDeduplication: true,
      });
      // Twice the scheduler's timeout: long enough that a running batch never reappears.
      expect(Jobs.copy.queues[0].visibilitySeconds).toBe(2 * Jobs.copy.functions.copySchedule.timeoutSeconds);
    });

    it("is drained by the scheduler, ten ticks a batch, with partial batch responses", () => {
      const queue = queueId(template, "outpost-ops-test-copy-ticks.fifo");
      template.resourceCountIs("AWS::Lambda::EventSourceMapping", 1);
      template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
        EventSourceArn: arnOf(queue),
        FunctionName: { Ref: Match.stringLikeRegexp("^CopySchedule") },
        BatchSize: 10,
        ScalingConfig: { MaximumConcurrency: 2 },
        FunctionResponseTypes: ["ReportBatchItemFailures"],
      });
    });

    it("has no producer function: no role may send to it, only the three rules through EventBridge", () => {
      const queue = queueId(template, "outpost-ops-test-copy-ticks.fifo");
      const sends = Object.values(template.findResources("AWS::IAM::Policy") as Resources)
        .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
        .filter((s) => actionsOf(s).includes("sqs:SendMessage"));
      expect(sends).toEqual([]);
      const [policy, ...more] = Object.values(template.findResources("AWS::SQS::QueuePolicy") as Resources);
      expect(more).toEqual([]);
      if (!policy) throw new Error("no queue policy");
      const statements = (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
      const rules = ["CopyScheduleRule", "CopyEbsEventsRule", "CopyRdsEventsRule"].map((id) =>
        logicalId(template, id),
      );
      expect(statements).toHaveLength(3);
      for (const s of statements) {
        expect(s).toMatchObject({
          Effect: "Allow",
          Principal: { Service: "events.amazonaws.com" },
          Resource: arnOf(queue),
        });
        expect(actionsOf(s)).toContain("sqs:SendMessage");
      }
      expect(statements.map((s) => s.Condition?.ArnEquals?.["aws:SourceArn"])).toEqual(
        expect.arrayContaining(rules.map(arnOf)),
      );
    });
  });

  describe("rules", () => {
    const target = () => ({
      Arn: arnOf(queueId(template, "outpost-ops-test-copy-ticks.fifo")),
      Id: "Target0",
      SqsParameters: { MessageGroupId: "copy-scheduler" },
    });

    it("the EBS and RDS snapshot events go into the queue's one message group, not to the function", () => {
      const ebs = template.toJSON().Resources[logicalId(template, "CopyEbsEventsRule")].Properties;
      expect(ebs.EventPattern).toEqual({
        source: ["aws.ec2"],
        "detail-type": ["EBS Snapshot Notification", "EBS Multi-Volume Snapshots Completion Status"],
        detail: { event: ["createSnapshot", "createSnapshots", "copySnapshot"] },
      });
      expect(ebs.Targets).toEqual([
        { ...target(), RetryPolicy: { MaximumEventAgeInSeconds: 7200, MaximumRetryAttempts: 8 } },
      ]);
      const rds = template.toJSON().Resources[logicalId(template, "CopyRdsEventsRule")].Properties;
      expect(rds.EventPattern.detail).toEqual({
        EventID: ["RDS-EVENT-0042", "RDS-EVENT-0075", "RDS-EVENT-0060"],
      });
      expect(rds.Targets).toEqual([
        { ...target(), RetryPolicy: { MaximumEventAgeInSeconds: 7200, MaximumRetryAttempts: 8 } },
      ]);
    });

    it("the backstop schedule ticks every 10 minutes into the same message group", () => {
      const rule = template.toJSON().Resources[logicalId(template, "CopyScheduleRule")].Properties;
      expect(rule.ScheduleExpression).toBe("cron(0/10 * * * ? *)");
      expect(rule.Targets).toEqual([target()]);
    });

    it("no rule of the copy job invokes a Lambda function directly", () => {
      const rules = Object.values(template.findResources("AWS::Events::Rule") as Resources);
      expect(rules).toHaveLength(3);
      template.resourceCountIs("AWS::Lambda::Permission", 0);
    });
  });

  describe("alarms", () => {
    const alarms = () => Object.values(template.findResources("AWS::CloudWatch::Alarm") as Resources);

    it("one RPO alarm per copy policy on ResourcesBehindRpo, silence counting as behind", () => {
      const rpo = alarms().filter((a) => a.Properties.MetricName === "ResourcesBehindRpo");
      expect(rpo.map((a) => a.Properties.AlarmName).sort()).toEqual([
        "outpost-ops-test-rpo-clinic-servers",
        "outpost-ops-test-rpo-inventory-aurora",
        "outpost-ops-test-rpo-orders-db",
      ]);
      for (const a of rpo) {
        expect(a.Properties).toMatchObject({
          Namespace: "OutpostOps",
          Statistic: "Maximum",
          Period: 1800,
          Threshold: 0,
          ComparisonOperator: "GreaterThanThreshold",
          EvaluationPeriods: 1,
          TreatMissingData: "breaching",
        });
        const policy = String(a.Properties.AlarmName).replace("outpost-ops-test-rpo-", "");
        expect(a.Properties.Dimensions).toEqual([{ Name: "policy", Value: policy }]);
      }
    });

    it("one KMS alarm per destination key (not per policy), on KmsKeyUnusable", () => {
      const kms = alarms().filter((a) => a.Properties.MetricName === "KmsKeyUnusable");
      expect(kms.map((a) => (a.Properties.Dimensions as { Value: string }[])[0]?.Value).sort()).toEqual(
        [DR_KEY, DR_KEY_2].sort(),
      );
      for (const a of kms) {
        expect(a.Properties).toMatchObject({
          AlarmName: expect.stringMatching(/^outpost-ops-test-copy-kms-/),
          Namespace: "OutpostOps",
          Threshold: 0,
          ComparisonOperator: "GreaterThanThreshold",
          TreatMissingData: "notBreaching",
        });
      }
    });

    it("every alarm is named for the alarm relay and has no raw actions", () => {
      for (const a of alarms()) {
        expect(a.Properties.AlarmName).toMatch(/^outpost-ops-test-/);
        expect(a.Properties.AlarmActions).toBeUndefined();
      }
      // Dead letters and the scheduler's errors, besides the three RPO and two KMS alarms.
      expect(alarms().map((a) => a.Properties.AlarmName)).toEqual(
        expect.arrayContaining([
          "outpost-ops-test-copy-ticks-dead-letters",
          "outpost-ops-test-copy-schedule-errors",
        ]),
      );
      expect(alarms()).toHaveLength(7);
    });
  });

  describe("the dashboard", () => {
    interface Widget {
      type: string;
      properties: {
        title?: string;
        metrics?: unknown[][];
        annotations?: { horizontal?: { value: number; label: string }[] };
      };
    }
    let widgets: Widget[];

    beforeAll(() => {
      const [dashboard, ...more] = Object.values(
        template.findResources("AWS::CloudWatch::Dashboard") as Resources,
      );
      expect(more).toEqual([]);
      expect(dashboard?.Properties.DashboardName).toBe("outpost-ops-test-dr");
      const body = dashboard?.Properties.DashboardBody as { "Fn::Join": [string, unknown[]] };
      const text = body["Fn::Join"][1]
        .map((part) => (typeof part === "string" ? part : "us-east-1"))
        .join("");
      widgets = (JSON.parse(text) as { widgets: Widget[] }).widgets;
    });

    /** A metric row as the dashboard lists it: [namespace, name, dim, value, …, options]. */
    const rows = () =>
      widgets.flatMap((w) => (w.properties.metrics ?? []).map((m) => ({ widget: w, metric: m })));
    const named = (name: string) => rows().filter((r) => r.metric[1] === name);
    const dims = (m: unknown[]) => {
      const out: Record<string, unknown> = {};
      const flat = m.slice(2).filter((x) => typeof x === "string") as string[];
      for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i] as string] = flat[i + 1];
      return out;
    };

    it("shows each copy policy's oldest DR recovery point against its RPO", () => {
      const worst = named("WorstRecoveryPointAge");
      expect(worst.map((r) => dims(r.metric))).toEqual([
        { location: "dr", policy: "clinic-servers" },
        { location: "dr", policy: "orders-db" },
        { location: "dr", policy: "inventory-aurora" },
      ]);
      const rpoSeconds: Record<string, number> = {
        "clinic-servers": 36 * 3600,
        "orders-db": 12 * 3600,
        "inventory-aurora": 36 * 3600,
      };
      for (const r of worst) {
        const policy = String(dims(r.metric).policy);
        expect(r.widget.properties.annotations?.horizontal).toEqual([
          expect.objectContaining({ value: rpoSeconds[policy], label: expect.stringContaining("RPO") }),
        ]);
      }
    });

    it("shows resources behind the RPO per policy, and the copy slots of the DR Region", () => {
      expect(named("ResourcesBehindRpo").map((r) => dims(r.metric).policy)).toEqual([
        "clinic-servers",
        "orders-db",
        "inventory-aurora",
      ]);
      for (const name of ["CopiesInFlight", "CopiesQueued"])
        expect(named(name).map((r) => dims(r.metric))).toEqual([{ destination: "us-east-1" }]);
    });

    it("shows the copy job's skips and failures by reason code, over the dimensions Powertools emits", () => {
      const expressions = rows()
        .map((r) => (r.metric[0] as { expression?: string }).expression)
        .filter((e): e is string => typeof e === "string");
      expect(expressions).toEqual(
        expect.arrayContaining(
          ["SkippedByReason", "FailedByReason"].map((name) =>
            expect.stringMatching(
              new RegExp(`^SEARCH\\('\\{OutpostOps,code,job,service\\} MetricName="${name}" job="copy"'`),
            ),
          ),
        ),
      );
    });
  });

  describe("the copy role's IAM", () => {
    let statements: Statement[];
    const granting = (action: string) => statements.filter((s) => actionsOf(s).includes(action));

    beforeAll(() => {
      statements = copyRoleStatements();
    });

    it("copies EBS snapshots only from our tagged sources in the primary Region, into copies tagged as ours", () => {
      const copies = granting("ec2:CopySnapshot");
      expect(copies).toHaveLength(2);
      expect(copies).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            Resource: "arn:aws:ec2:us-west-2::snapshot/*",
            Condition: { StringEquals: { [`aws:ResourceTag/${Tag.managed}`]: "true" } },
          }),
          expect.objectContaining({
            Resource: "arn:aws:ec2:us-east-1::snapshot/*",
            Condition: { StringEquals: { [`aws:RequestTag/${Tag.managed}`]: "true" } },
          }),
        ]),
      );
    });

    it("tags EBS snapshots only as part of CopySnapshot, or with nothing but the failure-alerted key on ours", () => {
      const tagging = granting("ec2:CreateTags");
      expect(tagging).toHaveLength(2);
      for (const s of tagging) {
        expect(s.Resource).toBe("arn:aws:ec2:us-east-1::snapshot/*");
        const onCopy = s.Condition?.StringEquals?.["ec2:CreateAction"] === "CopySnapshot";
        const alertedOnly =
          s.Condition?.StringEquals?.[`aws:ResourceTag/${Tag.managed}`] === "true" &&
          JSON.stringify(s.Condition?.["ForAllValues:StringEquals"]?.["aws:TagKeys"]) ===
            JSON.stringify([Tag.failureAlerted]);
        expect(onCopy || alertedOnly, JSON.stringify(s)).toBe(true);
      }
    });

    it("copies and tags RDS snapshots only under our oo-* identifiers", () => {
      const rds = statements.filter((s) =>
        actionsOf(s).some((a) => /^rds:(CopyDB(Cluster)?Snapshot|AddTagsToResource)$/.test(a)),
      );
      expect(rds.length).toBeGreaterThanOrEqual(3);
      const resources = rds.flatMap((s) => listOf(s.Resource).map(String));
      for (const r of resources)
        expect(r).toMatch(/^arn:aws:rds:us-(west-2|east-1):123456789012:(snapshot|cluster-snapshot):oo-\*$/);
      // The sources in the primary Region, the copies here.
      const copy = granting("rds:CopyDBSnapshot").flatMap((s) => listOf(s.Resource).map(String));
      expect(copy).toEqual(
        expect.arrayContaining([
          `arn:aws:rds:us-west-2:${ACCOUNT}:snapshot:oo-*`,
          `arn:aws:rds:us-east-1:${ACCOUNT}:snapshot:oo-*`,
        ]),
      );
    });

    it("uses KMS only on the configured destination keys, never `*`", () => {
      const kms = statements.filter((s) => actionsOf(s).some((a) => a.startsWith("kms:")));
      const ours = kms.filter((s) => typeof s.Resource !== "object" || Array.isArray(s.Resource));
      // The rest are the alert key's grantPublish (a CloudFormation import, not `*`).
      for (const s of kms) expect(s.Resource).not.toBe("*");
      expect(ours.flatMap((s) => actionsOf(s))).toEqual(
        expect.arrayContaining(["kms:DescribeKey", "kms:CreateGrant", "kms:ReEncryptTo"]),
      );
      for (const s of ours) expect(listOf(s.Resource).map(String).sort()).toEqual([DR_KEY, DR_KEY_2].sort());
    });

    it("publishes metrics only into the OutpostOps namespace", () => {
      expect(granting("cloudwatch:PutMetricData")).toEqual([
        expect.objectContaining({
          Resource: "*",
          Condition: { StringEquals: { "cloudwatch:namespace": "OutpostOps" } },
        }),
      ]);
    });
  });
});

describe("Stack: Replication, primary Region", () => {
  let t: Template;

  beforeAll(() => {
    t = primary.template(Replication);
  });

  const DR_BUS = `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/default`;

  it("forwards the snapshot completions AWS emits here to the DR Region's default bus", () => {
    for (const spec of Jobs.copy.forwarded()) {
      const rule = t.toJSON().Resources[logicalId(t, spec.id)].Properties;
      expect(rule.EventPattern).toEqual(spec.pattern);
      expect(rule.Targets).toEqual([
        { Arn: DR_BUS, Id: "Target0", RoleArn: { "Fn::GetAtt": [expect.any(String), "Arn"] } },
      ]);
    }
    const rules = Object.values(t.findResources("AWS::Events::Rule") as Resources);
    expect(rules).toHaveLength(2);
    // A copy's own completion happens in the DR Region: it is not forwarded from here.
    expect(JSON.stringify(rules)).not.toContain("copySnapshot");
    expect(JSON.stringify(rules)).not.toContain("RDS-EVENT-0060");
  });

  it("each forwarding role may put events on exactly the DR default bus, and nothing else", () => {
    const policies = Object.values(t.findResources("AWS::IAM::Policy") as Resources);
    expect(policies).toHaveLength(2);
    for (const p of policies)
      expect((p.Properties.PolicyDocument as { Statement: Statement[] }).Statement).toEqual([
        { Action: "events:PutEvents", Effect: "Allow", Resource: DR_BUS },
      ]);
    for (const role of Object.values(t.findResources("AWS::IAM::Role") as Resources).filter(
      (r) => !JSON.stringify(r).includes("lambda.amazonaws.com"),
    ))
      expect(role.Properties.AssumeRolePolicyDocument).toMatchObject({
        Statement: [{ Principal: { Service: "events.amazonaws.com" } }],
      });
  });

  it("holds no copy scheduler, queue or alarm: the copy job runs in the DR Region", () => {
    expect(deployedFunctions([primary]).map((f) => f.name)).not.toContain("copySchedule");
    t.resourceCountIs("AWS::SQS::Queue", 0);
    t.resourceCountIs("AWS::CloudWatch::Alarm", 0);
    t.resourceCountIs("AWS::CloudWatch::Dashboard", 0);
  });
});

describe("The example config's copies", () => {
  it("one RPO alarm per copying policy and one KMS alarm for its one DR key", async () => {
    const t = (await synth(exampleConfig, "us-east-1")).template(Replication);
    const alarms = Object.values(t.findResources("AWS::CloudWatch::Alarm") as Resources);
    expect(
      alarms
        .filter((a) => a.Properties.MetricName === "ResourcesBehindRpo")
        .map((a) => a.Properties.AlarmName)
        .sort(),
    ).toEqual([
      "outpost-ops-test-rpo-clinic-servers",
      "outpost-ops-test-rpo-inventory-aurora",
      "outpost-ops-test-rpo-line-volumes-dr",
      "outpost-ops-test-rpo-orders-db",
    ]);
    expect(
      alarms
        .filter((a) => a.Properties.MetricName === "KmsKeyUnusable")
        .map((a) => (a.Properties.Dimensions as { Value: string }[])[0]?.Value),
    ).toEqual([`arn:aws:kms:us-east-1:${ACCOUNT}:key/0d3f5c1e-7a2b-4c9d-8e6f-1a2b3c4d5e6f`]);
    // Four RPO, one KMS, the dead letters and the scheduler's errors.
    expect(alarms).toHaveLength(7);
  });
});

describe("Without any copy rule", () => {
  it("no Replication stack, no forwarding of snapshot events and no copy queue in either Region", async () => {
    for (const region of ["us-west-2", "us-east-1"]) {
      // The example still fails over: its primary forwards the trigger alarm, and nothing else.
      const app = await synth(withoutCopies(exampleConfig), region);
      const stacks = app.app.node.children.filter((c): c is Stack => c instanceof Stack);
      expect(stacks.map((s) => s.stackName)).not.toContain("test-outpost-ops-Replication");
      const forwarded: string[] = [];
      for (const stack of stacks) {
        const t = Template.fromStack(stack);
        for (const r of Object.values(t.findResources("AWS::Events::Rule") as Resources)) {
          const toBus = listOf(r.Properties.Targets).some((target) =>
            JSON.stringify((target as { Arn: unknown }).Arn).includes(":event-bus/"),
          );
          const source = (r.Properties.EventPattern as { source?: string[] } | undefined)?.source;
          if (toBus) forwarded.push(`${stack.stackName} ${JSON.stringify(source)}`);
        }
        const json = JSON.stringify(t.toJSON());
        expect(json).not.toContain("copy-ticks");
        expect(json).not.toContain("CopySnapshot");
        expect(json).not.toContain("KmsKeyUnusable");
      }
      expect(forwarded, region).toEqual(
        region === "us-west-2" ? ['test-outpost-ops-Failover ["aws.cloudwatch"]'] : [],
      );
      expect(deployedFunctions([app]).map((f) => f.name)).not.toContain("copySchedule");
    }
  });
});

/*
 * A third Region: orders-db also copies to eu-west-1 (copy.alsoTo) with a key of that Region. The
 * deployment there holds the alerts, retention of its copies and its own copy job, alarmed and
 * granted for the policies and key of that Region only; the primary forwards to both buses.
 */
describe("Stack: Replication, a copy.alsoTo Region", () => {
  const EU_KEY = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/9abc1234-12ab-34cd-56ef-1234567890ab`;
  let eu: Synthesized;
  let primaryThree: Synthesized;

  beforeAll(async () => {
    const config = copyConfig();
    for (const p of config.policies)
      if (p.name === "orders-db" && p.copy)
        Object.assign(p.copy, { alsoTo: [{ region: "eu-west-1", kmsKeyArn: EU_KEY }] });
    eu = await synth(config, "eu-west-1");
    primaryThree = await synth(config, "us-west-2");
  });

  it("deploys alerts, retention (of its copies) and the copy job there, never the snapshot job", () => {
    const stacks = eu.app.node.children.filter((c): c is Stack => c instanceof Stack).map((s) => s.stackName);
    expect(stacks).toEqual([
      "test-outpost-ops-Alerts",
      "test-outpost-ops-Backup",
      "test-outpost-ops-Replication",
    ]);
    expect(
      deployedFunctions([eu])
        .map((f) => f.name)
        .sort(),
    ).toEqual(["alarmStateChange", "copySchedule", "retentionSweep", "retentionWork"]);
  });

  it("names its dashboard for its Region (dashboards are global to the account)", () => {
    const names = Object.values(
      eu.template(Replication).findResources("AWS::CloudWatch::Dashboard") as Resources,
    ).map((d) => d.Properties.DashboardName);
    expect(names).toEqual(["outpost-ops-test-dr-eu-west-1"]);
  });

  it("alarms on the policies copying there and on that Region's key only", () => {
    const alarms = Object.values(
      eu.template(Replication).findResources("AWS::CloudWatch::Alarm") as Resources,
    );
    expect(
      alarms
        .filter((a) => a.Properties.MetricName === "ResourcesBehindRpo")
        .map((a) => a.Properties.AlarmName),
    ).toEqual(["outpost-ops-test-rpo-orders-db"]);
    const kms = alarms.filter((a) => a.Properties.MetricName === "KmsKeyUnusable");
    expect(kms.map((a) => (a.Properties.Dimensions as { Value: string }[])[0]?.Value)).toEqual([EU_KEY]);
    expect(String(kms[0]?.Properties.AlarmDescription)).toContain("copies into eu-west-1");
  });

  it("grants the copy role that Region's key and no DR key, and copies only into that Region", () => {
    const statements = copyRoleStatements(eu);
    const keys = statements
      .filter((s) => actionsOf(s).some((a) => a.startsWith("kms:")))
      .flatMap((s) => listOf(s.Resource))
      .filter((r) => typeof r === "string");
    expect([...new Set(keys)]).toEqual([EU_KEY]);
    const copyInto = statements
      .filter((s) => actionsOf(s).includes("ec2:CopySnapshot"))
      .flatMap((s) => listOf(s.Resource).map(String));
    expect(copyInto.sort()).toEqual([
      "arn:aws:ec2:eu-west-1::snapshot/*",
      "arn:aws:ec2:us-west-2::snapshot/*",
    ]);
  });

  it("the primary forwards the snapshot events to both destinations' default buses, one rule each", () => {
    const t = primaryThree.template(Replication);
    const targets = Object.values(t.findResources("AWS::Events::Rule") as Resources).map((r) =>
      JSON.stringify(listOf(r.Properties.Targets).map((x) => (x as { Arn: unknown }).Arn)),
    );
    expect(targets.sort()).toEqual(
      [
        `["arn:aws:events:eu-west-1:${ACCOUNT}:event-bus/default"]`,
        `["arn:aws:events:eu-west-1:${ACCOUNT}:event-bus/default"]`,
        `["arn:aws:events:us-east-1:${ACCOUNT}:event-bus/default"]`,
        `["arn:aws:events:us-east-1:${ACCOUNT}:event-bus/default"]`,
      ].sort(),
    );
    // regions.dr's rules keep their construct ids (a redeploy does not replace them).
    for (const spec of Jobs.copy.forwarded()) expect(() => logicalId(t, spec.id)).not.toThrow();
  });

  it("a Region the config neither deploys to nor copies to is refused, naming every Region to deploy", async () => {
    await expect(synth(copyConfig(), "eu-west-1")).rejects.toThrow(
      /eu-west-1 is not one outpost-ops.config.ts deploys to.*--region us-east-1/,
    );
  });
});
