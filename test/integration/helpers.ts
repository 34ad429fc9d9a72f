import { GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { type AwsClients, createClients } from "@outpost-ops/core/aws/clients";
import { type Config, type ConfigInput, parseConfig } from "@outpost-ops/core/config";
import type { Sleeper } from "@outpost-ops/core/pacing";
import type { RunSummary } from "@outpost-ops/core/summary";
import { logger } from "@outpost-ops/functions/src/lib/observability.ts";
import { type Estate, type Sandbox, startSandbox } from "@outpost-ops/sandbox";
import { type DrainResult, drainQueue, type Handler } from "outpost-ops/src/drill/lambda.ts";
import {
  createInfrastructure,
  drillHandlers,
  type Infrastructure,
  queue as queueOf,
  sandboxClock,
} from "outpost-ops/src/drill/wiring.ts";
import { vi } from "vitest";

export const REGION = "us-west-2";
export const CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" };
export const FACTORY_ARN = "arn:aws:outposts:us-west-2:123456789012:outpost/op-0a1b2c3d4e5f60718";
export const CLINIC_ARN = "arn:aws:outposts:us-west-2:123456789012:outpost/op-0f1e2d3c4b5a69788";
export const AZ = "us-west-2a";

/** Every policy has a schedule at 00:00 UTC; `line` also fires hourly (daily keeps longer, so wins at 00:00). */
export function configInput(retention: ConfigInput["retention"] = {}): ConfigInput {
  return {
    regions: { primary: REGION, dr: "us-east-1" },
    outposts: [
      { name: "factory", arn: FACTORY_ARN },
      { name: "clinic", arn: CLINIC_ARN },
    ],
    alerts: { emails: [] },
    retention: { maxDeletesPerRun: 1000, maxDeletesPercent: 100, ...retention },
    policies: [
      {
        name: "line",
        resource: "ebs-volume",
        selector: { tags: { Backup: "outpost-ops" }, outposts: ["factory"] },
        placement: "outpost",
        copySourceTags: ["Application"],
        schedules: [
          { name: "hourly", expression: "rate(1 hour)", retention: { keepLast: 3 } },
          { name: "daily", expression: "cron(0 0 * * ? *)", retention: { keepLast: 5 } },
        ],
      },
      {
        name: "clinic",
        resource: "ec2-instance",
        selector: { tags: { Backup: "outpost-ops" }, outposts: ["clinic"] },
        exclude: { bootVolume: true },
        schedules: [{ name: "daily", expression: "cron(0 0 * * ? *)", retention: { keepLast: 5 } }],
      },
      {
        name: "orders",
        resource: "rds-instance",
        selector: { tags: { Backup: "outpost-ops" } },
        schedules: [{ name: "daily", expression: "cron(0 0 * * ? *)", retention: { keepLast: 5 } }],
      },
      {
        name: "inventory",
        resource: "aurora-cluster",
        selector: { tags: { Backup: "outpost-ops" } },
        schedules: [{ name: "daily", expression: "cron(0 0 * * ? *)", retention: { keepLast: 5 } }],
      },
    ],
  };
}

export function testConfig(retention: ConfigInput["retention"] = {}): Config {
  return parseConfig(configInput(retention));
}

const hex = (prefix: number, n: number) => `${prefix.toString(16)}${n.toString(16).padStart(16, "0")}`;

export interface EstateShape {
  /** Tagged volumes on the factory Outpost: the `line` policy selects these. */
  lineVolumes: number;
  /** Tagged clinic instances, each with a boot volume and two data volumes. */
  instances: number;
  /** Distinguishes the ids of several estates seeded into one sandbox. */
  serial?: number;
}

export interface SeededEstate {
  estate: Estate;
  lineVolumeIds: string[];
  instanceIds: string[];
  bootVolumeIds: string[];
  dataVolumeIds: string[];
  /** Volumes no policy selects: untagged on the factory, tagged but in the Region. */
  unselectedVolumeIds: string[];
  dbInstanceIds: string[];
  /** Aurora members carry the selector tag but are snapshotted through their cluster. */
  clusterMemberIds: string[];
  clusterIds: string[];
}

/** An estate with known ids; ids are unique per `serial`, so several can share one sandbox. */
export function buildEstate(shape: EstateShape): SeededEstate {
  const serial = shape.serial ?? 1;
  const tagged = { Backup: "outpost-ops", Application: "line-mes", Owner: "plant" };
  const out: SeededEstate = {
    estate: {
      outposts: [
        {
          region: REGION,
          id: "op-0a1b2c3d4e5f60718",
          arn: FACTORY_ARN,
          name: "factory",
          availabilityZone: AZ,
        },
        { region: REGION, id: "op-0f1e2d3c4b5a69788", arn: CLINIC_ARN, name: "clinic", availabilityZone: AZ },
      ],
      volumes: [],
      instances: [],
      dbInstances: [],
      dbClusters: [],
    },
    lineVolumeIds: [],
    instanceIds: [],
    bootVolumeIds: [],
    dataVolumeIds: [],
    unselectedVolumeIds: [],
    dbInstanceIds: [],
    clusterMemberIds: [],
    clusterIds: [],
  };
  const volumes = out.estate.volumes ?? [];
  let n = 0;
  const volumeId = () => `vol-${hex(serial, n++)}`;
  for (let i = 0; i < shape.lineVolumes; i++) {
    const id = volumeId();
    volumes.push({
      region: REGION,
      id,
      sizeGiB: 20,
      type: "gp3",
      availabilityZone: AZ,
      outpostArn: FACTORY_ARN,
      tags: tagged,
    });
    out.lineVolumeIds.push(id);
  }
  const untagged = volumeId();
  volumes.push({
    region: REGION,
    id: untagged,
    sizeGiB: 20,
    type: "gp3",
    availabilityZone: AZ,
    outpostArn: FACTORY_ARN,
    tags: { Name: "scratch" },
  });
  const inRegion = volumeId();
  volumes.push({
    region: REGION,
    id: inRegion,
    sizeGiB: 20,
    type: "gp3",
    availabilityZone: AZ,
    tags: tagged,
  });
  out.unselectedVolumeIds.push(untagged, inRegion);

  for (let i = 0; i < shape.instances; i++) {
    const instanceId = `i-${hex(serial, i)}`;
    const ids = [volumeId(), volumeId(), volumeId()];
    ids.forEach((id, d) => {
      volumes.push({
        region: REGION,
        id,
        sizeGiB: 50,
        type: "gp3",
        availabilityZone: AZ,
        outpostArn: CLINIC_ARN,
        tags: { Name: `${instanceId}-disk${d}` },
        attachments: [{ instanceId, device: d === 0 ? "/dev/xvda" : `/dev/xvd${"bc"[d - 1]}` }],
      });
    });
    out.estate.instances?.push({
      region: REGION,
      id: instanceId,
      availabilityZone: AZ,
      outpostArn: CLINIC_ARN,
      rootDeviceName: "/dev/xvda",
      tags: { Backup: "outpost-ops", Name: `clinic-${i}` },
      volumeIds: ids,
    });
    out.instanceIds.push(instanceId);
    out.bootVolumeIds.push(ids[0] ?? "");
    out.dataVolumeIds.push(...ids.slice(1));
  }

  const db = `orders-db-${serial}`;
  out.estate.dbInstances?.push(
    { region: REGION, id: db, engine: "postgres", status: "available", tags: { Backup: "outpost-ops" } },
    { region: REGION, id: `reporting-${serial}`, engine: "postgres", status: "available", tags: {} },
  );
  out.dbInstanceIds.push(db);
  const cluster = `inventory-${serial}`;
  const members = [`${cluster}-writer`, `${cluster}-reader`];
  out.estate.dbClusters?.push({
    region: REGION,
    id: cluster,
    engine: "aurora-postgresql",
    status: "available",
    members,
    tags: { Backup: "outpost-ops" },
  });
  for (const m of members)
    out.estate.dbInstances?.push({
      region: REGION,
      id: m,
      engine: "aurora-postgresql",
      status: "available",
      clusterId: cluster,
      tags: { Backup: "outpost-ops" },
    });
  out.clusterIds.push(cluster);
  out.clusterMemberIds.push(...members);
  return out;
}

/** The tags the snapshot job writes, for seeding snapshots "it took" earlier. */
export function managedTags(
  policy: string,
  schedule: string,
  source: string,
  at: Date,
): Record<string, string> {
  return {
    "outpost-ops:managed": "true",
    "outpost-ops:policy": policy,
    "outpost-ops:schedule": schedule,
    "outpost-ops:source": source,
    "outpost-ops:window": `${at.toISOString().slice(0, 16)}Z`,
  };
}

export const DAY_MS = 86_400_000;

/** `days` daily managed snapshots of each volume before `before` (newest first in the returned ids). */
export function seedDailyEbs(
  volumeIds: string[],
  days: number,
  before: Date,
  serial: number,
): { snapshots: NonNullable<Estate["snapshots"]>; idsByVolume: Map<string, string[]> } {
  const snapshots: NonNullable<Estate["snapshots"]> = [];
  const idsByVolume = new Map<string, string[]>();
  let n = 0;
  for (const volumeId of volumeIds) {
    const ids: string[] = [];
    for (let d = 1; d <= days; d++) {
      const at = new Date(before.getTime() - d * DAY_MS);
      const id = `snap-${hex(serial, n++)}`;
      snapshots.push({
        region: REGION,
        id,
        volumeId,
        startTime: at.toISOString(),
        state: "completed",
        tags: managedTags("line", "daily", volumeId, at),
      });
      ids.push(id);
    }
    idsByVolume.set(volumeId, ids);
  }
  return { snapshots, idsByVolume };
}

export interface Harness {
  sb: Sandbox;
  clients: AwsClients;
  sqs: SQSClient;
  infra: Infrastructure;
  handlers: ReturnType<typeof drillHandlers>;
  /** The handlers' clock (see sandboxClock). */
  clock: Sleeper;
}

/**
 * EC2's eventual consistency is on in every harness: a snapshot created through the API stays out of
 * DescribeSnapshots (and is "not found" by id) for this long — on the sandbox clock, or the wall clock,
 * whichever passes it first (the sandbox's model). 2 s is "a few seconds", as AWS's own lag usually
 * is, and long enough that the worker's confirmation has to wait twice (its backoff is 1 s, then 2 s)
 * before the lookup lists what it created; its waits pass on the sandbox clock (sandboxClock), so the
 * delay costs no wall time.
 */
export const DESCRIBE_DELAY_MS = 2_000;

export interface HarnessOptions {
  config?: Config;
  maxAttempts?: number;
  start?: Date;
  /** EC2's DescribeSnapshots visibility delay; default DESCRIBE_DELAY_MS, 0 = off. */
  describeDelayMs?: number;
}

/**
 * A sandbox on port 0 with EC2's visibility delay on, clients through the real SDK, the queues and
 * topic, the handlers over them.
 */
export async function startHarness(options: HarnessOptions = {}) {
  const sb = await startSandbox({
    port: 0,
    describeVisibilityDelayMs: options.describeDelayMs ?? DESCRIBE_DELAY_MS,
    ...(options.start ? { startTime: options.start } : {}),
  });
  const clientOptions = {
    endpoint: sb.endpoint,
    credentials: CREDENTIALS,
    maxAttempts: options.maxAttempts ?? 8,
    requestTimeoutMs: 5_000,
  };
  // The production client configuration (retry mode included): tests exercise what runs in Lambda.
  const clients = createClients(clientOptions);
  const infra = await createInfrastructure(clients, REGION);
  const clock = sandboxClock(sb);
  const handlers = drillHandlers(options.config ?? testConfig(), clients, infra, clock);
  const harness: Harness = { sb, clients, sqs: clients.get(SQSClient, REGION), infra, handlers, clock };
  return harness;
}

/** Handlers for another config over the same sandbox, queues and clock. */
export function handlersFor(harness: Harness, config: Config) {
  return drillHandlers(config, harness.clients, harness.infra, harness.clock);
}

export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: [
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
      ],
    }),
  );
  const a = out.Attributes ?? {};
  return (
    Number(a.ApproximateNumberOfMessages ?? 0) +
    Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) +
    Number(a.ApproximateNumberOfMessagesDelayed ?? 0)
  );
}

/**
 * Drains with `pollers` emulated event source mappings at once (Lambda's maxConcurrency), until
 * nothing is visible.
 */
export async function drain(
  harness: Harness,
  which: "snapshot" | "retention",
  pollers = 1,
): Promise<DrainResult> {
  const queueUrl = queueOf(harness.infra, `${which}-work`).url;
  const handler: Handler =
    which === "snapshot" ? harness.handlers.snapshotWork : harness.handlers.retentionWork;
  const results = await Promise.all(
    Array.from({ length: pollers }, () =>
      drainQueue({ sqs: harness.sqs, queueUrl, region: REGION, handler, functionName: `${which}-work` }),
    ),
  );
  return results.reduce(
    (a, b) => ({
      invocations: a.invocations + b.invocations,
      records: a.records + b.records,
      failedRecords: a.failedRecords + b.failedRecords,
    }),
    { invocations: 0, records: 0, failedRecords: 0 },
  );
}

/**
 * Drains, then lets the sandbox clock pass the visibility timeout (drainQueue receives with 300 s)
 * so failed records come back, until the queue is empty or `rounds` are spent.
 */
export async function drainUntilEmpty(
  harness: Harness,
  which: "snapshot" | "retention",
  rounds = 10,
): Promise<DrainResult & { rounds: number }> {
  const queueUrl = queueOf(harness.infra, `${which}-work`).url;
  const total = { invocations: 0, records: 0, failedRecords: 0, rounds: 0 };
  for (let round = 0; round < rounds; round++) {
    const r = await drain(harness, which);
    total.invocations += r.invocations;
    total.records += r.records;
    total.failedRecords += r.failedRecords;
    total.rounds += 1;
    if ((await queueDepth(harness.sqs, queueUrl)) === 0) break;
    harness.sb.clock.advance(301_000);
  }
  return total;
}

/** Captures the run summaries the handlers log (the workers' outcomes are only visible there). */
export function captureSummaries(): { summaries: RunSummary[]; restore: () => void } {
  const summaries: RunSummary[] = [];
  const spy = vi.spyOn(logger, "info").mockImplementation((...args: unknown[]) => {
    const [message, extra] = args;
    if (message === "run summary" && typeof extra === "object" && extra !== null && "summary" in extra)
      summaries.push((extra as { summary: RunSummary }).summary);
  });
  return { summaries, restore: () => spy.mockRestore() };
}

/** Snapshots (not deleted) whose tag `key` equals `value`. */
export function snapshotsTagged(sb: Sandbox, key: string, value: string) {
  return sb.state.snapshots(REGION).filter((s) => s.tags[key] === value);
}

/** How many snapshots each source has for one window. */
export function perSource(
  sb: Sandbox,
  window: string,
  sourceTag = "outpost-ops:source",
): Map<string, number> {
  const counts = new Map<string, number>();
  for (const s of sb.state.snapshots(REGION)) {
    if (s.tags["outpost-ops:window"] !== window) continue;
    const source = s.tags[sourceTag];
    if (source !== undefined) counts.set(source, (counts.get(source) ?? 0) + 1);
  }
  return counts;
}

export { lambdaContext, scheduledEvent } from "outpost-ops/src/drill/lambda.ts";

type Next = (args: unknown) => Promise<{ output: { $metadata?: { attempts?: number } } }>;
interface WithStack {
  middlewareStack: {
    add(middleware: (next: Next) => Next, options: { step: "initialize"; name: string }): void;
    remove(name: string): boolean;
  };
}

/** Counts the retries the SDK made (and absorbed) on these clients' successful calls. */
export function countSdkRetries(clients: object[]): { count: number; stop: () => void } {
  const name = `count-retries-${Math.random().toString(36).slice(2)}`;
  const counter = { count: 0, stop: () => {} };
  const stacks = clients as WithStack[];
  for (const client of stacks)
    client.middlewareStack.add(
      (next) => async (args) => {
        const out = await next(args);
        counter.count += Math.max(0, (out.output.$metadata?.attempts ?? 1) - 1);
        return out;
      },
      { step: "initialize", name },
    );
  counter.stop = () => {
    for (const client of stacks) client.middlewareStack.remove(name);
  };
  return counter;
}
