import { FunctionPermissions, type FunctionRole } from "@outpost-ops/core/aws/permissions";
import { parseConfig } from "@outpost-ops/core/config";
import { RDS_SNAPSHOT_ID_PREFIX } from "@outpost-ops/core/snapshot/names";
import { Match, Template } from "aws-cdk-lib/assertions";
import { App as CdkApp, Stack as CdkStack } from "aws-cdk-lib/core";
import { beforeAll, describe, expect, it } from "vitest";
import { Alerts } from "../../stacks/Alerts.ts";
import { Backup } from "../../stacks/Backup.ts";
import { Failover } from "../../stacks/Failover.ts";
import { Handlers } from "../../stacks/handlers.ts";
import {
  fillPlaceholders,
  fillResource,
  isServiceWideAction,
  kmsKeysOf,
  placeholdersFrom,
  policyStatements,
  statementsFor,
} from "../../stacks/iam.ts";
import { Replication } from "../../stacks/Replication.ts";
import {
  DR_KEY as COPY_KEY,
  DR_KEY_2 as COPY_KEY_2,
  configWith,
  copyConfig,
  type DeployedFunction,
  deployedFunctions,
  exampleConfig,
  failoverConfig,
  propsOf,
  type Synthesized,
  synth,
  withoutCopies,
  withoutFailover,
} from "./synth.ts";

/*
 * All stack assertions in one file: each test file pays ~2.5 s to load sst/constructs and aws-cdk-lib,
 * and these share the synthesized apps (example config in the primary and in the DR Region; the
 * example copies to DR, so both have the Replication stack too).
 */
let primary: Synthesized;
let dr: Synthesized;
/** copyConfig() (the copy rules of the tests, two keys), in the DR Region: the copy job's stack too. */
let drCopying: Synthesized;
/** failoverConfig() in the DR Region: the Failover stack's roles too. */
let drFailover: Synthesized;
/** The example's own DR key, for all four of its copying policies. */
const EXAMPLE_DR_KEY = "arn:aws:kms:us-east-1:123456789012:key/0d3f5c1e-7a2b-4c9d-8e6f-1a2b3c4d5e6f";

beforeAll(async () => {
  primary = await synth();
  dr = await synth(undefined, "us-east-1");
  drCopying = await synth(copyConfig(), "us-east-1");
  drFailover = await synth(failoverConfig(), "us-east-1");
});

interface KeyStatement {
  Sid?: string;
  Action: string | string[];
  Principal?: { Service?: string | string[]; AWS?: unknown };
  Condition?: unknown;
}

describe("Stack: Alerts", () => {
  let template: Template;

  beforeAll(() => {
    template = primary.template(Alerts);
  });

  it("encrypts the topic with a rotating customer-managed key", () => {
    const [keyId] = Object.keys(
      template.findResources("AWS::KMS::Key", { Properties: { EnableKeyRotation: true } }),
    );
    expect(keyId).toBeDefined();
    template.hasResourceProperties("AWS::SNS::Topic", {
      TopicName: "outpost-ops-test-alerts",
      KmsMasterKeyId: { "Fn::GetAtt": [keyId, "Arn"] },
    });
  });

  it("lets only the account use the key, through IAM: no AWS service publishes to the topic itself", () => {
    const [key] = Object.values(template.findResources("AWS::KMS::Key"));
    const statements = key?.Properties.KeyPolicy.Statement as KeyStatement[];
    expect(statements.map((s) => s.Sid)).toEqual(["AccountAdministersAndUsesKeyThroughIam"]);
    expect(statements.flatMap((s) => [s.Principal?.Service ?? []].flat())).toEqual([]);
  });

  it("subscribes every configured e-mail address", async () => {
    template.resourceCountIs("AWS::SNS::Subscription", 1);
    template.hasResourceProperties("AWS::SNS::Subscription", {
      Protocol: "email",
      Endpoint: "sre-oncall@example.com",
    });

    const two = (
      await synth(configWith((c) => (c.alerts = { emails: ["a@example.com", "b@example.com"] })))
    ).template(Alerts);
    two.resourceCountIs("AWS::SNS::Subscription", 2);
    const none = (await synth(configWith((c) => (c.alerts = { emails: [] })))).template(Alerts);
    none.resourceCountIs("AWS::SNS::Subscription", 0);
  });

  it("routes state changes of outpost-ops alarms of this stage to the alarm handler", () => {
    const [fnId] = Object.keys(
      template.findResources("AWS::Lambda::Function", {
        Properties: { Environment: { Variables: Match.objectLike({ ALERT_TOPIC_ARN: Match.anyValue() }) } },
      }),
    );
    template.hasResourceProperties("AWS::Events::Rule", {
      EventPattern: {
        source: ["aws.cloudwatch"],
        "detail-type": ["CloudWatch Alarm State Change"],
        detail: { alarmName: [{ prefix: "outpost-ops-test-" }], state: { value: ["ALARM", "OK"] } },
      },
      Targets: [Match.objectLike({ Arn: { "Fn::GetAtt": [fnId, "Arn"] } })],
    });
  });

  it("gives the alarm handler the topic and the right to publish to it through the key", () => {
    const [topicId] = Object.keys(template.findResources("AWS::SNS::Topic"));
    const [keyId] = Object.keys(template.findResources("AWS::KMS::Key"));
    template.hasResourceProperties("AWS::Lambda::Function", {
      Environment: { Variables: Match.objectLike({ ALERT_TOPIC_ARN: { Ref: topicId } }) },
    });
    template.hasResourceProperties("AWS::IAM::Policy", {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: "sns:Publish", Resource: { Ref: topicId } }),
          Match.objectLike({
            Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
            Resource: { "Fn::GetAtt": [keyId, "Arn"] },
          }),
        ]),
      },
    });
  });
});

function resources(
  template: Template,
  type: string,
): Record<string, { Properties: Record<string, unknown> }> {
  return template.findResources(type) as Record<string, { Properties: Record<string, unknown> }>;
}

function logicalIdOfQueue(template: Template, name: string): string {
  const [id] = Object.keys(template.findResources("AWS::SQS::Queue", { Properties: { QueueName: name } }));
  if (!id) throw new Error(`no queue named ${name}`);
  return id;
}

describe("Stack: Backup", () => {
  let template: Template;

  beforeAll(() => {
    template = primary.template(Backup);
  });

  it("gives each of its four functions a log group that keeps 90 days", () => {
    template.resourcePropertiesCountIs("AWS::Logs::LogGroup", { RetentionInDays: 90 }, 4);
  });

  describe("schedules", () => {
    it("creates one EventBridge schedule per policy schedule, rates deployed as aligned crons", () => {
      // Assess: the example has 6 policy schedules plus the retention sweep
      const rules = Object.values(resources(template, "AWS::Events::Rule"));
      const expressions = rules.map((r) => r.Properties.ScheduleExpression).sort();
      expect(expressions).toEqual(
        [
          "cron(0 * * * ? *)", // line-volumes hourly: rate(1 hour)
          "cron(0 0 * * ? *)", // line-volumes daily
          "cron(30 1 * * ? *)", // clinic-servers daily
          "cron(0 0/6 * * ? *)", // orders-db every-6h: rate(6 hours)
          "cron(0 3 * * ? *)", // inventory-aurora daily
          "cron(30 2 * * ? *)", // line-volumes-dr daily
          "cron(15 * * * ? *)", // retention
        ].sort(),
      );
      expect(expressions.filter((e) => String(e).startsWith("rate("))).toEqual([]);
    });

    it("targets the snapshot planner with the plain scheduled event (no custom input)", () => {
      // Prepare
      const fnId = Object.keys(
        template.findResources("AWS::Lambda::Function", {
          Properties: { Environment: { Variables: { SNAPSHOT_QUEUE_URL: Match.anyValue() } } },
        }),
      )[0];
      const snapshotRules = Object.values(resources(template, "AWS::Events::Rule")).filter((r) =>
        String(r.Properties.Description).startsWith("Snapshot window"),
      );
      // Assess
      expect(snapshotRules).toHaveLength(6);
      for (const rule of snapshotRules) {
        const targets = rule.Properties.Targets as Record<string, unknown>[];
        expect(targets).toHaveLength(1);
        expect(targets[0]).toEqual({ Arn: { "Fn::GetAtt": [fnId, "Arn"] }, Id: "Target0" });
      }
    });

    it("follows the config: a schedule added, removed or changed changes the rules", async () => {
      // Prepare
      const config = configWith((c) => {
        c.policies = [
          {
            name: "only",
            resource: "ebs-volume",
            selector: { tags: { Backup: "yes" } },
            schedules: [
              { name: "quarter", expression: "rate(15 minutes)", retention: { keepLast: 4 } },
              { name: "twice", expression: "rate(12 hours)", retention: { keepLast: 2 } },
            ],
          },
        ];
        c.retention = { schedule: "rate(1 day)" };
      });
      // Act
      const t = (await synth(config)).template(Backup);
      // Assess
      const expressions = Object.values(resources(t, "AWS::Events::Rule"))
        .map((r) => r.Properties.ScheduleExpression)
        .sort();
      expect(expressions).toEqual(
        ["cron(0 0 * * ? *)", "cron(0 0/12 * * ? *)", "cron(0/15 * * * ? *)"].sort(),
      );
    });

    it("runs the retention sweep on config.retention.schedule", () => {
      template.hasResourceProperties("AWS::Events::Rule", {
        ScheduleExpression: "cron(15 * * * ? *)",
        Description: Match.stringLikeRegexp("^Retention sweep"),
      });
    });
  });

  describe("queues", () => {
    it("snapshot work: FIFO, producer-set dedup, high-throughput, redrive to a FIFO DLQ after 10 receives", () => {
      const dlq = logicalIdOfQueue(template, "outpost-ops-test-snapshot-work-dlq.fifo");
      template.hasResourceProperties("AWS::SQS::Queue", {
        QueueName: "outpost-ops-test-snapshot-work.fifo",
        FifoQueue: true,
        ContentBasedDeduplication: false,
        DeduplicationScope: "messageGroup",
        FifoThroughputLimit: "perMessageGroupId",
        SqsManagedSseEnabled: true,
        RedrivePolicy: { deadLetterTargetArn: { "Fn::GetAtt": [dlq, "Arn"] }, maxReceiveCount: 10 },
      });
      template.hasResourceProperties("AWS::SQS::Queue", {
        QueueName: "outpost-ops-test-snapshot-work-dlq.fifo",
        FifoQueue: true,
        SqsManagedSseEnabled: true,
      });
    });

    it("retention work: standard queue with a DLQ", () => {
      const dlq = logicalIdOfQueue(template, "outpost-ops-test-retention-work-dlq");
      template.hasResourceProperties("AWS::SQS::Queue", {
        QueueName: "outpost-ops-test-retention-work",
        FifoQueue: Match.absent(),
        SqsManagedSseEnabled: true,
        RedrivePolicy: { deadLetterTargetArn: { "Fn::GetAtt": [dlq, "Arn"] }, maxReceiveCount: 10 },
      });
    });

    it("every queue is encrypted and work queues hide a message for at least 6 x the worker timeout", () => {
      const queues = Object.values(resources(template, "AWS::SQS::Queue"));
      expect(queues).toHaveLength(4);
      for (const q of queues) expect(q.Properties.SqsManagedSseEnabled).toBe(true);
      const workerTimeouts = Object.values(resources(template, "AWS::Lambda::Function"))
        .filter((f) => f.Properties.Timeout === 300)
        .map((f) => f.Properties.Timeout as number);
      expect(workerTimeouts).toHaveLength(2);
      for (const q of queues.filter((q) => q.Properties.RedrivePolicy)) {
        expect(q.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * Math.max(...workerTimeouts));
      }
    });
  });

  describe("workers", () => {
    it("drain the queues with bounded concurrency and partial batch responses", () => {
      const snapshotQueue = logicalIdOfQueue(template, "outpost-ops-test-snapshot-work.fifo");
      const retentionQueue = logicalIdOfQueue(template, "outpost-ops-test-retention-work");
      template.resourceCountIs("AWS::Lambda::EventSourceMapping", 2);
      template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
        EventSourceArn: { "Fn::GetAtt": [snapshotQueue, "Arn"] },
        BatchSize: 10,
        ScalingConfig: { MaximumConcurrency: 2 },
        FunctionResponseTypes: ["ReportBatchItemFailures"],
      });
      template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
        EventSourceArn: { "Fn::GetAtt": [retentionQueue, "Arn"] },
        BatchSize: 5,
        ScalingConfig: { MaximumConcurrency: 2 },
        FunctionResponseTypes: ["ReportBatchItemFailures"],
      });
    });

    it("planners run up to 14 minutes and know their queue; workers 5 minutes", () => {
      template.hasResourceProperties("AWS::Lambda::Function", {
        Timeout: 840,
        Environment: { Variables: Match.objectLike({ SNAPSHOT_QUEUE_URL: Match.anyValue() }) },
      });
      template.hasResourceProperties("AWS::Lambda::Function", {
        Timeout: 840,
        Environment: { Variables: Match.objectLike({ RETENTION_QUEUE_URL: Match.anyValue() }) },
      });
      const timeouts = Object.values(resources(template, "AWS::Lambda::Function"))
        .filter((f) => (f.Properties.Environment as { Variables?: object } | undefined)?.Variables)
        .map((f) => f.Properties.Timeout)
        .sort();
      expect(timeouts).toEqual([300, 300, 840, 840]); // SST's own custom-resource handler has no environment
    });
  });

  describe("alarms", () => {
    it("alarm on any dead letter, named for the Alerts rule, with no raw alarm actions", () => {
      for (const queue of ["snapshot-work", "retention-work"]) {
        template.hasResourceProperties("AWS::CloudWatch::Alarm", {
          AlarmName: `outpost-ops-test-${queue}-dead-letters`,
          Namespace: "AWS/SQS",
          MetricName: "ApproximateNumberOfMessagesVisible",
          ComparisonOperator: "GreaterThanThreshold",
          Threshold: 0,
          EvaluationPeriods: 1,
          DatapointsToAlarm: 1,
          Period: 60,
          TreatMissingData: "notBreaching",
        });
      }
      for (const alarm of Object.values(resources(template, "AWS::CloudWatch::Alarm"))) {
        expect(alarm.Properties.AlarmName).toMatch(/^outpost-ops-test-/);
        expect(alarm.Properties.AlarmActions).toBeUndefined();
        expect(alarm.Properties.OKActions).toBeUndefined();
      }
    });

    it("alarm on the Errors of each worker (and planner)", () => {
      for (const fn of ["snapshot-work", "retention-work", "snapshot-window", "retention-sweep"]) {
        template.hasResourceProperties("AWS::CloudWatch::Alarm", {
          AlarmName: `outpost-ops-test-${fn}-errors`,
          Namespace: "AWS/Lambda",
          MetricName: "Errors",
          Threshold: 0,
          TreatMissingData: "notBreaching",
        });
      }
    });
  });
});

const DEFAULT_ENV = ["POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE", "OUTPOST_OPS_STAGE"];
/** Set by SST itself on every function. */
const SST_ENV = ["AWS_NODEJS_CONNECTION_REUSE_ENABLED", "SST_APP", "SST_STAGE", "SST_SSM_PREFIX"];

describe("Functions", () => {
  let functions: DeployedFunction[];

  beforeAll(() => {
    functions = deployedFunctions([primary, dr]);
  });

  const all = () => [
    ...functions,
    ...deployedFunctions([drCopying]).filter((f) => f.name === "copySchedule"),
  ];

  it("every handler is deployed (alarm handler and retention in both Regions, snapshots in the primary, copies in DR)", async () => {
    expect(functions.map((f) => `${f.name} ${f.region}`).sort()).toEqual(
      [
        "alarmStateChange us-east-1",
        "alarmStateChange us-west-2",
        "capacityAlarm us-west-2", // the example has Outposts, watched from the primary Region
        "capacityMonitor us-west-2",
        "capacityReport us-west-2",
        "copySchedule us-east-1", // the example copies to DR
        "failover us-east-1", // and fails DNS over, from DR
        "failoverReadiness us-east-1",
        "retentionSweep us-east-1",
        "retentionSweep us-west-2",
        "retentionWork us-east-1",
        "retentionWork us-west-2",
        "snapshotWindow us-west-2",
        "snapshotWork us-west-2",
      ].sort(),
    );
    // The copy scheduler only once a policy has a copy rule, in the DR Region.
    expect(
      deployedFunctions([drCopying])
        .filter((f) => f.name === "copySchedule")
        .map((f) => f.region),
    ).toEqual(["us-east-1"]);
    const noCopies = await synth(withoutCopies(exampleConfig), "us-east-1");
    expect(deployedFunctions([noCopies]).map((f) => f.name)).not.toContain("copySchedule");
  });

  it("run Node.js 22 on arm64, 512 MB, no tracing, bundled as ESM", () => {
    for (const { fn, properties } of all()) {
      // Unbundled, SST deploys placeholder code on nodejs22.x whatever we ask; the props are what
      // the real build uses (bundle.test.ts checks the built template).
      expect(propsOf(fn).runtime).toBe("nodejs22.x");
      expect(propsOf(fn).nodejs?.format).toBe("esm");
      expect(properties.Runtime).toBe("nodejs22.x");
      expect(properties.Architectures).toEqual(["arm64"]);
      expect(properties.MemorySize).toBe(512);
      expect(properties.TracingConfig).toBeUndefined();
      expect((properties.LoggingConfig as { LogGroup?: unknown } | undefined)?.LogGroup).toBeDefined();
    }
  });

  it("each has its own role: no managed policy, and logs only to its own log group", () => {
    for (const { name, stack, template: json, roleId, properties } of all()) {
      const template = Template.fromStack(stack);
      const role = json.Resources[roleId];
      expect(role?.Properties?.ManagedPolicyArns, name).toBeUndefined();
      const logGroupId = (properties.LoggingConfig as { LogGroup?: { Ref?: string } }).LogGroup?.Ref;
      expect(logGroupId, name).toBeDefined();
      template.hasResourceProperties("AWS::IAM::Policy", {
        Roles: [{ Ref: roleId }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            {
              Effect: "Allow",
              Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
              Resource: { "Fn::GetAtt": [logGroupId, "Arn"] },
            },
          ]),
        },
      });
    }
  });

  it("get exactly the environment their Handlers entry declares, plus the defaults", () => {
    for (const { name, properties } of all()) {
      const variables = properties.Environment.Variables;
      expect(Object.keys(variables).sort(), name).toEqual(
        [...DEFAULT_ENV, ...SST_ENV, ...Handlers[name].environment].sort(),
      );
      expect(variables.POWERTOOLS_SERVICE_NAME).toBe("outpost-ops");
      expect(variables.POWERTOOLS_METRICS_NAMESPACE).toBe("OutpostOps");
      expect(variables.OUTPOST_OPS_STAGE).toBe("test");
    }
  });
});

interface Statement {
  Effect: "Allow" | "Deny";
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

/** Every policy statement anywhere in a template: IAM policies, role inline policies, key and topic policies. */
function allStatements(node: unknown): Statement[] {
  if (Array.isArray(node)) return node.flatMap(allStatements);
  if (node === null || typeof node !== "object") return [];
  const record = node as Record<string, unknown>;
  const own = Array.isArray(record.Statement) ? (record.Statement as Statement[]) : [];
  return [...own, ...Object.entries(record).flatMap(([k, v]) => (k === "Statement" ? [] : allStatements(v)))];
}

const actionsOf = (s: Statement) => [s.Action ?? []].flat();
const resourcesOf = (s: Statement) => JSON.stringify(s.Resource ?? "");

describe("Function: statementsFor", () => {
  const stack = new CdkStack(new CdkApp(), "Probe", {
    env: { region: "eu-central-1", account: "111122223333" },
  });
  // A config with copy keys and a failover section, and the stack's prefix, so every placeholder has a value.
  const copying = { ...placeholdersFrom(parseConfig(failoverConfig())), prefix: "outpost-ops-test" };

  it.each(Object.keys(FunctionPermissions) as FunctionRole[])(
    "%s: one statement per declared permission",
    (role) => {
      const statements = statementsFor(role, stack, copying).map((s) => s.toStatementJson());
      expect(statements).toHaveLength(FunctionPermissions[role].length);
      for (const s of statements) expect(JSON.stringify(s)).not.toMatch(/\$\{/);
    },
  );

  it(`leaves out a statement whose \${kmsKeys:GROUP} is empty, rather than grant it on nothing`, () => {
    const none = statementsFor(
      "copyScheduler",
      stack,
      placeholdersFrom(parseConfig(withoutCopies(exampleConfig))),
    );
    const onKeys = FunctionPermissions.copyScheduler.filter((p) => p.resources.includes(`\${kmsKeys:copy}`));
    expect(onKeys.length).toBe(3);
    expect(none).toHaveLength(FunctionPermissions.copyScheduler.length - onKeys.length);
    expect(JSON.stringify(none.map((s) => s.toStatementJson()))).not.toContain("kms:");
  });

  it(`fills \${capacityAlarmPrefix} from the stack's prefix, and refuses it without one`, () => {
    const json = JSON.stringify(
      statementsFor("capacityMonitor", stack, copying).map((s) => s.toStatementJson()),
    );
    expect(json).toContain("arn:aws:cloudwatch:eu-central-1:111122223333:alarm:outpost-ops-test-capacity-*");
    expect(() =>
      statementsFor("capacityMonitor", stack, placeholdersFrom(parseConfig(failoverConfig()))),
    ).toThrow(/capacityAlarmPrefix.*has no value/);
  });

  it("fills the region and account placeholders from the stack", () => {
    const json = JSON.stringify(statementsFor("snapshotWorker", stack).map((s) => s.toStatementJson()));
    expect(json).toContain("arn:aws:ec2:eu-central-1:111122223333:volume/*");
    expect(json).toContain("arn:aws:ec2:eu-central-1::snapshot/*");
    expect(json).toContain(`arn:aws:rds:eu-central-1:111122223333:snapshot:${RDS_SNAPSHOT_ID_PREFIX}*`);
    expect(json).not.toContain("arn:aws:rds:eu-central-1:111122223333:snapshot:*");
  });

  it("uses the Region's partition, so GovCloud and China get their own ARNs", () => {
    const gov = new CdkStack(new CdkApp(), "Gov", {
      env: { region: "us-gov-west-1", account: "111122223333" },
    });
    const json = JSON.stringify(statementsFor("retentionWorker", gov).map((s) => s.toStatementJson()));
    expect(json).toContain("arn:aws-us-gov:ec2:us-gov-west-1::snapshot/*");
    expect(json).not.toContain("arn:aws:");
  });

  it("recognises service-wide wildcards but allows prefixes", () => {
    expect(["*", "ec2:*", "kms:*"].map(isServiceWideAction)).toEqual([true, true, true]);
    expect(["ec2:Describe*", "kms:GenerateDataKey*", "ec2:DeleteSnapshot"].map(isServiceWideAction)).toEqual([
      false,
      false,
      false,
    ]);
  });
});

describe("Function: fillPlaceholders", () => {
  const stack = new CdkStack(new CdkApp(), "Probe", {
    env: { region: "us-west-2", account: "111122223333" },
  });
  const config = parseConfig(exampleConfig);
  const DR_KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
  // A stand-in for the key the copy job will add to the config (copy.kmsKeyArn per destination).
  const placeholders = placeholdersFrom(config, { "copy-dr": DR_KEY });

  it("fills the config's primary and DR Regions, so one Region's function can be granted the other", () => {
    expect(
      fillPlaceholders(`arn:\${partition}:rds:\${drRegion}:\${account}:snapshot:oo-*`, stack, placeholders),
    ).toBe("arn:aws:rds:us-east-1:111122223333:snapshot:oo-*");
    expect(fillPlaceholders(`arn:aws:ec2:\${primaryRegion}::snapshot/*`, stack, placeholders)).toBe(
      "arn:aws:ec2:us-west-2::snapshot/*",
    );
  });

  it("fills a KMS key the config names, in resources and in conditions", () => {
    const [statement] = policyStatements(
      [
        {
          why: "re-encrypt copies with the DR key, only through RDS in the DR Region",
          actions: ["kms:CreateGrant", "kms:DescribeKey"],
          resources: [`\${kmsKey:copy-dr}`],
          conditions: { StringEquals: { "kms:ViaService": `rds.\${drRegion}.amazonaws.com` } },
        },
      ],
      stack,
      placeholders,
    );
    expect(statement?.toStatementJson()).toEqual({
      Effect: "Allow",
      Action: ["kms:CreateGrant", "kms:DescribeKey"],
      Resource: DR_KEY,
      Condition: { StringEquals: { "kms:ViaService": "rds.us-east-1.amazonaws.com" } },
    });
  });

  it("fails loudly on an unknown placeholder, an unknown key, a value that is not a key ARN, or no config", () => {
    expect(() => fillPlaceholders(`arn:aws:rds:\${dr}:x`, stack, placeholders)).toThrow(
      /\$\{dr\} .* is unknown/,
    );
    expect(() => fillPlaceholders(`\${kmsKey:copy-eu}`, stack, placeholders)).toThrow(
      /\$\{kmsKey:copy-eu\} .* names a KMS key the config does not define/,
    );
    const wrong = placeholdersFrom(config, { "copy-dr": "alias/outpost-ops" });
    expect(() => fillPlaceholders(`\${kmsKey:copy-dr}`, stack, wrong)).toThrow(/not a KMS key ARN/);
    // IAM does not authorize key operations through an alias ARN, so one would grant nothing.
    const alias = placeholdersFrom(config, {
      "copy-dr": "arn:aws:kms:us-east-1:123456789012:alias/dr-copies",
    });
    expect(() => fillPlaceholders(`\${kmsKey:copy-dr}`, stack, alias)).toThrow(/an alias ARN grants nothing/);
    expect(() => fillPlaceholders(`arn:aws:ec2:\${drRegion}::snapshot/*`, stack)).toThrow(
      /has no value: pass placeholdersFrom\(config\)/,
    );
    expect(() => fillPlaceholders(`\${kmsKey:copy-dr}`, stack)).toThrow(/has no value/);
  });

  it(`the example config names no \${kmsKey:NAME} key, and one copy key (its DR key) for all four copies`, () => {
    expect(() => fillPlaceholders(`\${kmsKey:copy-dr}`, stack, placeholdersFrom(config))).toThrow(
      /does not define/,
    );
    expect(kmsKeysOf(config)).toEqual({ copy: [EXAMPLE_DR_KEY] });
    expect(config.policies.filter((p) => p.copy?.kmsKeyArn === EXAMPLE_DR_KEY).map((p) => p.name)).toEqual([
      "clinic-servers",
      "orders-db",
      "inventory-aurora",
      "line-volumes-dr",
    ]);
    expect(kmsKeysOf(parseConfig(withoutCopies(exampleConfig)))).toEqual({ copy: [] });
  });

  it(`\${kmsKeys:copy} is every policy's copy key, each once, one resource each`, () => {
    const copying = parseConfig(copyConfig());
    expect(kmsKeysOf(copying)).toEqual({ copy: [COPY_KEY, COPY_KEY_2] });
    expect(fillResource(`\${kmsKeys:copy}`, stack, placeholdersFrom(copying))).toEqual([
      COPY_KEY,
      COPY_KEY_2,
    ]);
    const [statement] = policyStatements(
      [{ why: "check the keys", actions: ["kms:DescribeKey"], resources: [`\${kmsKeys:copy}`] }],
      stack,
      placeholdersFrom(copying),
    );
    expect(statement?.toStatementJson()).toEqual({
      Effect: "Allow",
      Action: "kms:DescribeKey",
      Resource: [COPY_KEY, COPY_KEY_2],
    });
  });

  it("fails loudly on an unknown key group, a group inside a longer string, a non-key ARN, or no config", () => {
    const copying = placeholdersFrom(parseConfig(copyConfig()));
    expect(() => fillResource(`\${kmsKeys:backup}`, stack, copying)).toThrow(
      /\$\{kmsKeys:backup\} .* names a KMS key group that does not exist/,
    );
    expect(() => fillResource(`arn:aws:kms:\${kmsKeys:copy}`, stack, copying)).toThrow(
      /only as a whole Resource entry/,
    );
    expect(() =>
      policyStatements(
        [{ why: "x", actions: ["kms:DescribeKey"], resources: [`\${kmsKeys:copy}`] }],
        stack,
        placeholdersFrom(config, {}, { copy: ["arn:aws:kms:us-east-1:111122223333:alias/dr"] }),
      ),
    ).toThrow(/an alias ARN grants nothing/);
    expect(() => fillResource(`\${kmsKeys:copy}`, stack)).toThrow(/has no value/);
  });

  it(`fills \${failoverZone} and expands \${failoverRecordNames}/\${failoverRecordTypes} in a condition's list`, () => {
    const [statement] = policyStatements(
      [
        {
          why: "change the failover records",
          actions: ["route53:ChangeResourceRecordSets"],
          resources: [`arn:\${partition}:route53:::hostedzone/\${failoverZone}`],
          conditions: {
            "ForAllValues:StringEquals": {
              "route53:ChangeResourceRecordSetsNormalizedRecordNames": [`\${failoverRecordNames}`],
              "route53:ChangeResourceRecordSetsRecordTypes": [`\${failoverRecordTypes}`, "MX"],
            },
          },
        },
      ],
      stack,
      placeholdersFrom(parseConfig(failoverConfig())),
    );
    expect(statement?.toStatementJson()).toMatchObject({
      Resource: "arn:aws:route53:::hostedzone/Z0FAILOVER000000000001",
      Condition: {
        "ForAllValues:StringEquals": {
          "route53:ChangeResourceRecordSetsNormalizedRecordNames": expect.arrayContaining([
            "app.example.com",
            "_outpost-ops-failover.example.com",
          ]),
          "route53:ChangeResourceRecordSetsRecordTypes": ["A", "TXT", "MX"],
        },
      },
    });
  });

  it("fails loudly on a failover placeholder without a failover section, or a list inside a string", () => {
    const noFailover = placeholdersFrom(parseConfig(withoutFailover(exampleConfig)), { "copy-dr": DR_KEY });
    expect(() => fillPlaceholders(`hostedzone/\${failoverZone}`, stack, noFailover)).toThrow(
      /has no value: the config has no `failover` section/,
    );
    expect(() =>
      fillPlaceholders(`x-\${failoverRecordNames}`, stack, placeholdersFrom(parseConfig(failoverConfig()))),
    ).toThrow(/stands for a list/);
    expect(() =>
      policyStatements(
        [
          {
            why: "x",
            actions: ["route53:ChangeResourceRecordSets"],
            resources: ["*"],
            conditions: { "ForAllValues:StringEquals": { k: [`\${failoverRecordTypes}`] } },
          },
        ],
        stack,
        noFailover,
      ),
    ).toThrow(/has no value: the config has no `failover` section/);
  });
});

describe("IAM across the deployed stacks", () => {
  let statements: Statement[];

  beforeAll(() => {
    statements = [
      ...allStatements(primary.template(Alerts).toJSON()),
      ...allStatements(primary.template(Backup).toJSON()),
      ...allStatements(dr.template(Alerts).toJSON()),
      ...allStatements(dr.template(Backup).toJSON()),
      ...allStatements(primary.template(Replication).toJSON()),
      ...allStatements(dr.template(Replication).toJSON()),
      ...allStatements(drCopying.template(Replication).toJSON()),
      ...allStatements(drFailover.template(Failover).toJSON()),
    ];
  });

  it("found the statements to check", () => {
    expect(statements.length).toBeGreaterThan(20);
  });

  it("never grants * or a service-wide wildcard action, and never uses NotAction", () => {
    const wide = statements.filter((s) => actionsOf(s).some(isServiceWideAction));
    expect(wide).toEqual([]);
    expect(statements.filter((s) => s.NotAction !== undefined)).toEqual([]);
  });

  it("deletes snapshots only when they carry outpost-ops:managed=true", () => {
    const deletes = statements.filter((s) =>
      actionsOf(s).some((a) => a === "ec2:DeleteSnapshot" || /^rds:DeleteDB(Cluster)?Snapshot$/.test(a)),
    );
    expect(deletes.length).toBeGreaterThanOrEqual(2);
    for (const s of deletes) {
      expect(s.Effect).toBe("Allow");
      expect(s.Condition?.StringEquals?.["aws:ResourceTag/outpost-ops:managed"]).toBe("true");
    }
  });

  it("creates snapshots only with outpost-ops:managed=true in the request", () => {
    const createsOnSnapshots = statements.filter(
      (s) =>
        actionsOf(s).some((a) => /^(ec2:CreateSnapshots?|rds:CreateDB(Cluster)?Snapshot)$/.test(a)) &&
        /:snapshot[/:]|:cluster-snapshot:/.test(resourcesOf(s)),
    );
    expect(createsOnSnapshots.length).toBeGreaterThanOrEqual(2);
    for (const s of createsOnSnapshots) {
      expect(s.Condition?.StringEquals?.["aws:RequestTag/outpost-ops:managed"]).toBe("true");
    }
  });

  it("tags snapshots only in the call that creates (or copies) them, or with the failure-alerted key alone on ours", () => {
    const tagging = statements.filter((s) => actionsOf(s).includes("ec2:CreateTags"));
    expect(tagging.length).toBeGreaterThanOrEqual(3);
    for (const s of tagging) {
      const createAction = [s.Condition?.StringEquals?.["ec2:CreateAction"] ?? []].flat();
      const alertedOnly =
        s.Condition?.StringEquals?.["aws:ResourceTag/outpost-ops:managed"] === "true" &&
        JSON.stringify(s.Condition?.["ForAllValues:StringEquals"]?.["aws:TagKeys"]) ===
          JSON.stringify(["outpost-ops:failure-alerted"]);
      if (alertedOnly) continue;
      expect([["CreateSnapshot", "CreateSnapshots"], ["CopySnapshot"]], JSON.stringify(s)).toContainEqual(
        createAction,
      );
    }
  });

  it("uses `*` resources only for actions without resource-level permissions", () => {
    const starred = statements.filter((s) => s.Effect === "Allow" && s.Resource === "*");
    // PutMetricData supports no resource-level permissions; it is conditioned on our namespace.
    // GetMetricData and ListHostedZonesByName support none either (and only read).
    const allowed =
      /^(ec2:Describe|rds:Describe|kms:|cloudwatch:PutMetricData$|cloudwatch:GetMetricData$|route53:ListHostedZonesByName$)/;
    for (const s of starred) expect(actionsOf(s).filter((a) => !allowed.test(a))).toEqual([]);
    for (const s of starred.filter((st) => actionsOf(st).includes("cloudwatch:PutMetricData")))
      expect(s.Condition?.StringEquals?.["cloudwatch:namespace"]).toBe("OutpostOps");
  });

  it("grants KMS actions on `*` only in key policies (the key itself), never to a function", () => {
    const identity = [
      ...allStatements(drCopying.template(Replication).findResources("AWS::IAM::Policy")),
      ...allStatements(dr.template(Replication).findResources("AWS::IAM::Policy")),
      ...allStatements(primary.template(Backup).findResources("AWS::IAM::Policy")),
    ];
    const kms = identity.filter((s) => actionsOf(s).some((a) => a.startsWith("kms:")));
    expect(kms.length).toBeGreaterThan(0);
    for (const s of kms) expect(s.Resource).not.toBe("*");
  });
});
