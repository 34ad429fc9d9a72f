/**
 * The permission meta-test (in the spirit of Cloud Custodian's): each Lambda function's IAM is exactly
 * what its code sends, no less and no more.
 *
 * 1. Record. Every deployed function (stacks/handlers.ts, found in the synthesized stacks) is run,
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
 *        role: logs, the SQS event source mapping).
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
import { SQSClient } from "@aws-sdk/client-sqs";
import {
  type AwsClients,
  type ClientClass,
  type ClientOptions,
  createClients,
  type Where,
} from "@outpost-ops/core/aws/clients";
import { enqueue } from "@outpost-ops/core/aws/queue";
import type { Config } from "@outpost-ops/core/config";
import { RDS_SNAPSHOT_ID_PREFIX, rdsSnapshotId, workItemKey } from "@outpost-ops/core/snapshot/names";
import type { SnapshotWorkItem } from "@outpost-ops/core/snapshot/work-item";
import { MANAGED_VALUE, Tag } from "@outpost-ops/core/tags";
import { type Estate, type Sandbox, startSandbox } from "@outpost-ops/sandbox";
import { drainQueue } from "outpost-ops/src/drill/lambda.ts";
import {
  createInfrastructure,
  drillHandlers,
  type Infrastructure,
  queue,
} from "outpost-ops/src/drill/wiring.ts";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { type HandlerName, Handlers } from "../../stacks/handlers.ts";
import {
  buildEstate,
  CREDENTIALS,
  DAY_MS,
  lambdaContext,
  managedTags,
  REGION,
  type SeededEstate,
  scheduledEvent,
  seedDailyEbs,
  testConfig,
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
import { ACCOUNT, type DeployedFunction, deployedFunctions, exampleConfig, synth } from "./synth.ts";

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
  /** The handlers over the recorded clients: only call the one the scenario is for. */
  recorded: (config: Config) => ReturnType<typeof drillHandlers>;
  /** The handlers over unrecorded clients, to prepare what the recorded one works on. */
  setup: (config: Config) => ReturnType<typeof drillHandlers>;
}

const DAY1 = new Date("2024-05-14T00:00:00Z");
const SWEEP = new Date("2024-05-14T00:15:00Z");
const windowOf = (t: Date) => `${t.toISOString().slice(0, 16)}Z`;

/** The smallest estate with every resource kind: one line volume, one clinic instance, a DB, a cluster. */
function seedEstate(sb: Sandbox): SeededEstate {
  const seeded = buildEstate({ lineVolumes: 1, instances: 1 });
  sb.seed(seeded.estate);
  return seeded;
}

/**
 * The estate plus six daily managed snapshots of each kind (keepLast 5: one of each is due for
 * deletion) and one managed EBS snapshot AWS Backup has taken over (which EC2 refuses to delete).
 */
function seedEstateWithHistory(sb: Sandbox): { awsBackupSnapshotId: string } {
  const seeded = buildEstate({ lineVolumes: 1, instances: 1 });
  const volume = seeded.lineVolumeIds[0] ?? "";
  const db = seeded.dbInstanceIds[0] ?? "";
  const cluster = seeded.clusterIds[0] ?? "";
  const { snapshots } = seedDailyEbs([volume], 6, DAY1, 9);
  const awsBackupSnapshotId = "snap-0bac0000000000001";
  snapshots.push({
    region: REGION,
    id: awsBackupSnapshotId,
    volumeId: volume,
    startTime: new Date(DAY1.getTime() - 30 * DAY_MS).toISOString(),
    state: "completed",
    tags: managedTags("line", "daily", volume, new Date(DAY1.getTime() - 30 * DAY_MS)),
    awsBackup: true,
  });
  const dbSnapshots: NonNullable<Estate["dbSnapshots"]> = [];
  const dbClusterSnapshots: NonNullable<Estate["dbClusterSnapshots"]> = [];
  for (let d = 1; d <= 6; d++) {
    const at = new Date(DAY1.getTime() - d * DAY_MS);
    dbSnapshots.push({
      region: REGION,
      id: rdsSnapshotId("orders", db, windowOf(at)),
      dbInstanceId: db,
      createdAt: at.toISOString(),
      tags: managedTags("orders", "daily", db, at),
    });
    dbClusterSnapshots.push({
      region: REGION,
      id: rdsSnapshotId("inventory", cluster, windowOf(at)),
      clusterId: cluster,
      createdAt: at.toISOString(),
      tags: managedTags("inventory", "daily", cluster, at),
    });
  }
  sb.seed({ ...seeded.estate, snapshots, dbSnapshots, dbClusterSnapshots });
  return { awsBackupSnapshotId };
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
  retentionSweep: async ({ sb, region, recorded }) => {
    seedEstateWithHistory(sb);
    sb.clock.set(SWEEP);
    const event = scheduledEvent(SWEEP, region, "retention");
    await recorded(testConfig({ maxDeletesPerRun: 1 })).retentionSweep(event, planner("retention-sweep"));
    await recorded(testConfig()).retentionSweep(event, planner("retention-sweep"));
  },
  // EBS, RDS and Aurora deletes, plus one AWS refuses (AWS Backup's snapshot: the first-failure alert).
  retentionWork: async ({ sb, region, infra, sqs, recorded, setup }) => {
    const { awsBackupSnapshotId } = seedEstateWithHistory(sb);
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
      recorded: (config) => drillHandlers(config, clients, infra),
      setup: (config) => drillHandlers(config, setupClients, infra),
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
}

let subjects: Subject[];

beforeAll(async () => {
  const deployments = deployedFunctions([await synth(), await synth(undefined, exampleConfig.regions.dr)]);
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
    });
  }
}, 120_000);

const subjectsOf = (name: HandlerName) => subjects.filter((s) => s.deployment.name === name);
const only = (name: HandlerName): Subject => {
  const [subject, ...more] = subjectsOf(name);
  if (!subject || more.length > 0) throw new Error(`expected one deployment of ${name}`);
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
 * Statements that would let a role create, tag or delete a snapshot outpost-ops did not create:
 * RDS snapshot resources other than our oo-* ids, and any snapshot resource without our tag
 * condition (the request tag to create or tag, the resource tag to delete; ec2:CreateTags only as
 * part of CreateSnapshot(s)).
 */
function riskyGrants(statements: Statement[]): string[] {
  const risky: string[] = [];
  for (const s of statements.filter((st) => st.Effect === "Allow")) {
    const actions = actionsOf(s).filter(
      (a) => SNAPSHOT_OR_TAG_ACTIONS.has(a.toLowerCase()) || a.includes("*"),
    );
    if (actions.length === 0) continue;
    const equals = (s.Condition?.StringEquals ?? {}) as Record<string, unknown>;
    const requestTagged = equals[`aws:RequestTag/${MANAGED}`] === MANAGED_VALUE;
    const resourceTagged = equals[`aws:ResourceTag/${MANAGED}`] === MANAGED_VALUE;
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
          else if (action.startsWith("rds:Delete") ? !resourceTagged : !requestTagged)
            risky.push(`${at}: without our ${action.startsWith("rds:Delete") ? "resource" : "request"} tag`);
        } else if (!EC2_SNAPSHOT.test(r)) {
          risky.push(`${at}: not a snapshot`);
        } else if (action === "ec2:DeleteSnapshot") {
          if (!resourceTagged) risky.push(`${at}: without our resource tag`);
        } else if (action === "ec2:CreateTags") {
          const createAction = listOf(equals["ec2:CreateAction"]).map(String).sort();
          if (createAction.length === 0 || createAction.some((a) => !/^CreateSnapshots?$/.test(a)))
            risky.push(`${at}: not only as part of CreateSnapshot(s)`);
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
const requestTag = { [`aws:RequestTag/${MANAGED}`]: MANAGED_VALUE, "aws:TagKeys": [MANAGED] };
const resourceTag = { [`aws:ResourceTag/${MANAGED}`]: MANAGED_VALUE };

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
  [
    "delete one of ours in another Region",
    {
      action: "rds:DeleteDBSnapshot",
      resource: `arn:aws:rds:us-east-1:${ACCOUNT}:snapshot:${OURS}`,
      context: resourceTag,
    },
  ],
  ["tag an EBS snapshot outside a create", { action: "ec2:CreateTags", resource: EBS, context: requestTag }],
  ["delete an untagged EBS snapshot", { action: "ec2:DeleteSnapshot", resource: EBS, context: {} }],
  [
    "delete an EBS snapshot tagged managed=false",
    { action: "ec2:DeleteSnapshot", resource: EBS, context: { [`aws:ResourceTag/${MANAGED}`]: "false" } },
  ],
];

/** What the workers must still be able to do (so the denials above are not a policy that denies everything). */
const ALLOWED: [HandlerName, AuthRequest][] = [
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
];

describe("Permissions: no role can tag or delete a snapshot outpost-ops did not create", () => {
  it("every statement that creates, tags or deletes snapshots names only ours, and requires our tag", () => {
    for (const s of subjects) expect(riskyGrants(s.statements), s.label).toEqual([]);
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

  it.each(ALLOWED)("%s may still make %j", (name, request) => {
    expect(isAllowed(only(name).statements, request)).toBe(true);
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
    expect(riskyGrants(widened)).toEqual(
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
    expect(riskyGrants(loose)).toEqual([
      expect.stringMatching(/^rds:DeleteDBSnapshot on .*:snapshot:oo-\*: without our resource tag$/),
      expect.stringMatching(/^rds:DeleteDBSnapshot on .*:cluster-snapshot:oo-\*: without our resource tag$/),
      expect.stringMatching(/^rds:DeleteDBClusterSnapshot on .*:snapshot:oo-\*: without our resource tag$/),
      expect.stringMatching(
        /^rds:DeleteDBClusterSnapshot on .*:cluster-snapshot:oo-\*: without our resource tag$/,
      ),
    ]);
  });
});
