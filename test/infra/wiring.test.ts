/*
 * The drill must run what the stacks deploy. Both are built from the job declarations
 * (packages/functions/src/jobs.ts); this compares, per Region, the synthesized templates (functions,
 * schedule rules and their targets, work queues and their consumers) with the drill's wiring on the
 * sandbox, for the example config (which copies to DR), for one without any copy rule, and for one
 * with copy rules of the tests' own (the copy job: rules that deliver into a FIFO queue's message
 * group, a queue with no producer). A rule or queue added to a stack by
 * hand, outside the declarations, fails here.
 *
 * The primary Region's forwarding rules (snapshot events to the DR Region's default bus) are
 * compared apart: the stacks' rules with the declarations (`forwarded` of the jobs that run in the
 * DR Region, through stacks/Replication.ts's forwardingIn), and with the forwarding the drill sets
 * up between its two Regions (the drill's forwardingFrom).
 */
import { pathToFileURL } from "node:url";
import { type Config, parseConfig } from "@outpost-ops/core/config";
import {
  AllFunctionSpecs,
  type FunctionName,
  forwardingIn,
  Jobs,
  jobsIn,
  type QueueSpec,
} from "@outpost-ops/functions/src/jobs.ts";
import { startSandbox } from "@outpost-ops/sandbox";
import { Template } from "aws-cdk-lib/assertions";
import { Rule, Schedule } from "aws-cdk-lib/aws-events";
import { LambdaFunction } from "aws-cdk-lib/aws-events-targets";
import { Queue } from "aws-cdk-lib/aws-sqs";
import { type Function as SstFunction, Stack } from "sst/constructs";
import { describe, expect, it } from "vitest";
import { HandlerFactories } from "../../packages/cli/src/drill/handlers.ts";
import {
  createInfrastructure,
  eventRulesIn,
  forwardingFrom,
  matchesPattern,
  rulesIn,
  variablesFor,
} from "../../packages/cli/src/drill/wiring.ts";
import { createClients } from "../../packages/core/src/aws/clients.ts";
import {
  copyConfig,
  deployedFunctions,
  exampleConfig,
  failoverConfig,
  STAGE,
  type Synthesized,
  synth,
  type TemplateJson,
  withoutCopies,
} from "./synth.ts";

const config = parseConfig(exampleConfig);
const REGIONS = [config.regions.primary, config.regions.dr];
const CONFIGS = {
  example: exampleConfig,
  "without copy rules": withoutCopies(exampleConfig),
  "with copy rules": copyConfig(),
  "with failover": failoverConfig(),
};
/** The alarm relay's rule, deployed in every Region. */
const ALARM_RELAY = expect.stringContaining('"prefix":"outpost-ops-test-"');
/** The capacity alarms' rule, in the primary Region of a config with Outposts (the example's). */
const CAPACITY_ALARMS =
  '{"detail":{"alarmName":[{"prefix":"outpost-ops-test-capacity-"}],"state":{"value":["ALARM","OK"]}},"detail-type":["CloudWatch Alarm State Change"],"source":["aws.cloudwatch"]} -> capacityAlarm';
/**
 * The example's failover rule in DR: its trigger alarm (a primary Region alarm, by name) going to
 * ALARM, as the primary's forwarding delivers it (the event keeps its own `region`).
 */
const FORWARDED_TRIGGER =
  '{"detail":{"alarmName":["factory-service-link"],"state":{"value":["ALARM"]}},"detail-type":["CloudWatch Alarm State Change"],"region":["us-west-2"],"source":["aws.cloudwatch"]} -> failover';
/** A rule delivering into the copy-ticks queue's one message group, on AWS's events from `source`. */
const intoCopyTicks = (source: string) =>
  expect.stringMatching(
    new RegExp(
      `"source":\\["${source.replace(".", "\\.")}"\\].* -> copy-ticks\\[copy-scheduler\\] -> copySchedule$`,
    ),
  );

interface Wiring {
  functions: string[];
  /** Each schedule's expression and where it delivers: `-> fn`, or `-> queue[group] -> consumer`. */
  schedules: string[];
  /** Rules on other events: the pattern (keys sorted) and where they deliver, as for schedules. */
  eventRules: string[];
  queues: string[];
}

/** Where a rule delivers, as both sides print it. */
const delivery = (target: string, queue?: { name: string; messageGroupId?: string }) =>
  queue ? `${queue.name}[${queue.messageGroupId ?? "no group"}] -> ${target}` : target;

/** JSON with object keys sorted, so two equal patterns print the same. */
function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(",")}]`;
  if (typeof value === "object" && value !== null)
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(value);
}

type Ref = { Ref?: string; "Fn::GetAtt"?: [string, string] };
const logicalIdOf = (ref: unknown): string | undefined => {
  const r = ref as Ref;
  return r?.Ref ?? r?.["Fn::GetAtt"]?.[0];
};

/** What the synthesized stacks of one app deploy (forwarding rules apart: see forwardsOf). */
function deployedWiring(app: Synthesized): Wiring {
  const functions = deployedFunctions([app]);
  const byLogicalId = new Map<string, FunctionName>();
  for (const f of functions) byLogicalId.set(f.stack.getLogicalId(f.fn.node.defaultChild as never), f.name);
  const schedules: string[] = [];
  const eventRules: string[] = [];
  const queues: string[] = [];
  const prefix = `outpost-ops-${STAGE}-`;
  for (const stack of app.app.node.children.filter((c): c is Stack => c instanceof Stack)) {
    // A stack with none of our functions (the primary Region's Replication: forwarding only) is
    // read too, so a schedule, rule or queue added there is compared like any other.
    const template = functions.find((f) => f.stack === stack)?.template ?? Template.fromStack(stack).toJSON();
    const resources = Object.entries((template as TemplateJson).Resources);
    const queueNames = new Map<string, string>();
    for (const [id, r] of resources) {
      if (r.Type !== "AWS::SQS::Queue") continue;
      const name = String(r.Properties?.QueueName ?? "");
      if (!name.includes("-dlq")) queueNames.set(id, name.replace(prefix, "").replace(/\.fifo$/, ""));
    }
    const consumers = new Map<string, string>(); // queue name -> function
    for (const [, r] of resources) {
      const p = r.Properties ?? {};
      if (r.Type === "AWS::Lambda::EventSourceMapping") {
        const queue = queueNames.get(logicalIdOf(p.EventSourceArn) ?? "") ?? "?";
        const fn = byLogicalId.get(logicalIdOf(p.FunctionName) ?? "") ?? "?";
        consumers.set(queue, fn);
        queues.push(`${queue} -> ${fn}`);
      }
    }
    for (const [, r] of resources) {
      const p = r.Properties ?? {};
      if (r.Type !== "AWS::Events::Rule") continue;
      const what = p.ScheduleExpression ? String(p.ScheduleExpression) : stable(p.EventPattern);
      for (const t of (p.Targets as { Arn: unknown; SqsParameters?: { MessageGroupId?: string } }[]) ?? []) {
        if (isBusArn(t.Arn)) continue;
        const id = logicalIdOf(t.Arn) ?? "";
        const queue = queueNames.get(id);
        const where = queue
          ? delivery(consumers.get(queue) ?? "(none)", {
              name: queue,
              ...(t.SqsParameters?.MessageGroupId ? { messageGroupId: t.SqsParameters.MessageGroupId } : {}),
            })
          : (byLogicalId.get(id) ?? "?");
        (p.ScheduleExpression ? schedules : eventRules).push(`${what} -> ${where}`);
      }
    }
    // A work queue nothing consumes is wiring too: it would never drain, in AWS or in the drill.
    for (const name of queueNames.values())
      if (!queues.some((q) => q.startsWith(`${name} -> `))) queues.push(`${name} -> (none)`);
  }
  return {
    functions: functions.map((f) => f.name).sort(),
    schedules: schedules.sort(),
    eventRules: eventRules.sort(),
    queues: queues.sort(),
  };
}

const isBusArn = (arn: unknown) =>
  typeof arn === "string" && /:events:[a-z0-9-]+:\d{12}:event-bus\//.test(arn);

/** The rules of one app that forward events to another Region's bus: pattern -> bus ARN. */
function forwardsOf(app: Synthesized): string[] {
  const out: string[] = [];
  for (const stack of app.app.node.children.filter((c): c is Stack => c instanceof Stack)) {
    const resources = Object.values(
      Template.fromStack(stack).toJSON().Resources as TemplateJson["Resources"],
    );
    for (const r of resources) {
      if (r.Type !== "AWS::Events::Rule") continue;
      for (const t of (r.Properties?.Targets as { Arn: unknown }[]) ?? [])
        if (isBusArn(t.Arn)) out.push(`${stable(r.Properties?.EventPattern)} -> ${String(t.Arn)}`);
    }
  }
  return out.sort();
}

/** What the drill creates and fires in one Region. */
async function drillWiring(region: string, config: Config): Promise<Wiring> {
  const sb = await startSandbox();
  try {
    const clients = createClients({
      endpoint: sb.endpoint,
      credentials: { accessKeyId: "x", secretAccessKey: "x" },
    });
    const infra = await createInfrastructure(clients, region, jobsIn(region, config));
    return {
      functions: jobsIn(region, config)
        .flatMap((job) => Object.keys(Jobs[job].functions))
        .sort(),
      schedules: rulesIn(region, config)
        .map((r) => `${r.expression} -> ${delivery(r.target, r.queue)}`)
        .sort(),
      eventRules: eventRulesIn(region, config, `outpost-ops-${STAGE}`)
        .map((r) => `${stable(r.pattern)} -> ${delivery(r.target, r.queue)}`)
        .sort(),
      queues: Object.values(infra.queues)
        .map((q) => `${q.spec.name} -> ${q.spec.consumer}`)
        .sort(),
    };
  } finally {
    await sb.close();
  }
}

describe("Wiring: the drill runs what the stacks deploy", () => {
  it.each(REGIONS)("in %s, the same functions, schedules and queues", async (region) => {
    // Act
    const deployed = deployedWiring(await synth(exampleConfig, region));
    const drill = await drillWiring(region, config);
    // Assess
    expect(drill).toEqual(deployed);
    expect(deployed.functions.length).toBeGreaterThan(0);
    // The alarm relay's rule is deployed in every Region, and compared like the rest. The example
    // copies to DR, so there the copy job's RDS and EBS rules feed its queue too, and it fails over
    // on a primary Region alarm, so there the forwarded alarm invokes the failover function (sorted
    // by pattern).
    expect(deployed.eventRules).toEqual(
      region === config.regions.dr
        ? [intoCopyTicks("aws.rds"), FORWARDED_TRIGGER, ALARM_RELAY, intoCopyTicks("aws.ec2")]
        : [ALARM_RELAY, CAPACITY_ALARMS],
    );
    if (region === config.regions.dr) {
      expect(deployed.functions).toEqual(
        expect.arrayContaining(["copySchedule", "failover", "failoverReadiness"]),
      );
      expect(deployed.queues).toContain("copy-ticks -> copySchedule");
      expect(deployed.schedules).toContain("cron(0/30 * * * ? *) -> failoverReadiness");
    } else {
      expect(deployed.functions).not.toContain("failover");
      expect(deployed.functions).toEqual(
        expect.arrayContaining(["capacityAlarm", "capacityMonitor", "capacityReport"]),
      );
      expect(deployed.schedules).toEqual(
        expect.arrayContaining([
          "cron(0/5 * * * ? *) -> capacityMonitor",
          "cron(0 8 ? * MON *) -> capacityReport",
        ]),
      );
    }
  });

  it.each(REGIONS)("without copy rules, in %s, the same too, and nothing of the copy job", async (region) => {
    const input = withoutCopies(exampleConfig);
    const deployed = deployedWiring(await synth(input, region));
    const drill = await drillWiring(region, parseConfig(input));
    expect(drill).toEqual(deployed);
    expect(deployed.functions.length).toBeGreaterThan(0);
    // The example's failover stays: its forwarded trigger in DR, nothing of it in the primary.
    expect(deployed.eventRules).toEqual(
      region === config.regions.dr ? [FORWARDED_TRIGGER, ALARM_RELAY] : [ALARM_RELAY, CAPACITY_ALARMS],
    );
    expect(JSON.stringify(deployed)).not.toContain("copy");
  });

  it.each(REGIONS)(
    "with copy rules, in %s, the same too (rules into the copy-ticks message group)",
    async (region) => {
      const copying = parseConfig(copyConfig());
      const deployed = deployedWiring(await synth(copyConfig(), region));
      const drill = await drillWiring(region, copying);
      expect(drill).toEqual(deployed);
      if (region === copying.regions.dr) {
        expect(deployed.queues).toContain("copy-ticks -> copySchedule");
        expect(deployed.schedules).toContain(
          "cron(0/10 * * * ? *) -> copy-ticks[copy-scheduler] -> copySchedule",
        );
        expect(
          deployed.eventRules.filter((r) => r.endsWith("-> copy-ticks[copy-scheduler] -> copySchedule")),
        ).toHaveLength(2);
      } else expect(JSON.stringify(deployed)).not.toContain("copy");
    },
  );

  it.each(REGIONS)(
    "with failover, in %s, the same too (its alarm rules and readiness schedule in DR, nothing in the primary)",
    async (region) => {
      const parsed = parseConfig(failoverConfig());
      const deployed = deployedWiring(await synth(failoverConfig(), region));
      const drill = await drillWiring(region, parsed);
      expect(drill).toEqual(deployed);
      const failoverRules = deployed.eventRules.filter((r) => r.endsWith(" -> failover"));
      if (region === parsed.regions.dr) {
        expect(deployed.functions).toEqual(expect.arrayContaining(["failover", "failoverReadiness"]));
        expect(failoverRules).toHaveLength(2);
        expect(deployed.schedules).toContain("cron(0/30 * * * ? *) -> failoverReadiness");
      } else {
        expect(deployed.functions).not.toContain("failover");
        expect(failoverRules).toEqual([]);
      }
    },
  );

  it.each(Object.entries(CONFIGS))(
    "forwarding rules (%s config) are exactly the declared ones, to the DR Region's default bus",
    async (_name, input) => {
      const parsed = parseConfig(input);
      for (const region of REGIONS) {
        const declared = forwardingIn(region, parsed).map(
          (f) => `${stable(f.spec.pattern)} -> arn:aws:events:${f.to}:123456789012:event-bus/default`,
        );
        // The copy job forwards two kinds of snapshot event; failover the primary's trigger alarms.
        const expected =
          region === parsed.regions.primary
            ? (parsed.policies.some((p) => p.copy) ? 2 : 0) + (parsed.failover ? 1 : 0)
            : 0;
        expect(declared, region).toHaveLength(expected);
        expect(forwardsOf(await synth(input, region)), region).toEqual(declared.sort());
        // The drill forwards the same events, from the same Region, to the same one.
        expect(
          forwardingFrom(region, parsed)
            .map((f) => `${stable(f.pattern)} -> arn:aws:events:${f.to}:123456789012:event-bus/default`)
            .sort(),
          region,
        ).toEqual(declared.sort());
      }
    },
  );

  it("a schedule rule or queue added to a stack by hand is caught", async () => {
    // Prepare: what someone might add to stacks/Backup.ts without declaring it.
    const app = await synth(exampleConfig, config.regions.primary);
    const backup = app.app.node.children.find(
      (c): c is Stack => c instanceof Stack && c.node.id.endsWith("Backup"),
    );
    if (!backup) throw new Error("no Backup stack");
    // Found in the construct tree: templating first would freeze it (CDK synthesizes once).
    const planner = backup.node.tryFindChild("RetentionSweep") as SstFunction | undefined;
    if (!planner) throw new Error("no RetentionSweep function");
    new Rule(backup, "HandMadeSchedule", {
      schedule: Schedule.expression("rate(6 hours)"),
      targets: [new LambdaFunction(planner)],
    });
    new Queue(backup, "HandMadeQueue", { queueName: `outpost-ops-${STAGE}-hand-made` });
    // Act
    const deployed = deployedWiring(app);
    const drill = await drillWiring(config.regions.primary, config);
    // Assess
    expect(deployed.schedules).toContain("rate(6 hours) -> retentionSweep");
    expect(deployed.queues).toContain("hand-made -> (none)");
    expect(drill).not.toEqual(deployed);
  });

  it("each handler factory the drill uses is the createHandler its deployed path exports", async () => {
    for (const [name, spec] of Object.entries(AllFunctionSpecs)) {
      const file = pathToFileURL(`${spec.path.slice(0, spec.path.lastIndexOf("."))}.ts`).href;
      const module = (await import(file)) as { createHandler?: unknown };
      expect(module.createHandler, name).toBe(HandlerFactories[name as FunctionName]);
    }
  });

  it("each function in the drill sees only the variables its declaration lists, as in Lambda", () => {
    const infra = {
      region: "us-west-2",
      topicArn: "arn:aws:sns:us-west-2:123456789012:t",
      queues: Object.fromEntries(
        Object.values(Jobs)
          .flatMap((job): readonly QueueSpec[] => job.queues)
          .map((spec) => [spec.name, { spec, url: `https://sqs.example/${spec.name}`, dlqUrl: "" }]),
      ),
    };
    expect(Object.keys(variablesFor("alarmStateChange", infra)).sort()).toEqual([
      "ALERT_TOPIC_ARN",
      "AWS_REGION",
      "OUTPOST_OPS_STAGE",
    ]);
    expect(variablesFor("snapshotWindow", infra)).toMatchObject({
      SNAPSHOT_QUEUE_URL: "https://sqs.example/snapshot-work",
    });
    expect(variablesFor("snapshotWindow", infra)).not.toHaveProperty("RETENTION_QUEUE_URL");
    expect(variablesFor("snapshotWork", infra)).not.toHaveProperty("SNAPSHOT_QUEUE_URL");
  });

  it("the drill delivers an alarm's state change to the rules whose pattern matches, as EventBridge does", () => {
    const [rule] = eventRulesIn(config.regions.primary, config, "outpost-ops-drill");
    if (!rule) throw new Error("no event rule declared");
    const event = (alarmName: string, value: string) => ({
      source: "aws.cloudwatch",
      "detail-type": "CloudWatch Alarm State Change",
      detail: { alarmName, state: { value } },
    });
    expect(rule.target).toBe("alarmStateChange");
    expect(matchesPattern({ ...rule.pattern }, event("outpost-ops-drill-work-dead-letters", "ALARM"))).toBe(
      true,
    );
    expect(matchesPattern({ ...rule.pattern }, event("someone-elses-alarm", "ALARM"))).toBe(false);
    expect(matchesPattern({ ...rule.pattern }, event("outpost-ops-drill-x", "INSUFFICIENT_DATA"))).toBe(
      false,
    );
  });

  it("the drill delivers a trigger alarm to the failover rule of its own Region only, as EventBridge does", () => {
    const parsed = parseConfig(failoverConfig());
    const rules = eventRulesIn(parsed.regions.dr, parsed).filter((r) => r.target === "failover");
    const forward = forwardingFrom(parsed.regions.primary, parsed).find(
      (f) => f.id === "ForwardFailoverAlarms",
    );
    if (!forward) throw new Error("no failover forwarding");
    const event = (alarmName: string, region: string, value = "ALARM") => ({
      source: "aws.cloudwatch",
      "detail-type": "CloudWatch Alarm State Change",
      region,
      detail: { alarmName, state: { value } },
    });
    const matching = (e: Record<string, unknown>) =>
      rules.filter((r) => matchesPattern({ ...r.pattern }, e)).map((r) => r.id);
    expect(matching(event("factory-connected", "us-west-2"))).toEqual(["FailoverPrimaryAlarmsRule"]);
    expect(matchesPattern({ ...forward.pattern }, event("factory-connected", "us-west-2"))).toBe(true);
    expect(matching(event("dr-app-health", "us-east-1"))).toEqual(["FailoverDrAlarmsRule"]);
    // A DR alarm that happens to share a primary trigger alarm's name is another alarm.
    expect(matching(event("factory-connected", "us-east-1"))).toEqual([]);
    expect(matching(event("factory-connected", "us-west-2", "OK"))).toEqual([]);
    expect(matchesPattern({ ...forward.pattern }, event("factory-connected", "us-west-2", "OK"))).toBe(false);
  });

  it("the drill delivers a capacity alarm's state change to the capacity rule and to the relay's (which skips it in code)", () => {
    const rules = eventRulesIn(config.regions.primary, config, "outpost-ops-drill");
    const event = (alarmName: string, value = "ALARM") => ({
      source: "aws.cloudwatch",
      "detail-type": "CloudWatch Alarm State Change",
      region: config.regions.primary,
      detail: { alarmName, state: { value } },
    });
    const targets = (e: Record<string, unknown>) =>
      rules.filter((r) => matchesPattern({ ...r.pattern }, e)).map((r) => r.target);
    expect(targets(event("outpost-ops-drill-capacity-factory-connected"))).toEqual([
      "alarmStateChange",
      "capacityAlarm",
    ]);
    expect(targets(event("outpost-ops-drill-capacity-factory-cpu-warning", "OK"))).toEqual([
      "alarmStateChange",
      "capacityAlarm",
    ]);
    expect(targets(event("outpost-ops-drill-capacity-factory-cpu-warning", "INSUFFICIENT_DATA"))).toEqual([]);
    expect(targets(event("outpost-ops-drill-snapshot-work-dead-letters"))).toEqual(["alarmStateChange"]);
  });

  it("function keys are unique across jobs", () => {
    const keys = Object.values(Jobs).flatMap((job) => Object.keys(job.functions));
    expect(new Set(keys).size).toBe(keys.length);
  });
});
