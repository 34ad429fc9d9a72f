/**
 * P1, the snapshot sweep (BENCHMARKS.md): one schedule window of a policy over 10,000 EBS volumes in
 * one Region (`P1`), and over 2,500 four-volume instances taken as CreateSnapshots sets (`P1-sets`),
 * through the deployment as it runs (bench/lib/live.ts): the snapshotWindow planner invoked with the
 * scheduled event, the snapshot-work queue's event source mapping running its pollers, each its own
 * container and pacer, against the sandbox's EC2 token buckets in scaled time.
 *
 * Figures per sweep:
 * - time: floor / actual, from the scheduled event to the last snapshot created (its StartTime). The
 *   floor is the create bucket's: burst 100, then 5/s, so max(0, N - 100) / 5 s for N calls;
 * - failures: items without exactly one snapshot of the window (missing or duplicated), invocations
 *   that failed, and messages left on the dead-letter queue;
 * - longest invocation: the invocation closest to its timeout, as a fraction of it (never past it);
 * - calls: EC2 calls made (throttled ones included) / the plan's minimum, i.e. the inventory pages
 *   (1,000 per page: the volumes', or the instances' and their volumes'), one create per volume (or
 *   instance), and one window lookup.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { parseConfig } from "@outpost-ops/core/config";
import { type Sandbox, startSandbox } from "@outpost-ops/sandbox";
import { scheduledEvent } from "../packages/cli/src/drill/lambda.ts";
import { type Benchmark, countFigure, type Figure, type Figures, figure } from "./lib/figure.ts";
import { LiveDeployment } from "./lib/live.ts";
import { ScaledTime } from "./lib/scaled-time.ts";

const REGION = "us-west-2";
const DR = "us-east-1";
/** The window's start: the sweep's schedule fires at midnight. */
const START = new Date("2024-06-01T00:00:00Z");
/** AWS's CreateSnapshot and CreateSnapshots buckets (AWS-LIMITS.md): the floor. */
const BUCKET = { burst: 100, refillPerSecond: 5 };
/** DescribeVolumes / DescribeInstances return up to 1,000 per page. */
const PAGE = 1_000;
/** Every operation the sandbox's EC2 serves: the calls counted. */
const EC2_OPERATIONS = [
  "DescribeVolumes",
  "DescribeInstances",
  "DescribeSnapshots",
  "DescribeImages",
  "CreateSnapshot",
  "CreateSnapshots",
  "DeleteSnapshot",
  "CopySnapshot",
  "CreateTags",
  "DeleteTags",
];
const VOLUMES_PER_INSTANCE = 4;

interface Sweep {
  kind: "volumes" | "sets";
  /** Volumes (kind volumes) or instances (kind sets): one create call each. */
  count: number;
  timeScale: number;
}

const SIZES: Record<"full" | "small", Sweep[]> = {
  full: [
    // Scales this 2-core machine keeps up with (event-loop lag in the notes): the sandbox's own CPU
    // per call (a DescribeSnapshots scans every snapshot of the Region) is multiplied by the scale.
    { kind: "volumes", count: 10_000, timeScale: 10 },
    { kind: "sets", count: 2_500, timeScale: 5 },
  ],
  small: [
    { kind: "volumes", count: 300, timeScale: 20 },
    { kind: "sets", count: 300, timeScale: 20 },
  ],
};

export const run: Benchmark = async ({ size, progress }) => {
  const figures: Figures = {};
  for (const sweep of SIZES[size]) {
    const id = sweep.kind === "volumes" ? "P1" : "P1-sets";
    Object.assign(figures, prefixed(id, await runSweep(sweep, size, (m) => progress(`${id}: ${m}`))));
  }
  return figures;
};

function prefixed(id: string, figures: Record<string, Figure>): Figures {
  return Object.fromEntries(Object.entries(figures).map(([k, f]) => [k === "" ? id : `${id}.${k}`, f]));
}

function configFor(sweep: Sweep) {
  return parseConfig({
    regions: { primary: REGION, dr: DR },
    alerts: { emails: [] },
    policies: [
      {
        name: "fleet",
        resource: sweep.kind === "volumes" ? "ebs-volume" : "ec2-instance",
        selector: { tags: { Backup: "daily" } },
        schedules: [{ name: "daily", expression: "cron(0 0 * * ? *)", retention: { keepLast: 7 } }],
      },
    ],
  });
}

function seed(sandbox: Sandbox, sweep: Sweep): string[] {
  const hex = (i: number, prefix: string) => `${prefix}-${i.toString(16).padStart(17, "0")}`;
  if (sweep.kind === "volumes") {
    const volumes = Array.from({ length: sweep.count }, (_, i) => ({
      region: REGION,
      id: hex(i, "vol"),
      sizeGiB: 10,
      type: "gp3" as const,
      availabilityZone: `${REGION}a`,
      tags: { Backup: "daily" },
    }));
    sandbox.seed({ volumes });
    return volumes.map((v) => v.id);
  }
  const volumes = Array.from({ length: sweep.count * VOLUMES_PER_INSTANCE }, (_, i) => ({
    region: REGION,
    id: hex(i, "vol"),
    sizeGiB: 10,
    type: "gp3" as const,
    availabilityZone: `${REGION}a`,
    attachments: [
      {
        instanceId: hex(Math.floor(i / VOLUMES_PER_INSTANCE), "i"),
        device:
          i % VOLUMES_PER_INSTANCE === 0 ? "/dev/xvda" : `/dev/sd${"fgh"[(i % VOLUMES_PER_INSTANCE) - 1]}`,
      },
    ],
  }));
  const instances = Array.from({ length: sweep.count }, (_, i) => ({
    region: REGION,
    id: hex(i, "i"),
    availabilityZone: `${REGION}a`,
    rootDeviceName: "/dev/xvda",
    tags: { Backup: "daily" },
    volumeIds: volumes.slice(i * VOLUMES_PER_INSTANCE, (i + 1) * VOLUMES_PER_INSTANCE).map((v) => v.id),
  }));
  sandbox.seed({ volumes, instances });
  return volumes.map((v) => v.id);
}

function ec2Calls(sandbox: Sandbox): Record<string, number> {
  return Object.fromEntries(
    EC2_OPERATIONS.map((op) => [op, sandbox.requests.count(op)]).filter(([, n]) => (n as number) > 0),
  );
}

async function runSweep(sweep: Sweep, size: string, progress: (m: string) => void) {
  const scale = { size: `${size} (${describe(sweep)})`, timeScale: sweep.timeScale };
  const time = new ScaledTime(sweep.timeScale, START);
  const sandbox = await startSandbox({ startTime: START, throttling: { timeScale: sweep.timeScale } });
  const stopClock = time.drive(sandbox);
  const lag = monitorEventLoopDelay({ resolution: 10 });
  const config = configFor(sweep);
  const volumeIds = seed(sandbox, sweep);
  const live = await LiveDeployment.create({ sandbox, config, time, regions: [REGION] });
  const expected = volumeIds.length;
  const floorS = Math.max(0, sweep.count - BUCKET.burst) / BUCKET.refillPerSecond;
  progress(
    `${describe(sweep)}, time scale ${sweep.timeScale}: floor ${floorS} s (${floorS / sweep.timeScale} s wall)`,
  );
  try {
    live.start();
    lag.enable();
    sandbox.requests.reset();
    const t0 = time.now();
    await live.invoke(
      REGION,
      "snapshotWindow",
      scheduledEvent(START, REGION, "SnapshotSchedule_fleet_daily"),
    );
    progress(`planned in ${Math.round((time.now() - t0) / 1000)} s (scaled)`);
    const wallBudgetMs = Math.max(60_000, (floorS / sweep.timeScale) * 3_000 + 60_000);
    // Reading the sandbox's snapshots builds a view of every one (10,000): it is read only once the
    // create calls made (throttled ones included) could have made them all.
    const createOp = sweep.kind === "volumes" ? "CreateSnapshot" : "CreateSnapshots";
    let reported = 0;
    await live.until(
      `${expected} snapshots`,
      () => {
        const calls = sandbox.requests.count(createOp);
        if (calls - reported >= sweep.count / 10) {
          reported = calls;
          progress(`${calls}/${sweep.count} ${createOp} calls at ${Math.round((time.now() - t0) / 1000)} s`);
        }
        return calls >= sweep.count && sandbox.state.snapshots(REGION).length >= expected;
      },
      wallBudgetMs,
      250,
    );
    const snapshots = sandbox.state.snapshots(REGION);
    const lastCreate = Math.max(...snapshots.map((s) => s.startTime.getTime()));
    const actualS = (lastCreate - t0) / 1000;
    // The last batch still confirms its creates: drain the queue before reading invocations and calls.
    const queueName = (live.infra(REGION).queues["snapshot-work"]?.url ?? "").split("/").pop() ?? "";
    await live.until(
      "the snapshot-work queue to drain",
      () => {
        const q = sandbox.state.queueMessages(REGION, queueName);
        return q.visible + q.inFlight + q.delayed === 0;
      },
      60_000,
    );
    await live.stop();
    lag.disable();
    const calls = ec2Calls(sandbox);
    const made = Object.values(calls).reduce((a, b) => a + b, 0);
    // Sets: the instances' pages and their volumes' (the planner reads each instance's volumes).
    const inventoryPages =
      Math.ceil(sweep.count / PAGE) + (sweep.kind === "sets" ? Math.ceil(expected / PAGE) : 0);
    const minimum = inventoryPages + sweep.count + 1;

    const perVolume = new Map<string, number>();
    for (const s of snapshots) perVolume.set(s.volumeId, (perVolume.get(s.volumeId) ?? 0) + 1);
    const missing = volumeIds.filter((v) => !perVolume.has(v)).length;
    const duplicated = [...perVolume.values()].filter((n) => n > 1).length;
    const failedInvocations = live.invocations.filter((i) => i.error !== undefined).length;
    const dlqName = queueName.replace(/\.fifo$/, "-dlq.fifo");
    const dlq = sandbox.state.queueMessages(REGION, dlqName);
    const failures = missing + duplicated + failedInvocations + dlq.visible + dlq.inFlight;

    const longest = live.invocations.reduce((a, b) =>
      (b.endMs - b.startMs) / b.timeoutMs > (a.endMs - a.startMs) / a.timeoutMs ? b : a,
    );
    const longestS = (longest.endMs - longest.startMs) / 1000;
    const lagNote = `event-loop lag p99 ${Math.round(lag.percentile(99) / 1e6)} ms, max ${Math.round(lag.max / 1e6)} ms wall`;
    progress(
      `done: ${actualS.toFixed(1)} s (floor ${floorS} s); calls ${JSON.stringify(calls)}; ${lagNote}; ${live.invocations.length} invocations`,
    );
    return {
      "": figure({
        value: actualS,
        floor: floorS,
        ratio: floorS / actualS,
        goal: [">=", 0.9],
        unit: "s",
        scale,
        note: `floor = (${sweep.count} - ${BUCKET.burst} burst) / ${BUCKET.refillPerSecond}/s ${sweep.kind === "volumes" ? "CreateSnapshot" : "CreateSnapshots"} bucket; schedule event to the last StartTime; ${lagNote}`,
      }),
      failures: countFigure({
        value: failures,
        goal: ["<=", 0],
        unit: "items",
        scale,
        note: `${missing} missing, ${duplicated} duplicated, ${failedInvocations} failed invocations, ${dlq.visible + dlq.inFlight} on the DLQ`,
      }),
      "longest-invocation": figure({
        value: longestS,
        floor: longest.timeoutMs / 1000,
        ratio: longestS / (longest.timeoutMs / 1000),
        goal: ["<=", 1],
        unit: "s",
        scale,
        note: `${longest.fn}: the invocation closest to its timeout (floor column = the timeout); ratio = duration / timeout`,
      }),
      calls: figure({
        value: made,
        floor: minimum,
        ratio: made / minimum,
        goal: ["<=", 1.05],
        unit: "calls",
        scale,
        note: `min = ${inventoryPages} inventory page(s) + ${sweep.count} creates + 1 window lookup; made ${Object.entries(
          calls,
        )
          .map(([op, n]) => `${n} ${op}`)
          .join(", ")}`,
      }),
    };
  } finally {
    await live.stop();
    lag.disable();
    stopClock();
    await sandbox.close();
  }
}

function describe(sweep: Sweep): string {
  return sweep.kind === "volumes"
    ? `${sweep.count.toLocaleString("en")} volumes`
    : `${sweep.count.toLocaleString("en")} instances x ${VOLUMES_PER_INSTANCE} volumes`;
}
