/**
 * The permission meta-test (in the spirit of Cloud Custodian's): each Lambda function's IAM is exactly
 * what its code sends, no less and no more.
 *
 * 1. Record. Every deployed function (stacks/handlers.ts, found in the synthesized stacks of a config
 *    with copy rules, so the DR deployment has the copy scheduler and retention of the copies) is run,
 *    as the real handler (drillHandlers), against the embedded sandbox in the Region it is deployed
 *    to, with clients from createClients({ onCommand }), which reports every command sent. Its
 *    SCENARIO exercises every path it has (all four resource kinds, the alert paths). Setup (seeding,
 *    filling queues, draining them as Lambda's event source mapping does) uses other clients, so
 *    only the function's own calls are recorded.
 * 2. Synthesize the stacks and collect, per function role, the statements of its policies.
 * 3. Check (iam-check.ts):
 *    (a) every recorded command's IAM actions (AUTHORIZED_AS lists the exceptions, such as
 *        SendMessageBatch → sqs:SendMessage) are granted, in the Region the call went to;
 *    (a') every EC2/RDS create, tag and delete, with its real input, is allowed by the policy
 *        (resource ARNs and condition keys, through a small IAM evaluator);
 *    (b) every granted action is recorded or in RUNTIME_GRANTS (what Lambda itself does with the
 *        role: logs, the SQS event source mapping), or belongs to an `onBehalf` statement (what
 *        EC2 and RDS do with the role during a copy: KMS on the destination key; see onBehalfActions).
 *    A removed permission fails (a) naming the function and action; an added one fails (b).
 * 4. Assert on the synthesized policy that no role can tag or delete a snapshot outpost-ops did not
 *    create, and show (the last describe) that the checks fail on a doctored policy or recording.
 *
 * Extending it:
 * - A new AWS call in a handler: nothing to do here. If the test fails, grant it in
 *   packages/core/src/aws/permissions.ts (or in stacks/ for a resource the stack creates). If the
 *   command is authorized as another IAM action, add a row to AUTHORIZED_AS; if its client's name is
 *   not its IAM prefix (EventBridgeClient → events), to IAM_PREFIX. An EC2/RDS command other than a
 *   read also needs a row in DERIVATIONS (iam-check.ts): the test says so.
 * - A new path in a handler (a new resource kind, an alert): extend that handler's SCENARIO, or the
 *   grant only that path uses fails (b) as unused.
 * - A new function: add its entry to stacks/handlers.ts as usual; SCENARIOS is keyed by HandlerName,
 *   so it does not compile until the new function has a scenario, and "every handler is deployed
 *   and recorded" fails until it is deployed. If it gets a new trigger, say in RUNTIME_GRANTS what
 *   Lambda does with its role for that trigger.
 */

import { readFileSync } from "node:fs";
import { CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { ChangeResourceRecordSetsCommand, Route53Client } from "@aws-sdk/client-route-53";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import { snsAlertSink } from "@outpost-ops/core/alerts";
import {
  type AwsClients,
  type ClientClass,
  type ClientOptions,
  createClients,
  type Where,
} from "@outpost-ops/core/aws/clients";
import {
  FunctionPermissions,
  type FunctionRole,
  type PermissionStatement,
} from "@outpost-ops/core/aws/permissions";
import { enqueue } from "@outpost-ops/core/aws/queue";
import { toSdk } from "@outpost-ops/core/aws/route53";
import type { Band } from "@outpost-ops/core/capacity/model";
import { capacityAlarmName } from "@outpost-ops/core/capacity/names";
import { type Config, type ConfigInput, parseConfig } from "@outpost-ops/core/config";
import { eventBridgeEvents } from "@outpost-ops/core/events/publish";
import { recordFor, secondaryFor } from "@outpost-ops/core/failover/records";
import { type Sleeper, unpaced } from "@outpost-ops/core/pacing";
import { RDS_SNAPSHOT_ID_PREFIX, rdsSnapshotId, workItemKey } from "@outpost-ops/core/snapshot/names";
import type { SnapshotWorkItem } from "@outpost-ops/core/snapshot/work-item";
import { MANAGED_VALUE, Tag } from "@outpost-ops/core/tags";
import { createHandler as capacityAlarm } from "@outpost-ops/functions/src/alarm/capacity-alarm.ts";
import { readEnv } from "@outpost-ops/functions/src/lib/env.ts";
import { noEvents, type Runtime, systemClock } from "@outpost-ops/functions/src/lib/runtime.ts";
import { createHandler as capacityMonitor } from "@outpost-ops/functions/src/schedule/capacity-monitor.ts";
import { createHandler as capacityReport } from "@outpost-ops/functions/src/schedule/capacity-report.ts";
import { type Estate, type Sandbox, startSandbox } from "@outpost-ops/sandbox";
import { drainQueue, type Handler } from "outpost-ops/src/drill/lambda.ts";
import {
  createInfrastructure,
  DRILL_PREFIX,
  drillHandlers,
  type Infrastructure,
  queue,
  sandboxClock,
  variablesFor,
} from "outpost-ops/src/drill/wiring.ts";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { type HandlerName, Handlers } from "../../stacks/handlers.ts";
import { FACTORY_ID, factoryStorageMetrics, flat } from "../integration/capacity-sandbox.ts";
import {
  buildEstate,
  CREDENTIALS,
  configInput,
  DAY_MS,
  lambdaContext,
  managedTags,
  REGION,
  type SeededEstate,
  scheduledEvent,
  seedDailyEbs,
} from "../integration/helpers.ts";
import {
  type AuthRequest,
  actionsOf,
  authorizationRequests,
  checkPolicy,
  isAllowed,
  listOf,
  needsDerivation,
  type RecordedCall,
  RUNTIME_GRANTS,
  roleStatements,
  runtimeActionsFor,
  type SentCommand,
  type Statement,
} from "./iam-check.ts";
import {
  ACCOUNT,
  type DeployedFunction,
  DR_HEALTH_CHECK,
  DR_KEY,
  deployedFunctions,
  FAILOVER_ZONE_ID,
  failoverConfig,
  failoverSection,
  PRIMARY_ALARM,
  PRIMARY_HEALTH_CHECK,
  synth,
} from "./synth.ts";

vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
  process.env.POWERTOOLS_METRICS_DISABLED = "true";
});

// ——————————————————————————————————————————————————————————————— recording

interface Recording {
  /** What createClients' onCommand reported. */
  calls: RecordedCall[];
  /** The same commands with their input, for the resource-level check. */
  sent: SentCommand[];
}

interface WithMiddleware {
  middlewareStack: {
    add(
      middleware: (
        next: (args: { input: Record<string, unknown> }) => Promise<unknown>,
        context: { commandName?: string },
      ) => (args: { input: Record<string, unknown> }) => Promise<unknown>,
      options: { step: "initialize"; name: string },
    ): void;
  };
}

/** The tags a snapshot has right now (a delete is authorized against them, before it happens). */
function tagsNow(sb: Sandbox, sent: Omit<SentCommand, "resourceTags">): Record<string, string> | undefined {
  const { input, region } = sent;
  switch (`${sent.service}:${sent.command}`) {
    case "ec2:DeleteSnapshot":
      return sb.state.snapshots(region).find((s) => s.snapshotId === input.SnapshotId)?.tags;
    case "rds:DeleteDBSnapshot":
      return sb.state.dbSnapshots(region).find((s) => s.id === input.DBSnapshotIdentifier)?.tags;
    case "rds:DeleteDBClusterSnapshot":
      return sb.state.dbClusterSnapshots(region).find((s) => s.id === input.DBClusterSnapshotIdentifier)
        ?.tags;
    // A copy is authorized against its source's tags, in the source's Region.
    case "ec2:CopySnapshot":
      return sb.state
        .snapshots(String(input.SourceRegion))
        .find((s) => s.snapshotId === input.SourceSnapshotId)?.tags;
    // Tagging an existing snapshot is authorized against the tags it has (one resource per call here).
    case "ec2:CreateTags":
      return sb.state.snapshots(region).find((s) => s.snapshotId === (input.Resources as string[])[0])?.tags;
    default:
      return undefined;
  }
}

/** Clients whose every command is recorded: the product's onCommand hook, plus each command's input. */
function recordingClients(options: ClientOptions, into: Recording, sb: Sandbox): AwsClients {
  const clients = createClients({
    ...options,
    onCommand: ({ service, command, where }) => into.calls.push({ service, command, region: where.region }),
  });
  const instrumented = new WeakSet<object>();
  return {
    get<C>(Class: ClientClass<C>, where: string | Where): C {
      const client = clients.get(Class, where);
      if (!instrumented.has(client as object)) {
        instrumented.add(client as object);
        const region = typeof where === "string" ? where : where.region;
        const service = Class.name.replace(/Client$/, "").toLowerCase();
        (client as unknown as WithMiddleware).middlewareStack.add(
          (next, context) => (args) => {
            const command = (context.commandName ?? "").replace(/Command$/, "");
            const sent = { service, command, region, input: structuredClone(args.input) };
            into.sent.push({ ...sent, resourceTags: tagsNow(sb, sent) });
            return next(args);
          },
          { step: "initialize", name: "permissionTestInput" },
        );
      }
      return client;
    },
  };
}

interface ScenarioContext {
  sb: Sandbox;
  region: string;
  infra: Infrastructure;
  /** The test's own SQS client (not recorded): fills and drains queues as Lambda would. */
  sqs: SQSClient;
  /**
   * The handlers over the recorded clients: only call the one the scenario is for. With `clock`
   * (sandboxClock), the handler's waits spend sandbox time, as Route 53's INSYNC needs.
   */
  recorded: (config: Config, clock?: Sleeper) => ReturnType<typeof drillHandlers>;
  /** Unrecorded clients, to seed what the recorded function reads (a zone's records, gauges). */
  setupClients: AwsClients;
  /** The handlers over unrecorded clients, to prepare what the recorded one works on. */
  setup: (config: Config) => ReturnType<typeof drillHandlers>;
  /** The capacity job's handlers over the recorded clients (see capacityHandlers). */
  capacity: (config: Config, clock?: Sleeper) => CapacityHandlers;
  /** The same over unrecorded clients. */
  setupCapacity: (config: Config) => CapacityHandlers;
}

type CapacityName = "capacityMonitor" | "capacityAlarm" | "capacityReport";
type CapacityHandlers = Record<CapacityName, Handler>;
const CAPACITY_FACTORIES: Record<CapacityName, (runtime: () => Runtime) => Handler> = {
  capacityMonitor,
  capacityAlarm,
  capacityReport,
};

/**
 * The capacity job's real handlers over `clients`, with the runtime the drill gives every handler
 * (the environment its declaration lists, the deployed event stream, no pacing): built here because
 * the drill's handler table (packages/cli/src/drill/handlers.ts) does not have them yet.
 */
function capacityHandlers(
  config: Config,
  clients: AwsClients,
  infra: Infrastructure,
  clock: Sleeper = systemClock,
): CapacityHandlers {
  const out = {} as CapacityHandlers;
  for (const name of Object.keys(CAPACITY_FACTORIES) as CapacityName[]) {
    const env = readEnv(variablesFor(name, infra));
    const declared: readonly string[] = Handlers[name].environment;
    const runtime: Runtime = {
      config,
      env,
      clients,
      alerts: snsAlertSink(clients.get(SNSClient, env.region), env.alertTopicArn),
      events: declared.includes("EVENT_BUS_NAME")
        ? eventBridgeEvents(clients, env.region, env.eventBusName)
        : noEvents,
      pacer: unpaced,
      clock,
    };
    out[name] = CAPACITY_FACTORIES[name](() => runtime);
  }
  return out;
}

const DAY1 = new Date("2024-05-14T00:00:00Z");
const SWEEP = new Date("2024-05-14T00:15:00Z");
const windowOf = (t: Date) => `${t.toISOString().slice(0, 16)}Z`;
/** The DR Region of the test config (and of copyConfig, whose stacks are synthesized here). */
const DR = "us-east-1";
/** DR_KEY's id, seeded as a KMS key of the DR Region. */
const DR_KEY_ID = DR_KEY.split("/").pop() ?? "";

/**
 * The integration tests' config with DR copies on every policy that can have one (`line` is placed on
 * its Outpost, so a regional `vault` policy stands for EBS volumes), all into DR_KEY: the keys the
 * stacks grant come from copyConfig, which names DR_KEY too. Every resource kind is copied, so every
 * path of the copy scheduler (and every grant of its role) is exercised.
 */
function testConfig(retention: ConfigInput["retention"] = {}, failover?: ConfigInput["failover"]): Config {
  const input: ConfigInput = { ...configInput(retention), ...(failover ? { failover } : {}) };
  const copy = { rpo: "36h", kmsKeyArn: DR_KEY };
  input.policies = [
    ...input.policies.map((p) => (p.name === "line" ? p : { ...p, copy })),
    {
      name: "vault",
      resource: "ebs-volume",
      selector: { tags: { Backup: "outpost-ops" } },
      schedules: [{ name: "daily", expression: "cron(0 0 * * ? *)", retention: { keepLast: 5 } }],
      copy,
    },
  ];
  return parseConfig(input);
}

/** The smallest estate with every resource kind: one line volume, one clinic instance, a DB, a cluster. */
function seedEstate(sb: Sandbox): SeededEstate {
  const seeded = buildEstate({ lineVolumes: 1, instances: 1 });
  sb.seed(seeded.estate);
  return seeded;
}

/** The lineage tags a DR copy of `sourceId` carries (core/copy/lineage.ts). */
function lineage(sourceId: string, at: Date, volumeId?: string): Record<string, string> {
  return {
    [Tag.sourceSnapshot]: sourceId,
    [Tag.sourceRegion]: REGION,
    [Tag.sourceTime]: at.toISOString(),
    ...(volumeId ? { [Tag.sourceVolume]: volumeId } : {}),
  };
}

/**
 * The estate plus six daily managed snapshots of each kind (keepLast 5: one of each is due for
 * deletion) and one managed EBS snapshot AWS Backup has taken over (which EC2 refuses to delete).
 * In the primary Region these are the snapshot job's; in the DR Region they are DR copies (lineage
 * tags, EBS under the copying `vault` policy) for the DR deployment's retention, whose sources
 * (volumes, DBs, clusters) it looks up in the primary Region.
 */
function seedEstateWithHistory(sb: Sandbox, region = REGION): { awsBackupSnapshotId: string } {
  const seeded = buildEstate({ lineVolumes: 1, instances: 1 });
  const volume = seeded.lineVolumeIds[0] ?? "";
  const db = seeded.dbInstanceIds[0] ?? "";
  const cluster = seeded.clusterIds[0] ?? "";
  const dr = region !== REGION;
  const asCopy = (
    snapshot: NonNullable<Estate["snapshots"]>[number],
    at: Date,
  ): NonNullable<Estate["snapshots"]>[number] =>
    dr
      ? {
          ...snapshot,
          region,
          volumeId: "vol-ffffffff",
          tags: {
            ...snapshot.tags,
            [Tag.policy]: "vault",
            ...lineage(`snap-src${(snapshot.id ?? "").slice(8)}`, at, volume),
          },
        }
      : snapshot;
  const { snapshots: daily } = seedDailyEbs([volume], 6, DAY1, 9);
  const snapshots = daily.map((s) => asCopy(s, new Date(s.startTime)));
  const awsBackupSnapshotId = "snap-0bac0000000000001";
  const backupAt = new Date(DAY1.getTime() - 30 * DAY_MS);
  snapshots.push(
    asCopy(
      {
        region: REGION,
        id: awsBackupSnapshotId,
        volumeId: volume,
        startTime: backupAt.toISOString(),
        state: "completed",
        tags: managedTags("line", "daily", volume, backupAt),
        awsBackup: true,
      },
      backupAt,
    ),
  );
  const dbSnapshots: NonNullable<Estate["dbSnapshots"]> = [];
  const dbClusterSnapshots: NonNullable<Estate["dbClusterSnapshots"]> = [];
  for (let d = 1; d <= 6; d++) {
    const at = new Date(DAY1.getTime() - d * DAY_MS);
    const dbId = rdsSnapshotId("orders", db, windowOf(at));
    const clusterId = rdsSnapshotId("inventory", cluster, windowOf(at));
    dbSnapshots.push({
      region,
      id: dbId,
      dbInstanceId: db,
      createdAt: at.toISOString(),
      tags: { ...managedTags("orders", "daily", db, at), ...(dr ? lineage(dbId, at) : {}) },
    });
    dbClusterSnapshots.push({
      region,
      id: clusterId,
      clusterId: cluster,
      createdAt: at.toISOString(),
      tags: { ...managedTags("inventory", "daily", cluster, at), ...(dr ? lineage(clusterId, at) : {}) },
    });
  }
  sb.seed({ ...seeded.estate, snapshots, dbSnapshots, dbClusterSnapshots });
  return { awsBackupSnapshotId };
}

/**
 * For the copy scheduler: in the primary Region, completed managed snapshots of every copying policy
 * (two EBS volumes of `vault`, a clinic instance's set, the orders DB, the inventory cluster); in
 * the DR Region its KMS key, and three failed copies of the newest snapshot of the first volume, so
 * that source has spent its attempts (the alert, and the alerted mark on the last failure).
 */
function seedCopySources(sb: Sandbox): { exhaustedSourceId: string; lastFailedCopyId: string } {
  const seeded = buildEstate({ lineVolumes: 1, instances: 1 });
  const [first, second] = [seeded.lineVolumeIds[0] ?? "", seeded.unselectedVolumeIds[1] ?? ""];
  const db = seeded.dbInstanceIds[0] ?? "";
  const cluster = seeded.clusterIds[0] ?? "";
  const instance = seeded.instanceIds[0] ?? "";
  const at = new Date(DAY1.getTime() - 2 * 3_600_000);
  const earlier = new Date(at.getTime() - DAY_MS);
  const snapshots: NonNullable<Estate["snapshots"]> = [
    { id: "snap-0c0000000000000a1", volumeId: first, at: earlier, policy: "vault", source: first },
    { id: "snap-0c0000000000000a2", volumeId: first, at, policy: "vault", source: first },
    { id: "snap-0c0000000000000b1", volumeId: second, at, policy: "vault", source: second },
    ...seeded.dataVolumeIds.map((v, i) => ({
      id: `snap-0c0000000000000c${i}`,
      volumeId: v,
      at,
      policy: "clinic",
      source: v,
    })),
  ].map((s) => ({
    region: REGION,
    id: s.id,
    volumeId: s.volumeId,
    startTime: s.at.toISOString(),
    state: "completed",
    tags: {
      ...managedTags(s.policy, "daily", s.source, s.at),
      ...(s.policy === "clinic" ? { [Tag.instance]: instance } : {}),
    },
  }));
  const exhaustedSourceId = "snap-0c0000000000000a2";
  const failed = [1, 2, 3].map((n) => ({
    region: DR,
    id: `snap-0dead00000000000${n}`,
    volumeId: "vol-ffffffff",
    startTime: new Date(at.getTime() + n * 600_000).toISOString(),
    state: "error" as const,
    tags: {
      ...managedTags("vault", "daily", first, at),
      ...lineage(exhaustedSourceId, at, first),
    },
  }));
  const dbId = rdsSnapshotId("orders", db, windowOf(at));
  const clusterId = rdsSnapshotId("inventory", cluster, windowOf(at));
  sb.seed({
    ...seeded.estate,
    snapshots: [...snapshots, ...failed],
    dbSnapshots: [
      {
        region: REGION,
        id: dbId,
        dbInstanceId: db,
        createdAt: at.toISOString(),
        tags: managedTags("orders", "daily", db, at),
      },
    ],
    dbClusterSnapshots: [
      {
        region: REGION,
        id: clusterId,
        clusterId: cluster,
        createdAt: at.toISOString(),
        tags: managedTags("inventory", "daily", cluster, at),
      },
    ],
    kmsKeys: [{ region: DR, id: DR_KEY_ID }],
  });
  return { exhaustedSourceId, lastFailedCopyId: "snap-0dead000000000003" };
}

/** What Lambda's SQS event source hands the copy scheduler: ticks whose bodies are EventBridge events. */
function sqsEventOf(bodies: unknown[], region: string) {
  const template = JSON.parse(
    readFileSync(new URL("../fixtures/events/sqs-event.json", import.meta.url), "utf8"),
  ) as { Records: Record<string, unknown>[] };
  const [record] = template.Records;
  return {
    Records: bodies.map((body, i) => ({
      ...record,
      messageId: `00000000-0000-4000-8000-00000000000${i}`,
      body: JSON.stringify(body),
      attributes: { ...(record?.attributes as object), MessageGroupId: "copy-scheduler" },
      eventSourceARN: `arn:aws:sqs:${region}:${ACCOUNT}:outpost-ops-test-copy-ticks.fifo`,
      awsRegion: region,
    })),
  };
}

/** An instance item whose volumes were all excluded: EC2 refuses it, a first-time failure (alert path). */
function nothingLeftToSnapshot(seeded: SeededEstate, region: string): SnapshotWorkItem {
  const instanceId = seeded.instanceIds[0] ?? "";
  const window = windowOf(new Date(DAY1.getTime() - DAY_MS));
  return {
    kind: "ec2-instance",
    region,
    policy: "clinic",
    schedule: "daily",
    window,
    key: workItemKey("clinic", instanceId, window),
    tags: [{ Key: Tag.managed, Value: MANAGED_VALUE }],
    instanceId,
    description: "every volume excluded",
    excludeBootVolume: true,
    excludeDataVolumeIds: seeded.dataVolumeIds,
    copyTagsFromVolumes: false,
  };
}

const planner = (name: string) => lambdaContext(name, 840_000);

/** The failover tests' section (synth.ts), with the zone given by its id or, as people may, by name. */
function failoverTestConfig(zone: "id" | "name" = "id"): Config {
  const section = failoverSection();
  return testConfig({}, zone === "id" ? section : { ...section, hostedZone: { name: "example.com" } });
}

/**
 * The failover zone as the application team made it, everything on the primary site (the simple
 * record, and the failover pair's PRIMARY and SECONDARY), sent with the setup clients; then the
 * sandbox clock moves past Route 53's propagation. The pair's health checks exist first (healthy):
 * Route 53 refuses a record naming a health check it does not have (NoSuchHealthCheck).
 */
async function seedFailoverZone(sb: Sandbox, setupClients: AwsClients): Promise<void> {
  sb.seed({
    hostedZones: [{ id: FAILOVER_ZONE_ID, name: "example.com" }],
    healthChecks: [
      { id: PRIMARY_HEALTH_CHECK, healthy: true },
      { id: DR_HEALTH_CHECK, healthy: true },
    ],
  });
  const failover = failoverTestConfig().failover;
  if (!failover) throw new Error("no failover section");
  await setupClients.get(Route53Client, DR).send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: FAILOVER_ZONE_ID,
      ChangeBatch: {
        Changes: failover.records.flatMap((r) =>
          [recordFor(r, "primary"), secondaryFor(r)].flatMap((set) =>
            set ? [{ Action: "CREATE" as const, ResourceRecordSet: toSdk(set) }] : [],
          ),
        ),
      },
    }),
  );
  sb.clock.advance(60_000);
}

/** The DR copy scheduler's gauges for every copying policy of testConfig: fresh, or none. */
async function seedDrGauges(sb: Sandbox, setupClients: AwsClients, worstAgeSeconds: number): Promise<void> {
  const policies = testConfig()
    .policies.filter((p) => p.copy)
    .map((p) => p.name);
  await setupClients.get(CloudWatchClient, DR).send(
    new PutMetricDataCommand({
      Namespace: "OutpostOps",
      MetricData: policies.flatMap((policy) => [
        {
          MetricName: "WorstRecoveryPointAge",
          Dimensions: [
            { Name: "policy", Value: policy },
            { Name: "location", Value: "dr" },
          ],
          Value: worstAgeSeconds,
          Timestamp: sb.clock.now(),
        },
        {
          MetricName: "ResourcesWithoutDrCopy",
          Dimensions: [{ Name: "policy", Value: policy }],
          Value: 0,
          Timestamp: sb.clock.now(),
        },
      ]),
    }),
  );
}

/** A trigger alarm of the primary Region going to ALARM, as the forwarding delivers it in DR. */
function triggerAlarmEvent(): Record<string, unknown> {
  const event = JSON.parse(
    readFileSync(new URL("../fixtures/events/cloudwatch-alarm-state-change.json", import.meta.url), "utf8"),
  ) as { detail: Record<string, unknown> };
  return { ...event, region: REGION, detail: { ...event.detail, alarmName: PRIMARY_ALARM } };
}

/**
 * For the capacity job: the estate (the factory and clinic Outposts, a line volume on the factory, a
 * clinic instance), 14 days of m5.large utilization on the factory, gp2 EBS capacity and S3 on
 * Outposts storage on the factory, and the clinic instance's CPU (the monitor's gauge averages it).
 */
function seedCapacity(sb: Sandbox): SeededEstate {
  const at = sb.clock.now();
  const seeded = buildEstate({ lineVolumes: 1, instances: 1 });
  sb.seed({
    ...seeded.estate,
    metrics: [
      ...factoryStorageMetrics(at),
      {
        region: REGION,
        namespace: "AWS/Outposts",
        name: "InstanceTypeCapacityUtilization",
        dimensions: { OutpostId: FACTORY_ID, InstanceType: "m5.large" },
        points: flat(70, at, 14 * 24),
      },
      {
        region: REGION,
        namespace: "AWS/EC2",
        name: "CPUUtilization",
        dimensions: { InstanceId: seeded.instanceIds[0] ?? "" },
        points: flat(30, at),
      },
    ],
  });
  return seeded;
}

/** A capacity alarm of the drill's deployment (stage "drill") going to ALARM now, as EventBridge delivers it. */
function capacityAlarmEvent(sb: Sandbox, condition: Parameters<typeof capacityAlarmName>[1], band?: Band) {
  const event = JSON.parse(
    readFileSync(new URL("../fixtures/events/cloudwatch-alarm-state-change.json", import.meta.url), "utf8"),
  ) as { detail: Record<string, unknown> };
  const alarmName = capacityAlarmName(DRILL_PREFIX, condition, band);
  return {
    ...event,
    time: sb.clock
      .now()
      .toISOString()
      .replace(/\.\d{3}Z$/, "Z"),
    region: REGION,
    resources: [`arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${alarmName}`],
    detail: { ...event.detail, alarmName },
  };
}

/**
 * How to exercise every path of each function. Keyed by HandlerName: a new handler in
 * stacks/handlers.ts does not compile until it has one.
 */
const SCENARIOS: Record<HandlerName, (ctx: ScenarioContext) => Promise<void>> = {
  // Every policy due (EBS volumes, instances, RDS, Aurora), then an event with nothing due (the alert),
  // then the due event again with the DB snapshot quotas full (the quota alert).
  snapshotWindow: async ({ sb, region, recorded }) => {
    seedEstate(sb);
    sb.clock.set(DAY1);
    const handlers = recorded(testConfig());
    await handlers.snapshotWindow(scheduledEvent(DAY1, region, "due"), planner("snapshot-window"));
    const late = new Date(DAY1.getTime() + 30 * 60_000);
    await handlers.snapshotWindow(scheduledEvent(late, region, "late"), planner("snapshot-window"));
    // A duplicate delivery with both DB snapshot quotas full: the planner looks up which of the
    // window's snapshots exist before it skips and alerts.
    sb.seed({ quotas: { region, manualDbSnapshots: 0, manualDbClusterSnapshots: 0 } });
    await handlers.snapshotWindow(scheduledEvent(DAY1, region, "again"), planner("snapshot-window"));
  },
  // One item of each kind (CreateSnapshot, CreateSnapshots, CreateDBSnapshot,
  // CreateDBClusterSnapshot), plus one AWS refuses (the first-failure alert), and the cluster
  // snapshot quota filled after planning (the quota alert reads its usage).
  snapshotWork: async ({ sb, region, infra, sqs, recorded, setup }) => {
    const seeded = seedEstate(sb);
    sb.clock.set(DAY1);
    await setup(testConfig()).snapshotWindow(scheduledEvent(DAY1, region, "due"), planner("snapshot-window"));
    await enqueue(sqs, queue(infra, "snapshot-work").url, [nothingLeftToSnapshot(seeded, region)]);
    sb.seed({ quotas: { region, manualDbClusterSnapshots: 0 } });
    const handler = recorded(testConfig()).snapshotWork;
    await drainQueue({
      sqs,
      queueUrl: queue(infra, "snapshot-work").url,
      region,
      handler,
      functionName: "snapshot-work",
    });
  },
  // Over the deletion cap (the alert, nothing queued), then within it (EBS, RDS and Aurora queued).
  // In the DR Region the same over the DR copies, whose sources it looks up in the primary Region.
  retentionSweep: async ({ sb, region, recorded }) => {
    seedEstateWithHistory(sb, region);
    sb.clock.set(SWEEP);
    const event = scheduledEvent(SWEEP, region, "retention");
    await recorded(testConfig({ maxDeletesPerRun: 1 })).retentionSweep(event, planner("retention-sweep"));
    await recorded(testConfig()).retentionSweep(event, planner("retention-sweep"));
  },
  // EBS, RDS and Aurora deletes, plus one AWS refuses (AWS Backup's snapshot: the first-failure alert).
  // In the DR Region the same, of DR copies.
  retentionWork: async ({ sb, region, infra, sqs, recorded, setup }) => {
    const { awsBackupSnapshotId } = seedEstateWithHistory(sb, region);
    sb.clock.set(SWEEP);
    await setup(testConfig()).retentionSweep(scheduledEvent(SWEEP, region, "retention"), planner("sweep"));
    await enqueue(sqs, queue(infra, "retention-work").url, [
      { kind: "delete", snapshotKind: "ebs", region, snapshotIds: [awsBackupSnapshotId] },
    ]);
    const handler = recorded(testConfig()).retentionWork;
    await drainQueue({
      sqs,
      queueUrl: queue(infra, "retention-work").url,
      region,
      handler,
      functionName: "retention-work",
    });
  },
  // One batch of two ticks (the schedule's, twice: one run): copies of every kind start into DR_KEY
  // (CopySnapshot, CopyDBSnapshot, CopyDBClusterSnapshot), the source whose three copies failed is
  // alerted and its last failed copy marked, the gauges and the events go out.
  copySchedule: async ({ sb, region, recorded }) => {
    const { exhaustedSourceId, lastFailedCopyId } = seedCopySources(sb);
    sb.clock.set(DAY1);
    const tick = JSON.parse(
      readFileSync(new URL("../fixtures/events/scheduled-event.json", import.meta.url), "utf8"),
    ) as Record<string, unknown>;
    const scheduled = {
      ...tick,
      region,
      time: DAY1.toISOString().replace(/\.\d{3}Z$/, "Z"),
      resources: [`arn:aws:events:${region}:${ACCOUNT}:rule/copy-schedule`],
    };
    const result = (await recorded(testConfig()).copySchedule(
      sqsEventOf([scheduled, { ...scheduled, id: "second-tick" }], region),
      lambdaContext("copy-schedule", 300_000),
    )) as { batchItemFailures: unknown[] };
    // Not a permission check, but the scenario is only worth its recording if the run did its work.
    expect(result.batchItemFailures).toEqual([]);
    const copies = sb.state.snapshots(DR).filter((c) => c.tags[Tag.sourceSnapshot] !== undefined);
    expect(copies.filter((c) => c.state !== "error").length).toBeGreaterThanOrEqual(3);
    expect(copies.find((c) => c.tags[Tag.sourceSnapshot] === exhaustedSourceId && c.state !== "error")).toBe(
      undefined,
    );
    expect(sb.state.snapshots(DR).find((c) => c.snapshotId === lastFailedCopyId)?.tags).toHaveProperty(
      Tag.failureAlerted,
    );
    expect(sb.state.dbSnapshots(DR).length).toBe(1);
    expect(sb.state.dbClusterSnapshots(DR).length).toBe(1);
  },
  // A dry run by command with the zone given by name (ListHostedZonesByName), then a trigger alarm
  // with it given by id (GetHostedZone): the preflight (records, gauges, health checks, the probe),
  // the change, INSYNC on the sandbox clock, the alerts and the event.
  failover: async ({ sb, recorded, setupClients }) => {
    await seedFailoverZone(sb, setupClients);
    await seedDrGauges(sb, setupClients, 3600);
    const clock = sandboxClock(sb);
    const dry = (await recorded(failoverTestConfig("name"), clock).failover(
      { "outpost-ops": "failover", dryRun: true, requestedBy: `arn:aws:iam::${ACCOUNT}:user/ops` },
      lambdaContext("failover"),
    )) as { outcome: string };
    expect(dry.outcome).toBe("dry-run");
    const run = (await recorded(failoverTestConfig("id"), clock).failover(
      triggerAlarmEvent(),
      lambdaContext("failover"),
    )) as { outcome: string; timeline: { inSyncAt?: string } };
    // Not a permission check, but the scenario is only worth its recording if the run did its work.
    expect(run).toMatchObject({ outcome: "changed", timeline: { inSyncAt: expect.any(String) } });
  },
  // Not ready with no gauges and no earlier check (the warning), then ready (the info), each
  // publishing FailoverReady; the second with the zone given by name.
  failoverReadiness: async ({ sb, region, recorded, setupClients }) => {
    await seedFailoverZone(sb, setupClients);
    const clock = sandboxClock(sb);
    const first = (await recorded(failoverTestConfig("id"), clock).failoverReadiness(
      scheduledEvent(sb.clock.now(), region, "readiness"),
      lambdaContext("failover-readiness"),
    )) as { change?: string };
    expect(first.change).toBe("lost");
    sb.clock.advance(30 * 60_000);
    await seedDrGauges(sb, setupClients, 3600);
    const second = (await recorded(failoverTestConfig("name"), clock).failoverReadiness(
      scheduledEvent(sb.clock.now(), region, "readiness"),
      lambdaContext("failover-readiness"),
    )) as { change?: string };
    expect(second.change).toBe("regained");
  },
  // Discovery (instance types, volume types, S3 on Outposts), the alarms created and tagged, the cpu
  // gauge; then a type the factory no longer offers: its alarms deleted.
  capacityMonitor: async ({ sb, region, capacity }) => {
    seedCapacity(sb);
    const handlers = capacity(testConfig());
    const monitor = () =>
      handlers.capacityMonitor(
        scheduledEvent(sb.clock.now(), region, "capacity-monitor"),
        lambdaContext("capacity-monitor", 120_000),
      ) as Promise<{ put: string[]; deleted: string[]; cpu: { outpost: string; value?: number }[] }>;
    const first = await monitor();
    // Not a permission check, but the scenario is only worth its recording if the run did its work.
    expect(first.put.length).toBeGreaterThan(0);
    expect(first.cpu.find((c) => c.outpost === "clinic")?.value).toBe(30);
    sb.outposts.setInstanceTypes(region, FACTORY_ID, ["m5.large"]);
    expect((await monitor()).deleted.length).toBeGreaterThan(0);
  },
  // The monitor's alarms exist (set up unrecorded); then an instance type's warning (its consumers:
  // instances), a volume type's (volumes), the snapshot storage's (local snapshots) and the service
  // link (DR readiness in regions.dr, with a failover section), each decided from its siblings.
  capacityAlarm: async ({ sb, region, capacity, setupCapacity }) => {
    seedCapacity(sb);
    const config = failoverTestConfig();
    await setupCapacity(config).capacityMonitor(
      scheduledEvent(sb.clock.now(), region, "capacity-monitor"),
      lambdaContext("capacity-monitor", 120_000),
    );
    const handler = capacity(config).capacityAlarm;
    const factory = { outpost: "factory", outpostId: FACTORY_ID } as const;
    const published: unknown[] = [];
    for (const [condition, band] of [
      [{ ...factory, kind: "instance-type", subject: "m5.large" }, "warning"],
      [{ ...factory, kind: "volume-type", subject: "gp2" }, "warning"],
      [{ ...factory, kind: "snapshot-storage" }, "warning"],
      [{ ...factory, kind: "connected" }, undefined],
    ] as const) {
      const result = (await handler(
        capacityAlarmEvent(sb, condition, band),
        lambdaContext("capacity-alarm", 60_000),
      )) as { published?: string };
      published.push(result.published);
    }
    // Not a permission check: every one of them alerted (so each read its condition and consumers).
    expect(published.every((p) => typeof p === "string")).toBe(true);
  },
  // Every Outpost's view (discovery, 14 days of every condition, the consumers), its alerts, its events.
  capacityReport: async ({ sb, region, capacity }) => {
    seedCapacity(sb);
    const result = (await capacity(testConfig()).capacityReport(
      scheduledEvent(sb.clock.now(), region, "capacity-report"),
      lambdaContext("capacity-report", 300_000),
    )) as { alerts: string[] };
    expect(result.alerts).toHaveLength(2);
  },
  alarmStateChange: async ({ region, recorded }) => {
    const event = JSON.parse(
      readFileSync(new URL("../fixtures/events/cloudwatch-alarm-state-change.json", import.meta.url), "utf8"),
    );
    await recorded(testConfig()).alarmStateChange({ ...event, region }, lambdaContext("alarm-state-change"));
  },
};

/** Runs one function's scenario in its own sandbox, in the Region the function is deployed to. */
async function record(name: HandlerName, region: string): Promise<Recording> {
  const sb = await startSandbox({ port: 0, startTime: new Date(DAY1.getTime() - 3_600_000) });
  try {
    const options: ClientOptions = {
      endpoint: sb.endpoint,
      credentials: CREDENTIALS,
      maxAttempts: 2,
      requestTimeoutMs: 5_000,
    };
    const setupClients = createClients(options);
    const infra = await createInfrastructure(setupClients, region);
    const recording: Recording = { calls: [], sent: [] };
    const clients = recordingClients(options, recording, sb);
    await SCENARIOS[name]({
      sb,
      region,
      infra,
      sqs: setupClients.get(SQSClient, region),
      setupClients,
      recorded: (config, clock) => drillHandlers(config, clients, infra, clock),
      setup: (config) => drillHandlers(config, setupClients, infra),
      capacity: (config, clock) => capacityHandlers(config, clients, infra, clock),
      setupCapacity: (config) => capacityHandlers(config, setupClients, infra),
    });
    return recording;
  } finally {
    await sb.close();
  }
}

// ——————————————————————————————————————————————————————————————— synthesis

interface Subject {
  deployment: DeployedFunction;
  label: string;
  statements: Statement[];
  problems: string[];
  recording: Recording;
  runtime: string[];
  /** Granted for AWS to use on the function's behalf (see onBehalfActions). */
  onBehalf: string[];
}

/**
 * Actions of the role's `onBehalf` statements (core/aws/permissions.ts): EC2 and RDS call KMS with
 * the copy function's identity while they copy into the destination key (CreateGrant, Decrypt,
 * GenerateDataKeyWithoutPlaintext, ReEncrypt*), after our CopySnapshot/CopyDB*Snapshot returned.
 * Our code never sends them, so no recording can show them used: they are exempt from (b), and only
 * from (b); a function that sent one itself would still need it granted (a).
 */
function onBehalfActions(role: FunctionRole): string[] {
  const permissions: readonly PermissionStatement[] = FunctionPermissions[role];
  return permissions.filter((p) => p.onBehalf).flatMap((p) => p.actions);
}

let subjects: Subject[];

beforeAll(async () => {
  // With copy rules, so the DR deployment has the copy scheduler too (its KMS grants name DR_KEY),
  // and failover, so it has the failover functions (their Route 53 grants name FAILOVER_ZONE_ID).
  const deployments = deployedFunctions([await synth(failoverConfig()), await synth(failoverConfig(), DR)]);
  subjects = [];
  for (const deployment of deployments) {
    const { statements, problems } = roleStatements(deployment.template, deployment.roleId);
    subjects.push({
      deployment,
      label: `${deployment.name} (${Handlers[deployment.name].role}, ${deployment.region})`,
      statements,
      problems,
      recording: await record(deployment.name, deployment.region),
      runtime: runtimeActionsFor(Handlers[deployment.name]),
      onBehalf: onBehalfActions(Handlers[deployment.name].role),
    });
  }
}, 120_000);

const subjectsOf = (name: HandlerName) => subjects.filter((s) => s.deployment.name === name);
/** The one deployment of a function in a Region (default: the primary, where most are). */
const only = (name: HandlerName, region = subjectsOf(name).length > 1 ? REGION : undefined): Subject => {
  const [subject, ...more] = subjectsOf(name).filter((s) => !region || s.deployment.region === region);
  if (!subject || more.length > 0) throw new Error(`expected one deployment of ${name} in ${region}`);
  return subject;
};

/** Every EC2/RDS create, tag and delete the function sent that its policy would refuse. */
function deniedRequests(subject: Pick<Subject, "statements" | "recording">): string[] {
  const denied: string[] = [];
  for (const sent of subject.recording.sent) {
    if (!needsDerivation(sent)) continue;
    const requests = authorizationRequests(sent, ACCOUNT);
    if (!requests) {
      denied.push(`${sent.service}:${sent.command}: no DERIVATIONS row in test/infra/iam-check.ts`);
      continue;
    }
    for (const r of requests)
      if (!isAllowed(subject.statements, r))
        denied.push(`${r.action} on ${r.resource} with ${Object.keys(r.context).join(", ") || "no context"}`);
  }
  return [...new Set(denied)].sort();
}

// ——————————————————————————————————————————————————————————————— the checks

describe("Permissions: what each function sends is what its role is granted", () => {
  it("every handler in stacks/handlers.ts is deployed and recorded", () => {
    const deployed = new Set(subjects.map((s) => s.deployment.name));
    expect([...deployed].sort()).toEqual(Object.keys(Handlers).sort());
    expect(Object.keys(SCENARIOS).sort()).toEqual(Object.keys(Handlers).sort());
    for (const s of subjects) expect(s.recording.calls.length, s.label).toBeGreaterThan(0);
  });

  describe.each(Object.keys(Handlers) as HandlerName[])("%s", (name) => {
    it("has a policy this check can read in full (no managed policies, no NotAction)", () => {
      for (const s of subjectsOf(name)) {
        expect(s.problems, s.label).toEqual([]);
        expect(checkPolicy({ ...s, recorded: [], region: s.deployment.region }).unsupported, s.label).toEqual(
          [],
        );
      }
    });

    it("(a) is granted every action it sends, in the Region it sends it to", () => {
      for (const s of subjectsOf(name)) {
        const result = checkPolicy({ ...s, recorded: s.recording.calls, region: s.deployment.region });
        expect(
          result.missing,
          `${s.label} sends these, but its policy does not grant them: add them to FunctionPermissions.${Handlers[name].role} in packages/core/src/aws/permissions.ts`,
        ).toEqual([]);
        expect(result.wrongRegion, `${s.label} sends these to a Region its policy does not name`).toEqual([]);
      }
    });

    it("(a') is allowed every create, tag and delete it sent, with the resources and tags it sent", () => {
      for (const s of subjectsOf(name)) {
        expect(deniedRequests(s), `${s.label}: its policy would refuse these requests`).toEqual([]);
      }
    });

    it("(b) is granted nothing it does not send, beyond what Lambda needs (RUNTIME_GRANTS)", () => {
      for (const s of subjectsOf(name)) {
        const result = checkPolicy({ ...s, recorded: s.recording.calls, region: s.deployment.region });
        expect(
          result.unused,
          `${s.label} is granted these but never sends them: remove the grant, or exercise the path that needs it in SCENARIOS.${name}`,
        ).toEqual([]);
      }
    });
  });

  it("RUNTIME_GRANTS has no stale rows: each is granted to a function it applies to", () => {
    for (const grant of RUNTIME_GRANTS) {
      for (const action of grant.actions) {
        const holders = subjects.filter(
          (s) =>
            grant.appliesTo(Handlers[s.deployment.name]) &&
            s.statements.some((st) => st.Effect === "Allow" && actionsOf(st).includes(action)),
        );
        expect(holders.length, `${action} (${grant.why})`).toBeGreaterThan(0);
      }
    }
  });
});

// ——————————————————————————————————————— never touches what it did not create, in IAM too

const SNAPSHOT_OR_TAG_ACTIONS = new Set([
  "ec2:copysnapshot",
  "rds:copydbsnapshot",
  "rds:copydbclustersnapshot",
  "rds:addtagstoresource",
  "rds:deletedbsnapshot",
  "rds:deletedbclustersnapshot",
  "rds:createdbsnapshot",
  "rds:createdbclustersnapshot",
  "ec2:deletesnapshot",
  "ec2:createtags",
  "ec2:createsnapshot",
  "ec2:createsnapshots",
]);
const OUR_DB_SNAPSHOT = new RegExp(
  `^arn:aws[a-z-]*:rds:[a-z0-9-]+:\\d{12}:(snapshot|cluster-snapshot):${RDS_SNAPSHOT_ID_PREFIX}\\*$`,
);
const DB_SOURCE = /^arn:aws[a-z-]*:rds:[a-z0-9-]+:\d{12}:(db|cluster):\*$/;
const EC2_SNAPSHOT = /^arn:aws[a-z-]*:ec2:[a-z0-9-]+::snapshot\/\*$/;
const EC2_SOURCE =
  /^arn:aws[a-z-]*:(ec2:[a-z0-9-]+:\d{12}:(volume|instance)|outposts:[a-z0-9-]+:\d{12}:outpost)\/\*$/;
const MANAGED = Tag.managed;

/**
 * Statements that would let a role create, copy, tag or delete a snapshot outpost-ops did not
 * create: RDS snapshot resources other than our oo-* ids, and any snapshot resource without our tag
 * condition (the request tag to create, copy into or tag, the resource tag to delete or copy from;
 * ec2:CreateTags only as part of CreateSnapshot(s) or CopySnapshot). Tagging an existing snapshot
 * is allowed only with the failure-alerted key and nothing else (on EC2, only on our snapshots): it
 * cannot make a snapshot deletable. `region` is where the role's function runs (copies are made
 * there, from sources in other Regions).
 */
function riskyGrants(statements: Statement[], region: string): string[] {
  const risky: string[] = [];
  for (const s of statements.filter((st) => st.Effect === "Allow")) {
    const actions = actionsOf(s).filter(
      (a) => SNAPSHOT_OR_TAG_ACTIONS.has(a.toLowerCase()) || a.includes("*"),
    );
    if (actions.length === 0) continue;
    const equals = (s.Condition?.StringEquals ?? {}) as Record<string, unknown>;
    const requestTagged = equals[`aws:RequestTag/${MANAGED}`] === MANAGED_VALUE;
    const resourceTagged = equals[`aws:ResourceTag/${MANAGED}`] === MANAGED_VALUE;
    const keys = listOf(
      (s.Condition?.["ForAllValues:StringEquals"] as Record<string, unknown> | undefined)?.["aws:TagKeys"],
    );
    const alertedKeyOnly = keys.length === 1 && keys[0] === Tag.failureAlerted;
    for (const action of actions) {
      for (const resource of listOf(s.Resource)) {
        const r = String(resource);
        const at = `${action} on ${r}`;
        if (action.includes("*")) {
          if (/^(ec2|rds):/.test(action) && !/^(ec2|rds):Describe/.test(action))
            risky.push(`${at}: wildcard`);
        } else if (DB_SOURCE.test(r) || EC2_SOURCE.test(r)) {
          // Snapshotting a source reads it; only the create actions may name sources.
          if (!/^(rds:CreateDB(Cluster)?Snapshot|ec2:CreateSnapshots?)$/.test(action))
            risky.push(`${at}: a source`);
        } else if (action.startsWith("rds:")) {
          if (!OUR_DB_SNAPSHOT.test(r)) risky.push(`${at}: not only our ${RDS_SNAPSHOT_ID_PREFIX}* ids`);
          // A copy reads a source and writes a copy, both named oo-*: the names are the limit.
          else if (/^rds:CopyDB(Cluster)?Snapshot$/.test(action)) continue;
          else if (action === "rds:AddTagsToResource" && alertedKeyOnly) continue;
          else if (action.startsWith("rds:Delete") ? !resourceTagged : !requestTagged)
            risky.push(`${at}: without our ${action.startsWith("rds:Delete") ? "resource" : "request"} tag`);
        } else if (!EC2_SNAPSHOT.test(r)) {
          risky.push(`${at}: not a snapshot`);
        } else if (action === "ec2:DeleteSnapshot") {
          if (!resourceTagged) risky.push(`${at}: without our resource tag`);
        } else if (action === "ec2:CopySnapshot") {
          // Into this Region: a new copy, tagged as ours; from another Region: only our snapshots.
          const here = r.split(":")[3] === region;
          if (here ? !requestTagged : !resourceTagged)
            risky.push(`${at}: without our ${here ? "request" : "resource"} tag`);
        } else if (action === "ec2:CreateTags") {
          const createAction = listOf(equals["ec2:CreateAction"]).map(String).sort();
          if (alertedKeyOnly) {
            if (!resourceTagged) risky.push(`${at}: the alerted mark on snapshots that are not ours`);
          } else if (
            createAction.length === 0 ||
            createAction.some((a) => !/^(CreateSnapshots?|CopySnapshot)$/.test(a))
          )
            risky.push(`${at}: not only as part of CreateSnapshot(s) or CopySnapshot`);
        } else if (!requestTagged) {
          risky.push(`${at}: without our request tag`);
        }
      }
    }
  }
  return risky;
}

const ARN = `arn:aws:rds:${REGION}:${ACCOUNT}`;
const OURS = `${RDS_SNAPSHOT_ID_PREFIX}daily-db-1-20240514t1000`;
const FOREIGN = "manual-prod-backup";
const EBS = `arn:aws:ec2:${REGION}::snapshot/snap-0123456789abcdef0`;
const DR_EBS = `arn:aws:ec2:${DR}::snapshot/snap-0123456789abcdef0`;
const requestTag = { [`aws:RequestTag/${MANAGED}`]: MANAGED_VALUE, "aws:TagKeys": [MANAGED] };
const resourceTag = { [`aws:ResourceTag/${MANAGED}`]: MANAGED_VALUE };

/** A change batch of the failover zone (or another), as the Route 53 derivation authorizes it. */
const zoneChange = (
  names: string[],
  types: string[],
  actions: string[],
  zone = FAILOVER_ZONE_ID,
): AuthRequest => ({
  action: "route53:ChangeResourceRecordSets",
  resource: `arn:aws:route53:::hostedzone/${zone}`,
  context: {
    "route53:ChangeResourceRecordSetsNormalizedRecordNames": names,
    "route53:ChangeResourceRecordSetsRecordTypes": types,
    "route53:ChangeResourceRecordSetsActions": actions,
  },
});
/** Requests no role may make: each would touch, or make deletable, a snapshot we did not create. */
const FORBIDDEN: [string, AuthRequest][] = [
  [
    "stamp our tag on a foreign DB snapshot",
    { action: "rds:AddTagsToResource", resource: `${ARN}:snapshot:${FOREIGN}`, context: requestTag },
  ],
  [
    "stamp our tag on a foreign cluster snapshot",
    { action: "rds:AddTagsToResource", resource: `${ARN}:cluster-snapshot:${FOREIGN}`, context: requestTag },
  ],
  [
    "tag a source DB",
    { action: "rds:AddTagsToResource", resource: `${ARN}:db:orders-db-1`, context: requestTag },
  ],
  [
    "retag one of ours without our tag",
    { action: "rds:AddTagsToResource", resource: `${ARN}:snapshot:${OURS}`, context: {} },
  ],
  [
    "create a DB snapshot under a foreign name",
    { action: "rds:CreateDBSnapshot", resource: `${ARN}:snapshot:${FOREIGN}`, context: requestTag },
  ],
  [
    "delete a foreign DB snapshot someone tagged by hand",
    { action: "rds:DeleteDBSnapshot", resource: `${ARN}:snapshot:${FOREIGN}`, context: resourceTag },
  ],
  [
    "delete a foreign cluster snapshot someone tagged by hand",
    {
      action: "rds:DeleteDBClusterSnapshot",
      resource: `${ARN}:cluster-snapshot:${FOREIGN}`,
      context: resourceTag,
    },
  ],
  [
    "delete an oo-* DB snapshot without our tag",
    { action: "rds:DeleteDBSnapshot", resource: `${ARN}:snapshot:${OURS}`, context: {} },
  ],
  ["tag an EBS snapshot outside a create", { action: "ec2:CreateTags", resource: EBS, context: requestTag }],
  [
    "copy an EBS snapshot we did not create from the primary Region",
    { action: "ec2:CopySnapshot", resource: EBS, context: requestTag },
  ],
  [
    "create an EBS copy not tagged as ours",
    { action: "ec2:CopySnapshot", resource: DR_EBS, context: { ...resourceTag, "aws:TagKeys": [] } },
  ],
  [
    "stamp our managed tag on a DR snapshot through the alerted-mark grant",
    {
      action: "ec2:CreateTags",
      resource: DR_EBS,
      context: { ...requestTag, ...resourceTag, "aws:TagKeys": [MANAGED, Tag.failureAlerted] },
    },
  ],
  [
    "mark a DR snapshot that is not ours as alerted",
    {
      action: "ec2:CreateTags",
      resource: DR_EBS,
      context: { [`aws:RequestTag/${Tag.failureAlerted}`]: "x", "aws:TagKeys": [Tag.failureAlerted] },
    },
  ],
  [
    "copy a foreign DB snapshot",
    { action: "rds:CopyDBSnapshot", resource: `${ARN}:snapshot:${FOREIGN}`, context: requestTag },
  ],
  [
    "copy into a DB snapshot under a foreign name",
    {
      action: "rds:CopyDBSnapshot",
      resource: `arn:aws:rds:${DR}:${ACCOUNT}:snapshot:${FOREIGN}`,
      context: requestTag,
    },
  ],
  [
    "stamp our managed tag on a foreign DR DB snapshot",
    {
      action: "rds:AddTagsToResource",
      resource: `arn:aws:rds:${DR}:${ACCOUNT}:snapshot:${FOREIGN}`,
      context: requestTag,
    },
  ],
  [
    "use a KMS key the config does not name",
    {
      action: "kms:CreateGrant",
      resource: `arn:aws:kms:${DR}:${ACCOUNT}:key/00000000-0000-0000-0000-000000000000`,
      context: {},
    },
  ],
  [
    "use the copy key itself, not through EC2 or RDS",
    { action: "kms:Decrypt", resource: DR_KEY, context: {} },
  ],
  [
    "grant the copy key to something that is not an AWS resource",
    { action: "kms:CreateGrant", resource: DR_KEY, context: { "kms:ViaService": `ec2.${DR}.amazonaws.com` } },
  ],
  ["delete an untagged EBS snapshot", { action: "ec2:DeleteSnapshot", resource: EBS, context: {} }],
  [
    "delete an EBS snapshot tagged managed=false",
    { action: "ec2:DeleteSnapshot", resource: EBS, context: { [`aws:ResourceTag/${MANAGED}`]: "false" } },
  ],
  // DNS: only the configured records and the state record, of the failover zone, by DELETE and CREATE.
  [
    "change a record of the zone the config does not name",
    zoneChange(["www.example.com"], ["A"], ["DELETE"]),
  ],
  [
    "slip another record into a failover batch",
    zoneChange(["app.example.com", "mail.example.com"], ["A", "MX"], ["DELETE", "CREATE"]),
  ],
  [
    "UPSERT a configured record (only the exact DELETE + CREATE)",
    zoneChange(["app.example.com"], ["A"], ["UPSERT"]),
  ],
  ["change a configured name's MX record", zoneChange(["app.example.com"], ["MX"], ["CREATE"])],
  [
    "change the configured names in another zone",
    zoneChange(["app.example.com"], ["A"], ["DELETE"], "Z0THERZONE0000000001"),
  ],
];

/** What the workers must still be able to do (so the denials above are not a policy that denies everything). */
const ALLOWED: [HandlerName, AuthRequest][] = [
  [
    "failover",
    zoneChange(["app.example.com", "_outpost-ops-failover.example.com"], ["A", "TXT"], ["DELETE", "CREATE"]),
  ],
  [
    "failoverReadiness",
    zoneChange(["app.example.com", "_outpost-ops-failover.example.com"], ["A", "TXT"], ["DELETE"]),
  ],
  [
    "snapshotWork",
    { action: "rds:AddTagsToResource", resource: `${ARN}:snapshot:${OURS}`, context: requestTag },
  ],
  [
    "snapshotWork",
    { action: "rds:CreateDBSnapshot", resource: `${ARN}:snapshot:${OURS}`, context: requestTag },
  ],
  [
    "snapshotWork",
    {
      action: "ec2:CreateTags",
      resource: EBS,
      context: { ...requestTag, "ec2:CreateAction": "CreateSnapshots" },
    },
  ],
  [
    "retentionWork",
    { action: "rds:DeleteDBSnapshot", resource: `${ARN}:snapshot:${OURS}`, context: resourceTag },
  ],
  [
    "retentionWork",
    {
      action: "rds:DeleteDBClusterSnapshot",
      resource: `${ARN}:cluster-snapshot:${OURS}`,
      context: resourceTag,
    },
  ],
  ["retentionWork", { action: "ec2:DeleteSnapshot", resource: EBS, context: resourceTag }],
  ["copySchedule", { action: "ec2:CopySnapshot", resource: EBS, context: { ...requestTag, ...resourceTag } }],
  ["copySchedule", { action: "ec2:CopySnapshot", resource: DR_EBS, context: requestTag }],
  [
    "copySchedule",
    {
      action: "ec2:CreateTags",
      resource: DR_EBS,
      context: { ...requestTag, "ec2:CreateAction": "CopySnapshot" },
    },
  ],
  [
    "copySchedule",
    {
      action: "ec2:CreateTags",
      resource: DR_EBS,
      context: {
        ...resourceTag,
        [`aws:RequestTag/${Tag.failureAlerted}`]: "x",
        "aws:TagKeys": [Tag.failureAlerted],
      },
    },
  ],
  [
    "copySchedule",
    { action: "rds:CopyDBSnapshot", resource: `${ARN}:snapshot:${OURS}`, context: requestTag },
  ],
  [
    "copySchedule",
    {
      action: "rds:CopyDBClusterSnapshot",
      resource: `arn:aws:rds:${DR}:${ACCOUNT}:cluster-snapshot:${OURS}`,
      context: requestTag,
    },
  ],
  [
    "copySchedule",
    {
      action: "kms:CreateGrant",
      resource: DR_KEY,
      context: { "kms:ViaService": `ec2.${DR}.amazonaws.com`, "kms:GrantIsForAWSResource": "true" },
    },
  ],
];

describe("Permissions: no role can tag or delete a snapshot outpost-ops did not create", () => {
  it("every statement that creates, tags or deletes snapshots names only ours, and requires our tag", () => {
    for (const s of subjects) expect(riskyGrants(s.statements, s.deployment.region), s.label).toEqual([]);
    // Not vacuous: the workers do hold such statements.
    expect(subjects.flatMap((s) => s.statements.flatMap(actionsOf))).toEqual(
      expect.arrayContaining([
        "rds:AddTagsToResource",
        "rds:DeleteDBSnapshot",
        "ec2:DeleteSnapshot",
        "ec2:CreateTags",
      ]),
    );
  });

  it.each(FORBIDDEN)("no role may %s", (_what, request) => {
    for (const s of subjects) expect(isAllowed(s.statements, request), s.label).toBe(false);
  });

  it("no role may delete one of ours in a Region other than its own (retention runs in both)", () => {
    const deleters = subjects.filter((s) => s.deployment.name === "retentionWork");
    expect(deleters.map((s) => s.deployment.region).sort()).toEqual([DR, REGION].sort());
    for (const s of subjects) {
      const other = s.deployment.region === REGION ? DR : REGION;
      for (const request of [
        {
          action: "rds:DeleteDBSnapshot",
          resource: `arn:aws:rds:${other}:${ACCOUNT}:snapshot:${OURS}`,
          context: resourceTag,
        },
        {
          action: "ec2:DeleteSnapshot",
          resource: `arn:aws:ec2:${other}::snapshot/snap-0123456789abcdef0`,
          context: resourceTag,
        },
      ])
        expect(isAllowed(s.statements, request), `${s.label}: ${request.action} in ${other}`).toBe(false);
    }
    // Not vacuous: each retention worker may delete ours in its own Region.
    for (const s of deleters)
      expect(
        isAllowed(s.statements, {
          action: "rds:DeleteDBSnapshot",
          resource: `arn:aws:rds:${s.deployment.region}:${ACCOUNT}:snapshot:${OURS}`,
          context: resourceTag,
        }),
        s.label,
      ).toBe(true);
  });

  it.each(ALLOWED)("%s may still make %j", (name, request) => {
    expect(isAllowed(only(name).statements, request)).toBe(true);
  });

  it("the readiness check may send the probe (a DELETE) but never point a record anywhere (CREATE)", () => {
    const create = zoneChange(
      ["app.example.com", "_outpost-ops-failover.example.com"],
      ["A", "TXT"],
      ["DELETE", "CREATE"],
    );
    expect(isAllowed(only("failoverReadiness").statements, create)).toBe(false);
    expect(isAllowed(only("failover").statements, create)).toBe(true);
  });
});

// ——————————————————————————————————————————————— the checks fail when they should

describe("Permissions: the checks are not vacuous", () => {
  const without = (statements: Statement[], drop: (s: Statement) => boolean) =>
    statements.filter((s) => !drop(s));
  const grants = (action: string) => (s: Statement) => actionsOf(s).includes(action);

  it("removing one statement is reported as exactly the action only it granted", () => {
    const s = only("snapshotWork");
    const statements = without(s.statements, grants("ec2:DescribeSnapshots"));
    expect(statements).toHaveLength(s.statements.length - 1);
    const result = checkPolicy({ ...s, statements, recorded: s.recording.calls, region: REGION });
    expect(result).toMatchObject({ missing: ["ec2:DescribeSnapshots"], unused: [], wrongRegion: [] });
  });

  it("removing the publish grant is reported as sns:Publish and the KMS actions publishing needs", () => {
    const [s] = subjectsOf("alarmStateChange");
    if (!s) throw new Error("the alarm handler is not deployed");
    const statements = without(
      s.statements,
      (st) => actionsOf(st).includes("sns:Publish") || actionsOf(st).includes("kms:Decrypt"),
    );
    const result = checkPolicy({
      ...s,
      statements,
      recorded: s.recording.calls,
      region: s.deployment.region,
    });
    expect(result.missing).toEqual(["kms:Decrypt", "kms:GenerateDataKey", "sns:Publish"]);
  });

  it("an extra action, in a new statement or an existing one, is reported by name", () => {
    const s = only("retentionWork");
    const added: Statement = { Effect: "Allow", Action: "rds:ModifyDBSnapshotAttribute", Resource: "*" };
    const widened = s.statements.map((st) =>
      grants("ec2:DeleteSnapshot")(st) ? { ...st, Action: [...actionsOf(st), "ec2:CreateTags"] } : st,
    );
    for (const [statements, extra] of [
      [[...s.statements, added], "rds:ModifyDBSnapshotAttribute"],
      [widened, "ec2:CreateTags"],
    ] as const) {
      const result = checkPolicy({
        ...s,
        statements: [...statements],
        recorded: s.recording.calls,
        region: REGION,
      });
      expect(result).toMatchObject({ missing: [], unused: [extra] });
    }
  });

  it("a new call without its permission is reported under its IAM name (SFNClient → states)", () => {
    const s = only("snapshotWork");
    const recorded = [...s.recording.calls, { service: "sfn", command: "StartExecution", region: REGION }];
    const result = checkPolicy({ ...s, recorded, region: REGION });
    expect(result.missing).toEqual(["states:StartExecution"]);
  });

  it("a call into a Region the policy does not name is reported", () => {
    const s = only("snapshotWork");
    const recorded = [
      ...s.recording.calls,
      { service: "ec2", command: "CreateSnapshot", region: "us-east-1" },
    ];
    const result = checkPolicy({ ...s, recorded, region: REGION });
    expect(result.wrongRegion).toEqual([
      "ec2:CreateSnapshot in us-east-1 (granted in us-west-2)",
      "ec2:CreateTags in us-east-1 (granted in us-west-2)",
    ]);
  });

  it("(a') catches what (a) cannot: without the grant on the source DB, the real creates are refused", () => {
    const s = only("snapshotWork");
    const statements = without(s.statements, (st) =>
      listOf(st.Resource).some((r) => String(r).includes(":db:*")),
    );
    expect(checkPolicy({ ...s, statements, recorded: s.recording.calls, region: REGION }).missing).toEqual(
      [],
    );
    expect(deniedRequests({ statements, recording: s.recording })).toEqual([
      expect.stringMatching(
        /^rds:CreateDBClusterSnapshot on arn:aws:rds:us-west-2:123456789012:cluster:inventory-1 /,
      ),
      expect.stringMatching(/^rds:CreateDBSnapshot on arn:aws:rds:us-west-2:123456789012:db:orders-db-1 /),
    ]);
  });

  it("widening rds:AddTagsToResource back to every snapshot is caught by both snapshot checks", () => {
    const s = only("snapshotWork");
    const widened = s.statements.map((st) =>
      grants("rds:AddTagsToResource")(st)
        ? {
            ...st,
            Resource: listOf(st.Resource).map((r) => String(r).replace(`:${RDS_SNAPSHOT_ID_PREFIX}*`, ":*")),
          }
        : st,
    );
    expect(riskyGrants(widened, REGION)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^rds:AddTagsToResource on .*:snapshot:\*: not only our oo-\* ids$/),
      ]),
    );
    const [, stamp] = FORBIDDEN[0] ?? [];
    expect(stamp && isAllowed(widened, stamp)).toBe(true);
  });

  it("dropping the tag condition from the delete is caught", () => {
    const s = only("retentionWork");
    const loose = s.statements.map((st) =>
      grants("rds:DeleteDBSnapshot")(st) ? { ...st, Condition: undefined } : st,
    );
    expect(riskyGrants(loose, REGION)).toEqual([
      expect.stringMatching(/^rds:DeleteDBSnapshot on .*:snapshot:oo-\*: without our resource tag$/),
      expect.stringMatching(/^rds:DeleteDBSnapshot on .*:cluster-snapshot:oo-\*: without our resource tag$/),
      expect.stringMatching(/^rds:DeleteDBClusterSnapshot on .*:snapshot:oo-\*: without our resource tag$/),
      expect.stringMatching(
        /^rds:DeleteDBClusterSnapshot on .*:cluster-snapshot:oo-\*: without our resource tag$/,
      ),
    ]);
  });

  describe("the copy scheduler's checks", () => {
    const copier = () => only("copySchedule");
    const withStatements = (statements: Statement[]) => ({ statements, recording: copier().recording });
    const dropResource = (pattern: RegExp) =>
      copier().statements.flatMap((st) => {
        const kept = listOf(st.Resource).filter((r) => !pattern.test(String(r)));
        if (kept.length === listOf(st.Resource).length) return [st];
        return kept.length > 0 ? [{ ...st, Resource: kept }] : [];
      });

    it("recorded every kind of copy, the alerted mark, the key check and the gauges, in the DR Region", () => {
      const sent = copier().recording.calls.map((c) => `${c.service}:${c.command} ${c.region}`);
      expect(sent).toEqual(
        expect.arrayContaining([
          `ec2:CopySnapshot ${DR}`,
          `ec2:CreateTags ${DR}`,
          `rds:CopyDBSnapshot ${DR}`,
          `rds:CopyDBClusterSnapshot ${DR}`,
          `kms:DescribeKey ${DR}`,
          `cloudwatch:PutMetricData ${DR}`,
          `ec2:DescribeSnapshots ${REGION}`,
          `rds:DescribeDBSnapshots ${REGION}`,
        ]),
      );
    });

    it("without the grant on the source's Region, the EBS copy is refused on the source snapshot", () => {
      const statements = dropResource(new RegExp(`^arn:aws:ec2:${REGION}::snapshot/`));
      expect(
        checkPolicy({ ...copier(), statements, recorded: copier().recording.calls, region: DR }).missing,
      ).toEqual([]);
      // The three copies the run started (the fourth source's attempts are spent: no copy).
      expect(deniedRequests(withStatements(statements))).toEqual(
        ["snap-0c0000000000000b1", "snap-0c0000000000000c0", "snap-0c0000000000000c1"].map((id) =>
          expect.stringMatching(new RegExp(`^ec2:CopySnapshot on arn:aws:ec2:${REGION}::snapshot/${id} `)),
        ),
      );
    });

    it("without the request-tag grant here, the new copy is refused; without the source's tag, the source is", () => {
      const noDestination = copier().statements.filter(
        (st) => !(grants("ec2:CopySnapshot")(st) && String(st.Resource).includes(`:${DR}:`)),
      );
      expect(noDestination).toHaveLength(copier().statements.length - 1);
      expect(deniedRequests(withStatements(noDestination))).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^ec2:CopySnapshot on arn:aws:ec2:us-east-1::snapshot\/snap-0{17} /),
        ]),
      );
      // The recorded source carries our tag; the same copy of an untagged source is refused.
      const untagged = copier().recording.sent.map((c) =>
        c.command === "CopySnapshot" ? { ...c, resourceTags: {} } : c,
      );
      expect(
        deniedRequests({ statements: copier().statements, recording: { calls: [], sent: untagged } }),
      ).toEqual(
        expect.arrayContaining([
          expect.stringMatching(new RegExp(`^ec2:CopySnapshot on arn:aws:ec2:${REGION}::`)),
        ]),
      );
    });

    it("without the alerted-mark grant, marking the failed copy is refused; tagging it with more keys is too", () => {
      const statements = copier().statements.filter(
        (st) => !(grants("ec2:CreateTags")(st) && st.Condition?.["ForAllValues:StringEquals"]),
      );
      expect(deniedRequests(withStatements(statements))).toEqual([
        expect.stringMatching(/^ec2:CreateTags on arn:aws:ec2:us-east-1::snapshot\/snap-0dead000000000003 /),
      ]);
      const more = copier().recording.sent.map((c) =>
        c.command === "CreateTags"
          ? {
              ...c,
              input: { ...c.input, Tags: [...(c.input.Tags as object[]), { Key: MANAGED, Value: "true" }] },
            }
          : c,
      );
      expect(
        deniedRequests({ statements: copier().statements, recording: { calls: [], sent: more } }),
      ).toEqual([expect.stringMatching(/^ec2:CreateTags on .*snap-0dead000000000003 /)]);
    });

    it("without the primary Region's oo-* ARNs, the RDS and Aurora copies are refused on their sources", () => {
      const statements = dropResource(new RegExp(`^arn:aws:rds:${REGION}:`));
      expect(deniedRequests(withStatements(statements))).toEqual([
        expect.stringMatching(
          new RegExp(`^rds:CopyDBClusterSnapshot on arn:aws:rds:${REGION}:${ACCOUNT}:cluster-snapshot:oo-`),
        ),
        expect.stringMatching(
          new RegExp(`^rds:CopyDBSnapshot on arn:aws:rds:${REGION}:${ACCOUNT}:snapshot:oo-`),
        ),
      ]);
    });

    it("removing a copy statement is reported as exactly the actions only it granted", () => {
      const s = copier();
      const statements = without(s.statements, grants("rds:CopyDBSnapshot"));
      const result = checkPolicy({ ...s, statements, recorded: s.recording.calls, region: DR });
      expect(result).toMatchObject({
        missing: ["rds:CopyDBClusterSnapshot", "rds:CopyDBSnapshot"],
        unused: [],
        wrongRegion: [],
      });
      const noKeyCheck = without(s.statements, grants("kms:DescribeKey"));
      expect(
        checkPolicy({ ...s, statements: noKeyCheck, recorded: s.recording.calls, region: DR }).missing,
      ).toEqual(["kms:DescribeKey"]);
    });

    it("onBehalf statements are exempt from (b) only: without the exemption their actions are reported unused", () => {
      const s = copier();
      expect(s.onBehalf.sort()).toEqual(
        [
          "kms:CreateGrant",
          "kms:Decrypt",
          "kms:GenerateDataKeyWithoutPlaintext",
          "kms:ReEncryptFrom",
          "kms:ReEncryptTo",
        ].sort(),
      );
      const result = checkPolicy({ ...s, onBehalf: [], recorded: s.recording.calls, region: DR });
      // kms:Decrypt is sent, as part of publishing to the encrypted alert topic.
      expect(result.unused).toEqual([
        "kms:CreateGrant",
        "kms:GenerateDataKeyWithoutPlaintext",
        "kms:ReEncryptFrom",
        "kms:ReEncryptTo",
      ]);
      // An onBehalf action the function did send itself still has to be granted.
      const recorded = [...s.recording.calls, { service: "kms", command: "CreateGrant", region: DR }];
      const statements = without(s.statements, grants("kms:CreateGrant"));
      expect(checkPolicy({ ...s, statements, recorded, region: DR }).missing).toEqual(["kms:CreateGrant"]);
    });

    it("dropping the source's tag condition, or widening RDS copies to every snapshot, is caught", () => {
      const loose = copier().statements.map((st) =>
        grants("ec2:CopySnapshot")(st) && String(st.Resource).includes(`:${REGION}:`)
          ? { ...st, Condition: undefined }
          : st,
      );
      expect(riskyGrants(loose, DR)).toEqual([
        expect.stringMatching(
          new RegExp(`^ec2:CopySnapshot on arn:aws:ec2:${REGION}::snapshot/\\*: without our resource tag$`),
        ),
      ]);
      const wide = copier().statements.map((st) =>
        grants("rds:CopyDBSnapshot")(st)
          ? {
              ...st,
              Resource: listOf(st.Resource).map((r) =>
                String(r).replace(`:${RDS_SNAPSHOT_ID_PREFIX}*`, ":*"),
              ),
            }
          : st,
      );
      expect(riskyGrants(wide, DR)).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^rds:CopyDBSnapshot on .*:snapshot:\*: not only our oo-\* ids$/),
        ]),
      );
    });
  });
});
