/**
 * P3 copy backlog: N completed managed snapshots in the primary Region that the policy copies to the
 * DR Region, and the DR copy scheduler as deployed in both Regions (LiveDeployment: the copy-ticks
 * FIFO queue and its event source mapping, the EBS event rules with the primary's forwarding, and the
 * scheduler's backstop schedule fired on the scaled clock). The sandbox allows 20 copies in flight
 * into the destination (AWS's limit, ResourceLimitExceeded beyond it); every copy takes COPY_MINUTES.
 *
 * The backlog is found by the backstop tick (seeded snapshots emit no events, like snapshots that
 * completed while the copy path was down); from then on, slots are refilled by the copies' own
 * completion events, as deployed.
 *
 * Figures, all on the scaled clock, from the copies the sandbox holds (their start times, and a
 * completion COPY_MINUTES later: exact, no sampling error):
 * - P3: mean copies in flight over [first copy started, last copy started] (a backlog waits all
 *   that time), / 20;
 * - P3.quota-errors: ResourceLimitExceeded answers surfaced as failures or alerts (failed outcomes,
 *   copy failure alerts, function errors, dead letters); the refused calls themselves are in the note;
 * - P3.slot-to-copy: for each slot freed while the backlog waits, the time until a copy fills it
 *   (the k-th completion's slot is the (20+k)-th start's): mean, p95 and max in the note.
 */
import { EC2Client } from "@aws-sdk/client-ec2";
import { type Config, parseConfig } from "@outpost-ops/core/config";
import { COPY_LIMITS } from "@outpost-ops/core/copy/plan";
import type { RunSummary } from "@outpost-ops/core/summary";
import { Tag } from "@outpost-ops/core/tags";
import { type Estate, startSandbox } from "@outpost-ops/sandbox";
import { copyFailureAlerts } from "../packages/cli/src/drill/copies.ts";
import { type Benchmark, countFigure, type Figures, figure } from "./lib/figure.ts";
import { LiveDeployment, wallSleep } from "./lib/live.ts";
import { ScaledTime } from "./lib/scaled-time.ts";

const PRIMARY = "us-west-2";
const DR = "us-east-1";
const KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab";
const KEY = `arn:aws:kms:${DR}:123456789012:key/${KEY_ID}`;
/** Two seconds before a backstop tick (the schedule fires on whole ten minutes). */
const START = new Date("2024-06-03T11:59:58Z");
/** How long one copy takes: real EBS copies take minutes (small, incremental) to hours. */
const COPY_MINUTES = 5;
const COPY_MS = COPY_MINUTES * 60_000;
const LIMIT = COPY_LIMITS.ebs;
/** Wall ms between samples of the copies in flight (a cross-check of the exact figure). */
const SAMPLE_EVERY_MS = 100;

const SIZES = { full: { snapshots: 1_000, scale: 60 }, small: { snapshots: 60, scale: 120 } } as const;

function benchConfig(): Config {
  return parseConfig({
    regions: { primary: PRIMARY, dr: DR },
    alerts: { emails: [] },
    policies: [
      {
        name: "fleet",
        resource: "ebs-volume",
        selector: { tags: { Backup: "dr" } },
        schedules: [{ name: "hourly", expression: "rate(1 hour)", retention: { keepLast: 24 } }],
        copy: { rpo: "6h", kmsKeyArn: KEY },
      },
    ],
  });
}

const volumeId = (i: number) => `vol-${(i + 1).toString(16).padStart(17, "0")}`;

/** `n` tagged volumes, each with one completed managed snapshot half an hour old; the DR key. */
function estate(n: number): Estate {
  const taken = new Date(START.getTime() - 30 * 60_000);
  const ids = Array.from({ length: n }, (_, i) => volumeId(i));
  return {
    volumes: ids.map((id) => ({
      region: PRIMARY,
      id,
      sizeGiB: 8,
      type: "gp3",
      availabilityZone: `${PRIMARY}a`,
      tags: { Backup: "dr" },
    })),
    snapshots: ids.map((v) => ({
      region: PRIMARY,
      volumeId: v,
      startTime: taken.toISOString(),
      state: "completed",
      tags: {
        [Tag.managed]: "true",
        [Tag.policy]: "fleet",
        [Tag.schedule]: "hourly",
        [Tag.source]: v,
        [Tag.window]: `${taken.toISOString().slice(0, 16)}Z`,
      },
    })),
    kmsKeys: [{ region: DR, id: KEY_ID }],
  };
}

export const run: Benchmark = async ({ size, progress }) => {
  const n = SIZES[size].snapshots;
  // P3_SCALE: another time scale, to see how much of a figure is our own wall time (BENCHMARKS.md).
  const scale = Number(process.env.P3_SCALE) || SIZES[size].scale;
  const sizeLabel = `${n} snapshots, ${COPY_MINUTES}-min copies`;
  const sandbox = await startSandbox({
    startTime: START,
    throttling: { timeScale: scale },
    copyCompletionMs: COPY_MS,
  });
  sandbox.seed(estate(n));
  const config = benchConfig();
  const time = new ScaledTime(scale, START);
  const stopClock = time.drive(sandbox);
  const live = await LiveDeployment.create({ sandbox, config, time, regions: [PRIMARY, DR] });

  // Every CopySnapshot answer by error code (the SDK does not retry ResourceLimitExceeded; a
  // throttled call is counted once per attempt by the sandbox, once here if its retries run out).
  const refusals = new Map<string, number>();
  live.clients.get(EC2Client, DR).middlewareStack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        if (context.commandName === "CopySnapshotCommand") {
          const code = (error as { name?: string }).name ?? "Unknown";
          refusals.set(code, (refusals.get(code) ?? 0) + 1);
        }
        throw error;
      }
    },
    { step: "initialize", name: "benchCopyRefusals" },
  );

  const copies = () => sandbox.state.snapshots(DR).filter((s) => s.sourceRegion !== undefined);
  // A light sample of the copies in flight: a cross-check of the exact figure, and the peak.
  const samples: { at: number; inFlight: number }[] = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const at = sandbox.clock.now().getTime();
      samples.push({ at, inFlight: copies().filter((s) => s.state === "pending").length });
      await wallSleep(SAMPLE_EVERY_MS);
    }
  })();

  sandbox.requests.reset();
  const wall0 = performance.now();
  live.start();
  live.fireSchedules((region, rule) => region === DR && rule.target === "copySchedule");
  progress(`${n} snapshots to copy into ${DR}, ${COPY_MINUTES} min each, time x${scale}`);
  const floorMinutes = Math.ceil(n / LIMIT) * COPY_MINUTES;
  try {
    await live.until(
      `${n} copies completed`,
      () => {
        const all = copies();
        return all.length >= n && all.every((s) => s.state !== "pending");
      },
      // Twice the floor's wall time, plus a minute for the first tick and our own work.
      (2 * floorMinutes * 60_000) / scale + 60_000,
      50,
    );
  } finally {
    sampling = false;
    await sampler;
    await live.stop();
    stopClock();
  }
  const wallS = (performance.now() - wall0) / 1000;

  const made = copies();
  const starts = made.map((s) => s.startTime.getTime()).sort((a, b) => a - b);
  const sources = new Set(made.map((s) => s.sourceSnapshotId));
  const first = starts[0] ?? 0;
  const last = starts[starts.length - 1] ?? 0;
  // Copies in flight, integrated over [first, last]: each copy is pending for COPY_MS from its start.
  let integral = 0;
  for (const s of starts) integral += Math.max(0, Math.min(s + COPY_MS, last) - Math.max(s, first));
  const span = last - first;
  const meanInFlight = span > 0 ? integral / span : LIMIT;
  const inWindow = samples.filter((x) => x.at >= first && x.at <= last);
  const sampledMean =
    inWindow.length > 0 ? inWindow.reduce((a, x) => a + x.inFlight, 0) / inWindow.length : Number.NaN;
  const peak = Math.max(0, ...samples.map((x) => x.inFlight));

  // Slot to copy: the k-th completion (in time order) frees the slot the (LIMIT+k)-th start fills.
  const completions = starts.map((s) => s + COPY_MS);
  const gaps: number[] = [];
  for (let k = 0; k + LIMIT < starts.length; k++)
    gaps.push(((starts[k + LIMIT] as number) - (completions[k] as number)) / 1000);
  const sorted = [...gaps].sort((a, b) => a - b);
  const mean = gaps.length ? gaps.reduce((a, b) => a + b, 0) / gaps.length : 0;
  const p95 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))] ?? 0;
  const max = sorted[sorted.length - 1] ?? 0;

  // What the job surfaced: failed outcomes, copy failure alerts, function errors, dead letters.
  const runs = live.invocations.filter((i) => i.fn === "copySchedule");
  const summaries = runs
    .map((i) => (i.result as { summary?: RunSummary } | undefined)?.summary)
    .filter((s): s is RunSummary => s !== undefined);
  const failedOutcomes = summaries.reduce((a, s) => a + s.failed, 0);
  const alerts = copyFailureAlerts(sandbox.state.snsMessages(DR)).length;
  const errors = runs.filter((i) => i.error !== undefined).length;
  const dlq = live.infra(DR).queues["copy-ticks"]?.dlqUrl.split("/").pop() ?? "";
  const deadLetters = dlq ? sandbox.state.queueMessages(DR, dlq).visible : 0;
  const surfaced = failedOutcomes + alerts + errors + deadLetters;
  const limitRefusals = refusals.get("ResourceLimitExceeded") ?? 0;
  const copyCalls = sandbox.requests.count("CopySnapshot");
  const longest = Math.max(0, ...runs.map((i) => i.endMs - i.startMs)) / 1000;
  const meanRun = runs.length ? runs.reduce((a, i) => a + i.endMs - i.startMs, 0) / runs.length / 1000 : 0;
  await sandbox.close();

  progress(
    `${made.length} copies of ${sources.size} sources in ${Math.round(wallS)} s wall; ` +
      `${runs.length} scheduler runs (mean ${meanRun.toFixed(1)} s, longest ${longest.toFixed(1)} s scaled); ` +
      `in flight mean ${meanInFlight.toFixed(2)} (sampled ${sampledMean.toFixed(2)}), peak ${peak}; ` +
      `CopySnapshot calls ${copyCalls}, refusals ${JSON.stringify(Object.fromEntries(refusals))}`,
  );
  if (sources.size !== n || made.length !== n)
    throw new Error(`P3: expected ${n} copies of ${n} sources, got ${made.length} of ${sources.size}`);

  const scaleOf = { size: sizeLabel, timeScale: scale };
  const figures: Figures = {
    P3: figure({
      value: meanInFlight,
      floor: LIMIT,
      ratio: meanInFlight / LIMIT,
      goal: [">=", 0.9],
      unit: "copies in flight",
      scale: scaleOf,
      note: `floor: AWS's ${LIMIT} concurrent copies per destination; mean over the ${Math.round(span / 60_000)} min from the first copy started to the last (sampled every ${SAMPLE_EVERY_MS} ms wall: ${sampledMean.toFixed(2)}); ${runs.length} scheduler runs, mean ${meanRun.toFixed(1)} s scaled`,
    }),
    "P3.quota-errors": countFigure({
      value: surfaced,
      goal: ["<=", 0],
      unit: "failures+alerts",
      scale: scaleOf,
      note: `ResourceLimitExceeded answers: ${limitRefusals} (retried silently: the next tick), of ${copyCalls} CopySnapshot calls for ${n} copies; surfaced = failed outcomes ${failedOutcomes} + copy alerts ${alerts} + function errors ${errors} + dead letters ${deadLetters}`,
    }),
    "P3.slot-to-copy": figure({
      value: mean,
      floor: 0,
      ratio: mean,
      goal: ["<=", 30],
      unit: "s",
      scale: scaleOf,
      note: `mean over ${gaps.length} freed slots (p95 ${p95.toFixed(1)} s, max ${max.toFixed(1)} s, scaled); goal: a ${COPY_MINUTES}-min copy keeps P3 >= 0.90 only if its slot waits <= ${(COPY_MS / 9 / 1000).toFixed(0)} s, so <= 30 s`,
    }),
  };
  return figures;
};
