/**
 * The drill's capacity phase, modelled on the failover phase (failover.ts): it gives the example
 * Outposts their S3 on Outposts capacity and the metrics AWS publishes (capacity-estate.ts), plays
 * the squeeze and the storage fill (capacity-script.ts), and records around the primary
 * deployment's real capacity handlers what each run answered. What happened is read from the
 * sandbox (the alert topic, the alarms' state changes, the snapshots and their states), not from
 * what the functions say; the weekly report is compared with `outpost-ops capacity`, run as the
 * CLI runs it, at the same moment.
 */
import { performance } from "node:perf_hooks";
import type { Config } from "@outpost-ops/core/config";
import type { RunSummary } from "@outpost-ops/core/summary";
import { Tag } from "@outpost-ops/core/tags";
import type { Estate, Sandbox } from "@outpost-ops/sandbox";
import { type CapacityCommandRun, capacityByCommand } from "./capacity-command.ts";
import { capacitySeries } from "./capacity-estate.ts";
import {
  BASE_OTHER_USE_GIB,
  type CapacityScript,
  otherUseAt,
  placesOn,
  STORAGE_GIB,
  scriptSteps,
} from "./capacity-script.ts";
import type { Handler } from "./lambda.ts";
import type { RegionDeployment } from "./simulate.ts";

/**
 * How often the drill runs the capacity monitor (deployed: capacity.schedule, every 5 minutes). A
 * run discovers types, reconciles the alarms and publishes the CPU gauge: 11 SDK calls, ~20-30 ms
 * of CPU here; every 5 minutes over 21 days that is 6,048 runs, more requests than the rest of the
 * drill, and stepping every 5 minutes doubles the steps. Hourly, the slowest the config allows
 * (capacity.schedule must run at least hourly): its alarms exist from its first run (the drill's
 * first minute), the sandbox evaluates them on its own clock whatever the monitor does, no type is
 * added or removed during the drill, and the CPU alarms, whose period follows the deployed schedule,
 * see a gauge datapoint an hour instead of one a period (missing data is not breaching). Only the
 * number of CPU datapoints changes, nothing the phase checks.
 */
export const MONITOR_EVERY_MINUTES = 60;

/** One run of the capacity alarm handler, as it answered. */
export interface AlarmRunRecord {
  at: string;
  alarm: string;
  state: string;
  previousState?: string;
  /** "alert warning", "resolved", "eased to warning", "silent: why". */
  decision: string;
  /** The title of the alert it published. */
  published?: string;
  error?: string;
}

/** One run of the capacity monitor. */
export interface MonitorRunRecord {
  at: string;
  put: string[];
  deleted: string[];
  wallMs: number;
}

/** One run of the weekly report, and `outpost-ops capacity` run at the same moment. */
export interface ReportRunRecord {
  at: string;
  /** The report's alerts (one per Outpost), as the topic received them. */
  messages: { subject: string; message: string }[];
  cli?: CapacityCommandRun;
  error?: string;
}

/** A snapshot of an Outpost-placed policy as last seen in the sandbox. */
export interface PlacedSnapshot {
  id: string;
  volumeId: string;
  policy: string;
  schedule: string;
  window: string;
  outpostArn?: string;
  state: string;
  /** Its Description (the planner writes a placement note there). */
  description?: string;
}

export class CapacityPhase {
  readonly alarmRuns: AlarmRunRecord[] = [];
  readonly monitorRuns: MonitorRunRecord[] = [];
  readonly reportRuns: ReportRunRecord[] = [];
  /** Snapshots of the policies that place them on the fill's Outpost, by id, as last seen. */
  readonly placed = new Map<string, PlacedSnapshot>();
  /** Every snapshot of the primary Region seen in state `error`, whatever its policy. */
  readonly errors = new Map<string, PlacedSnapshot>();
  /** Free local storage (percent) at each fill step, as the sandbox models it. */
  readonly freeAt: { at: string; freePercent: number; freeGiB: number }[] = [];
  /** The policies whose snapshots the fill moves: placed on an Outpost, and its Outpost among theirs. */
  private readonly placedPolicies: Set<string>;
  /** The fill's other use as last set (GiB). */
  private otherNow?: number;

  constructor(
    private readonly sandbox: Sandbox,
    private readonly config: Config,
    readonly script: CapacityScript,
    private readonly access: {
      endpoint: string;
      credentials: { accessKeyId: string; secretAccessKey: string };
    },
  ) {
    const fill = script.fill;
    this.placedPolicies = new Set(
      fill ? config.policies.filter((p) => placesOn(p, fill.outpost)).map((p) => p.name) : [],
    );
  }

  get region(): string {
    return this.config.regions.primary;
  }

  /** Each Outpost's S3 on Outposts capacity here, in TiB. */
  get storageTiB(): number {
    return STORAGE_GIB / 1024;
  }

  /** OutpostFreeBytes of an Outpost as the sandbox published it, and its capacity in bytes. */
  storageSeries(outpostId: string): { free: { at: Date; value: number }[]; total: number } {
    const dims = { OutpostId: outpostId };
    const free = this.sandbox.metrics.get(this.region, "S3Outposts", "OutpostFreeBytes", dims);
    const total = this.sandbox.metrics.get(this.region, "S3Outposts", "OutpostTotalBytes", dims).at(-1);
    return { free, total: total?.value ?? 0 };
  }

  /**
   * The codes the snapshot planner's summaries noted (RunSummary.noted: the planned items' caveats,
   * local-storage-low among them), per minute it ran, every rule and delivery of that minute together.
   */
  planNotes(summaries: readonly RunSummary[]): { at: string; codes: string[] }[] {
    const byMinute = new Map<string, Set<string>>();
    for (const s of summaries) {
      if (s.job !== "snapshot" || s.phase !== "plan") continue;
      const key = s.at.slice(0, 16);
      const codes = byMinute.get(key) ?? new Set<string>();
      for (const [code, n] of Object.entries(s.noted ?? {})) if ((n ?? 0) > 0) codes.add(code);
      byMinute.set(key, codes);
    }
    return [...byMinute].map(([at, codes]) => ({ at, codes: [...codes] }));
  }

  /** The minutes the simulation must step at for the script. */
  steps(): Date[] {
    return scriptSteps(this.script);
  }

  /**
   * Every Outpost's S3 on Outposts capacity and other use, then every series of the span (the
   * seam the sandbox offers for AWS/* metrics). Before the deployments are created: the stack's
   * alarms are evaluated as they are created, and must find their data.
   */
  prepare(input: {
    start: Date;
    end: Date;
    /** The estate as seeded (its Outposts are seeded again with their capacity, instance types kept). */
    estate: Estate;
    /** Outpost ids whose ConnectedStatus another phase writes. */
    connectedElsewhere: ReadonlySet<string>;
  }): void {
    const region = this.region;
    const outposts = (input.estate.outposts ?? []).filter((o) => o.region === region);
    // The other use first, then the capacity: the sandbox publishes its first tick as it learns of it.
    for (const o of outposts)
      this.sandbox.outposts.setOtherStorageUse(region, o.id, this.otherUse(o.id, input.start.getTime()));
    this.sandbox.seed({ outposts: outposts.map((o) => ({ ...o, snapshotStorageGiB: STORAGE_GIB })) });
    if (this.script.fill) this.otherNow = this.otherUse(this.script.fill.outpostId, input.start.getTime());
    for (const s of capacitySeries({
      estate: input.estate,
      region,
      script: this.script,
      start: input.start,
      end: input.end,
      connectedElsewhere: input.connectedElsewhere,
    }))
      this.sandbox.metrics.put(s.region, s.namespace, s.name, s.dimensions, s.points);
  }

  /** The other use of an Outpost's S3 capacity at `ms` (GiB). */
  private otherUse(outpostId: string, ms: number): number {
    const f = this.script.fill;
    if (!f || f.outpostId !== outpostId) return BASE_OTHER_USE_GIB;
    if (ms < f.from.getTime() || ms >= f.freedAt.getTime()) return f.baseGiB;
    const local = this.sandbox.outposts.storage(this.region, outpostId).localSnapshotGiB;
    return otherUseAt(f, ms, local);
  }

  /**
   * Puts the recorders around the primary deployment's capacity handlers (the schedules and the
   * capacity alarms' rule call these).
   */
  wire(primary: RegionDeployment): void {
    const h = primary.handlers;
    h.capacityMonitor = this.recordMonitor(h.capacityMonitor);
    h.capacityAlarm = this.recordAlarm(h.capacityAlarm);
    h.capacityReport = this.recordReport(h.capacityReport);
  }

  /** At each step: the fill's other use, and what the Outpost-placed snapshots look like now. */
  onStep(at: Date): void {
    const f = this.script.fill;
    const t = at.getTime();
    if (f) {
      // Only when it moves: the sandbox keeps every value set, and reads them back for every tick.
      // Full is what the local snapshots the sandbox holds now leave (retention deletes some hourly).
      const other = this.otherUse(f.outpostId, t);
      if (other !== this.otherNow) this.sandbox.outposts.setOtherStorageUse(this.region, f.outpostId, other);
      this.otherNow = other;
      if (t >= f.from.getTime() - 3_600_000 && t <= f.settledAt.getTime()) {
        const s = this.sandbox.outposts.storage(this.region, f.outpostId);
        this.freeAt.push({
          at: at.toISOString(),
          freePercent: (100 * s.freeGiB) / s.totalGiB,
          freeGiB: s.freeGiB,
        });
      }
    }
    // Hourly (every window has been created by then), and at every step of the fill.
    const inFill = f && t >= f.from.getTime() && t <= f.settledAt.getTime() + 3_600_000;
    if (inFill || at.getUTCMinutes() === 0) this.sample();
  }

  /** Reads the sandbox's snapshots of the primary Region (AWS's truth). */
  sample(): void {
    for (const s of this.sandbox.state.snapshots(this.region)) {
      const tags = s.tags;
      const seen: PlacedSnapshot = {
        id: s.snapshotId,
        volumeId: s.volumeId,
        policy: tags[Tag.policy] ?? "",
        schedule: tags[Tag.schedule] ?? "",
        window: tags[Tag.window] ?? "",
        ...(s.outpostArn ? { outpostArn: s.outpostArn } : {}),
        state: s.state,
        ...(s.description ? { description: s.description } : {}),
      };
      if (this.placedPolicies.has(seen.policy)) this.placed.set(seen.id, seen);
      if (s.state === "error") this.errors.set(seen.id, seen);
    }
  }

  private recordMonitor(handler: Handler): Handler {
    return async (event, context) => {
      const at = this.sandbox.clock.now().toISOString();
      const started = performance.now();
      const answer = (await handler(event, context)) as { put?: string[]; deleted?: string[] };
      this.monitorRuns.push({
        at,
        put: answer?.put ?? [],
        deleted: answer?.deleted ?? [],
        wallMs: performance.now() - started,
      });
      return answer;
    };
  }

  private recordAlarm(handler: Handler): Handler {
    return async (event, context) => {
      const detail = (event?.detail ?? {}) as {
        alarmName?: string;
        state?: { value?: string };
        previousState?: { value?: string };
      };
      const base = {
        at: this.sandbox.clock.now().toISOString(),
        alarm: detail.alarmName ?? "?",
        state: detail.state?.value ?? "?",
        ...(detail.previousState?.value ? { previousState: detail.previousState.value } : {}),
      };
      try {
        const answer = await handler(event, context);
        this.alarmRuns.push({ ...base, ...describeAnswer(answer) });
        return answer;
      } catch (error) {
        this.alarmRuns.push({
          ...base,
          decision: "error",
          error: error instanceof Error ? error.message : String(error),
        });
        throw error;
      }
    };
  }

  private recordReport(handler: Handler): Handler {
    return async (event, context) => {
      const now = this.sandbox.clock.now();
      const before = this.sandbox.state.snsMessages(this.region).length;
      const record: ReportRunRecord = { at: String(event?.time ?? now.toISOString()), messages: [] };
      this.reportRuns.push(record);
      try {
        const answer = await handler(event, context);
        record.messages = this.sandbox.state
          .snsMessages(this.region)
          .slice(before)
          .filter((m) => m.messageAttributes.job?.value === "capacity")
          .map((m) => ({ subject: m.subject ?? "", message: m.message }));
        // The operator asks for the same view at the same moment, through the CLI's own code.
        record.cli = await capacityByCommand({
          sandbox: this.sandbox,
          config: this.config,
          endpoint: this.access.endpoint,
          at: new Date(record.at),
        });
        return answer;
      } catch (error) {
        record.error = error instanceof Error ? error.message : String(error);
        throw error;
      }
    };
  }
}

/** The alarm handler's answer, in a line: what it decided and the alert it published (its title). */
function describeAnswer(answer: unknown): Pick<AlarmRunRecord, "decision" | "published"> {
  const a = (answer ?? {}) as {
    decision?: { kind?: string; band?: string; to?: string; why?: string };
    published?: string;
    ignored?: string;
  };
  const d = a.decision;
  const decision = !d
    ? `ignored: ${a.ignored ?? "?"}`
    : d.kind === "alert"
      ? `alert${d.band ? ` ${d.band}` : ""}`
      : d.kind === "eased"
        ? `eased to ${d.to}`
        : d.kind === "silent"
          ? `silent: ${d.why}`
          : String(d.kind);
  return { decision, ...(a.published ? { published: a.published } : {}) };
}
