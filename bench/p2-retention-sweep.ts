/**
 * P2 retention sweep (issue 10): 100,000 managed snapshots in one Region, 10,000 of them due for
 * deletion (10 per volume, keepLast 9: the oldest of each). The retentionSweep planner runs once on a
 * scheduled event, in a process of its own (bench/p2-planner-container.ts: a Lambda container, whose
 * RSS is sampled while it runs); its deletions go through the retention-work queue to the
 * retentionWork containers that the queue's event source mapping runs (jobs.ts: standard queue,
 * batchSize 5, maxConcurrency 2), until the sandbox has deleted all 10,000.
 *
 * - P2.pages: DescribeSnapshots calls of the planner / ceil(N / 1000) (MaxResults 1000), goal <= 1.05.
 * - P2.delete-rate: deletes per second between the 101st and the last delete (scaled time), against
 *   the DeleteSnapshot bucket's refill of 5/s; goal >= 0.90. The bucket's burst of 100 is left out:
 *   it is the refill a sweep can sustain, and a design that spent the burst first would otherwise
 *   gain up to 100 deletes for free (1 % at full size, half of the small size's 200).
 * - P2.peak-rss: the planner invocation's peak resident set, goal <= 256 MB.
 * - P2.failures: planner errors, worker errors, batch item failures, dead-lettered work items,
 *   snapshots not deleted or deleted that were not due; goal 0.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parseConfig } from "@outpost-ops/core/config";
import type { RunSummary } from "@outpost-ops/core/summary";
import { startSandbox } from "@outpost-ops/sandbox";
import type { SQSBatchResponse } from "aws-lambda";
import { build } from "esbuild";
import type { App } from "sst/constructs";
import { scheduledEvent } from "../packages/cli/src/drill/lambda.ts";
import { variablesFor } from "../packages/cli/src/drill/wiring.ts";
import { defaultFunctionProps } from "../stacks/defaults.ts";
import { REPO_ROOT, sstEsbuildOptions } from "./lib/bundle.ts";
import { type Benchmark, countFigure, type Figures, figure } from "./lib/figure.ts";
import { LiveDeployment } from "./lib/live.ts";
import { ScaledTime } from "./lib/scaled-time.ts";
import type { ContainerSetup, FromContainer, ToContainer } from "./p2-planner-container.ts";

const REGION = "us-west-2";
/** The retention schedule's minute (cron(15 * * * ? *)) on the day the estate is seeded for. */
const START = new Date("2024-06-01T00:15:00Z");
const DAY_MS = 86_400_000;
/** Snapshots per volume: one a day for 10 days; keepLast 9 makes the oldest of each due. */
const PER_VOLUME = 10;
const KEEP_LAST = PER_VOLUME - 1;
/** DescribeSnapshots MaxResults (AWS-LIMITS.md). */
const PAGE = 1000;
/** The DeleteSnapshot bucket (AWS-LIMITS.md): refill per second and burst. */
const DELETE_REFILL_PER_S = 5;
const DELETE_BURST = 100;
const RSS_GOAL_MB = 256;
const MB = 1_048_576;
/** 10,000 deletes at 5/s = 2,000 s scaled = 100 s wall. */
const TIME_SCALE = 20;

export const run: Benchmark = async ({ size, progress }) => {
  const total = size === "full" ? 100_000 : 2_000;
  const volumeCount = total / PER_VOLUME;
  const scale = { size: `${total.toLocaleString("en-US")} snapshots`, timeScale: TIME_SCALE };
  const configInput = {
    regions: { primary: REGION, dr: "us-east-1" },
    outposts: [
      { name: "factory", arn: "arn:aws:outposts:us-west-2:123456789012:outpost/op-0a1b2c3d4e5f60718" },
    ],
    alerts: { emails: [] },
    // The cap must let the sweep's 10 % through (the default stops at 1,000 and alerts instead).
    retention: { maxDeletesPerRun: volumeCount },
    policies: [
      {
        name: "fleet",
        resource: "ebs-volume",
        selector: { tags: { Backup: "daily" } },
        schedules: [{ name: "daily", expression: "cron(0 0 * * ? *)", retention: { keepLast: KEEP_LAST } }],
      },
    ],
  };
  const config = parseConfig(configInput);

  progress(`seeding ${total} managed snapshots of ${volumeCount} volumes`);
  const sandbox = await startSandbox({ startTime: START, throttling: { timeScale: TIME_SCALE } });
  const volumeId = (v: number) => `vol-${v.toString(16).padStart(17, "0")}`;
  const snapshotId = (i: number) => `snap-${i.toString(16).padStart(17, "0")}`;
  const due = new Set<string>();
  sandbox.seed({
    volumes: Array.from({ length: volumeCount }, (_, v) => ({
      region: REGION,
      id: volumeId(v),
      sizeGiB: 10,
      type: "gp3" as const,
      availabilityZone: "us-west-2a",
      tags: { Backup: "daily" },
    })),
    snapshots: Array.from({ length: total }, (_, i) => {
      const v = i % volumeCount;
      const ageDays = Math.floor(i / volumeCount) + 1;
      if (ageDays === PER_VOLUME) due.add(snapshotId(i));
      return {
        region: REGION,
        id: snapshotId(i),
        volumeId: volumeId(v),
        startTime: new Date(START.getTime() - ageDays * DAY_MS).toISOString(),
        state: "completed" as const,
        tags: {
          "outpost-ops:managed": "true",
          "outpost-ops:policy": "fleet",
          "outpost-ops:schedule": "daily",
          "outpost-ops:source": volumeId(v),
        },
      };
    }),
  });

  const time = new ScaledTime(TIME_SCALE, START);
  const stopDriving = time.drive(sandbox);
  const live = await LiveDeployment.create({ sandbox, config, time, regions: [REGION] });
  const infra = live.infra(REGION);
  const container = await PlannerContainer.start({
    endpoint: sandbox.endpoint,
    config: configInput,
    env: variablesFor("retentionSweep", infra),
    scale: TIME_SCALE,
  });
  try {
    live.start();
    sandbox.requests.reset();
    progress(`planner container ready (RSS ${mb(container.ready.loadedRss)} MB loaded); sweeping`);
    let rss: Extract<FromContainer, { type: "result" }> | undefined;
    const sweep = await live.invoke(
      REGION,
      "retentionSweep",
      scheduledEvent(new Date(time.now()), REGION, "RetentionSchedule"),
      async (event, context) => {
        rss = await container.invoke({
          type: "invoke",
          event,
          nowMs: time.now(),
          remainingMs: context.getRemainingTimeInMillis(),
        });
        if (rss.error !== undefined) throw new Error(`retentionSweep failed: ${rss.error}`);
        return rss.result;
      },
    );
    const plannerPages = sandbox.requests.count("DescribeSnapshots");
    const summary = sweep.result as RunSummary;
    if (summary.planned !== due.size)
      throw new Error(`Benchmark: the planner planned ${summary.planned} deletions, expected ${due.size}`);
    progress(
      `planned ${summary.planned} of ${summary.selected} in ${Math.round((sweep.endMs - sweep.startMs) / 1000)} s scaled, ${summary.enqueued} work items; deleting`,
    );

    // 4/s (two workers at 2/s) would take 1.25× the floor; allow three times that, plus a minute.
    const wallBudgetMs = ((due.size / DELETE_REFILL_PER_S) * 1000 * 3) / TIME_SCALE + 60_000;
    await live.until(
      "every due snapshot deleted",
      () => sandbox.state.deleted(REGION).length >= due.size,
      wallBudgetMs,
      50,
    );
    await live.stop();

    const deletions = sandbox.state.deletions(REGION);
    const times = deletions.map((d) => d.at.getTime()).sort((a, b) => a - b);
    const first = times[Math.min(DELETE_BURST, times.length - 1)] ?? 0;
    const last = times[times.length - 1] ?? 0;
    const counted = times.length - 1 - Math.min(DELETE_BURST, times.length - 1);
    const ratePerS = last > first ? counted / ((last - first) / 1000) : 0;
    const allPages = sandbox.requests.count("DescribeSnapshots");
    const deleteCalls = sandbox.requests.count("DeleteSnapshot");

    const workers = live.invocations.filter((i) => i.fn === "retentionWork");
    const workerErrors = workers.filter((i) => i.error !== undefined).length;
    const itemFailures = workers.reduce(
      (n, i) => n + ((i.result as SQSBatchResponse | undefined)?.batchItemFailures?.length ?? 0),
      0,
    );
    const retention = infra.queues["retention-work"];
    const dlq = retention
      ? sandbox.state.queueMessages(REGION, retention.dlqUrl.split("/").pop() ?? "")
      : undefined;
    const deadLettered = dlq ? dlq.visible + dlq.inFlight + dlq.delayed : 0;
    const deletedIds = new Set(deletions.map((d) => d.id));
    const notDue = [...deletedIds].filter((id) => !due.has(id)).length;
    const notDeleted = [...due].filter((id) => !deletedIds.has(id)).length;
    const failures = workerErrors + itemFailures + deadLettered + notDue + notDeleted;

    const { ready } = container;
    const peak = Math.max(rss?.peakRss ?? 0, rss?.vmHwm ?? 0);
    const pagesFloor = Math.ceil(total / PAGE);
    const figures: Figures = {
      "P2.pages": figure({
        value: plannerPages,
        floor: pagesFloor,
        ratio: plannerPages / pagesFloor,
        goal: ["<=", 1.05],
        unit: "pages",
        scale,
        note: `floor ceil(${total}/${PAGE}) DescribeSnapshots pages (MaxResults ${PAGE}); counted from the sweep's start to its end (${allPages} by the end of the run: the workers make none)`,
      }),
      "P2.delete-rate": figure({
        value: ratePerS,
        floor: DELETE_REFILL_PER_S,
        ratio: ratePerS / DELETE_REFILL_PER_S,
        goal: [">=", 0.9],
        unit: "deletes/s",
        scale,
        note: `DeleteSnapshot refill ${DELETE_REFILL_PER_S}/s; rate from the ${DELETE_BURST + 1}st to the last of ${times.length} deletes (burst of ${DELETE_BURST} excluded), scaled time; ${deleteCalls} DeleteSnapshot calls (${deleteCalls - times.length} throttled and retried), ${workers.length} worker invocations`,
      }),
      "P2.peak-rss": countFigure({
        value: peak / MB,
        goal: ["<=", RSS_GOAL_MB],
        unit: "MB",
        scale,
        note: `planner container (own process): peak of ${rss?.samples ?? 0} samples every 20 ms ${mb(rss?.peakRss ?? 0)} MB, VmHWM ${rss?.vmHwm !== undefined ? `${mb(rss.vmHwm)} MB` : "n/a"}; bare process ${mb(ready.bareRss)} MB, handler loaded ${mb(ready.loadedRss)} MB; V8 heap peak ${mb(rss?.peakHeap.used ?? 0)} MB used of ${mb(rss?.peakHeap.total ?? 0)}, external ${mb(rss?.peakHeap.external ?? 0)} MB (${lambdaHeapFlags().join(" ")}, as Lambda sizes it for ${functionMemoryMb()} MB)`,
      }),
      "P2.failures": countFigure({
        value: failures,
        goal: ["<=", 0],
        unit: "failures",
        scale,
        note: `worker errors ${workerErrors}, batch item failures ${itemFailures}, dead-lettered ${deadLettered}, deleted not due ${notDue}, due not deleted ${notDeleted}`,
      }),
    };
    return figures;
  } finally {
    await live.stop();
    await container.close();
    stopDriving();
    await sandbox.close();
  }
};

function mb(bytes: number): number {
  return Math.round(bytes / MB);
}

/**
 * The V8 heap a Lambda container of the function's memory size runs with. Lambda's Node.js bootstrap
 * (/var/runtime/bootstrap) sizes V8's old space from AWS_LAMBDA_FUNCTION_MEMORY_SIZE, about 90 % of
 * it, the rest left to the young generation and to buffers; without it V8 sizes the heap from this
 * machine's RAM (up to 4 GB) and, with that much room, collects garbage late: the RSS measured would
 * be this machine's, not a 512 MB container's.
 */
function lambdaHeapFlags(): string[] {
  return [`--max-old-space-size=${Math.floor(functionMemoryMb() * 0.9)}`];
}

/** The functions' memory size (stacks/defaults.ts). */
function functionMemoryMb(): number {
  const size = defaultFunctionProps({ stage: "bench" } as App).memorySize ?? 1024;
  return typeof size === "number" ? size : Number.parseInt(size, 10);
}

/**
 * bench/p2-planner-container.ts bundled as `sst deploy` bundles a function (SST v2's esbuild options
 * for `nodejs: { format: "esm", minify: true }`, stacks/defaults.ts; SDK bundled), so the container
 * runs the JavaScript Lambda would load with plain `node`: under tsx, the loader's thread and its
 * transformed sources of every module would add ~120 MB that no Lambda container has.
 */
async function bundleContainer(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "p2-planner-"));
  const outfile = join(dir, "container.mjs");
  // No source map: the container only runs it.
  await build({
    ...sstEsbuildOptions(outfile),
    entryPoints: [join(REPO_ROOT, "bench/p2-planner-container.ts")],
    sourcemap: false,
    metafile: false,
  });
  return outfile;
}

/** The planner's Lambda container: a child process running bench/p2-planner-container.ts, bundled. */
export class PlannerContainer {
  private waiting: ((message: FromContainer) => void) | undefined;
  private exited: string | undefined;

  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly ready: Extract<FromContainer, { type: "ready" }>,
  ) {}

  static async start(setup: ContainerSetup): Promise<PlannerContainer> {
    const script = await bundleContainer();
    const child = spawn(process.execPath, [...lambdaHeapFlags(), script], {
      cwd: REPO_ROOT,
      // Its stdout is not the benchmark's (which carries the figures).
      stdio: ["ignore", 2, 2, "ipc"],
      env: { ...process.env, P2_CONTAINER: JSON.stringify(setup) },
    });
    const ready = await new Promise<FromContainer>((resolve, reject) => {
      child.once("message", (m) => resolve(m as FromContainer));
      child.once("exit", (code) => reject(new Error(`Benchmark: the planner container exited (${code})`)));
    });
    if (ready.type !== "ready") throw new Error(`Benchmark: the planner container said ${ready.type}`);
    const container = new PlannerContainer(child, dirname(script), ready);
    child.on("message", (m) => container.waiting?.(m as FromContainer));
    child.on("exit", (code, signal) => {
      container.exited = `exited (${code ?? signal})`;
    });
    return container;
  }

  async invoke(message: ToContainer): Promise<Extract<FromContainer, { type: "result" }>> {
    if (this.exited) throw new Error(`Benchmark: the planner container ${this.exited}`);
    const answer = new Promise<FromContainer>((resolve, reject) => {
      this.waiting = resolve;
      this.child.once("exit", (code, signal) =>
        reject(new Error(`Benchmark: the planner container exited (${code ?? signal}) mid-invocation`)),
      );
    });
    this.child.send(message);
    const result = await answer;
    this.waiting = undefined;
    if (result.type !== "result") throw new Error(`Benchmark: the planner container said ${result.type}`);
    return result;
  }

  async close(): Promise<void> {
    if (this.child.connected) this.child.disconnect();
    if (this.child.exitCode === null) this.child.kill();
    await rm(this.dir, { recursive: true, force: true });
  }
}
