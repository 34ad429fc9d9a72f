/**
 * The drill's watch over the DR copies, read from the sandbox's state (AWS's truth) rather than from
 * what the copy job believes: at every step it counts the copies in flight into the DR Region per
 * service (pending snapshots there that carry our lineage tag), remembers every snapshot it saw there
 * (so DR retention's deletions can be judged by the tags the snapshot had), and measures how long
 * the backlog left by the copy outage takes to drain. At the end it reads the recovery points the
 * way `outpost-ops status` does (core: readCopyState + recoveryOf).
 */
import type { AwsClients } from "@outpost-ops/core/aws/clients";
import type { Config } from "@outpost-ops/core/config";
import { COPY_LIMITS, type CopyService, serviceOf } from "@outpost-ops/core/copy/plan";
import { formatAge } from "@outpost-ops/core/copy/recovery";
import { readCopyState, recoveryOf } from "@outpost-ops/core/jobs/copy";
import { Tag } from "@outpost-ops/core/tags";
import type { Sandbox, SnsMessageView } from "@outpost-ops/sandbox";

/** One snapshot of the DR Region as last seen. */
interface Seen {
  kind: CopyService;
  tags: Record<string, string>;
  state: "pending" | "completed" | "failed";
  /** Seen completed at some step (a deleted copy was). */
  completed: boolean;
  /** When it was started (EBS StartTime, RDS SnapshotCreateTime): a copy completes copyCompletionMs later. */
  startedAt: number;
}

/** A copy the outage left waiting: its resource needs a DR point at least this new. */
interface BacklogItem {
  policy: string;
  resource: string;
  service: CopyService;
  sourceTime: number;
}

export interface RecoveryRow {
  policy: string;
  resource: string;
  rpo: string;
  local?: { snapshotId: string; at: string };
  regional?: { snapshotId: string; at: string };
  dr?: { snapshotId: string; at: string };
  /** Age of the DR point at the end ("never": no DR copy). */
  drAge: string;
  withinRpo: boolean;
  code: string;
  reason: string;
}

export interface CopyReport {
  destination: string;
  /** How long a copy takes in the sandbox (copyCompletionMs). */
  copyMinutes: number;
  /** The scripted outage of the copy path, when the span covers it. */
  outage?: { from: string; to: string; how: string };
  /** "Snapshot Copy Started" events on the DR bus, and copies seen completed there. */
  started: number;
  completed: number;
  /** The most of our copies in flight into the DR Region observed at any step, per service. */
  peakInFlight: Record<CopyService, { copies: number; at?: string }>;
  /** The same for every copy into the DR Region, ours and other tools' (AWS's limit counts them all). */
  peakInFlightAll: Record<CopyService, { copies: number; at?: string }>;
  limits: Record<CopyService, number>;
  /** What the outage left to copy, and when the last of it reached the DR Region. */
  backlog?: {
    at: string;
    copies: number;
    byService: Record<CopyService, number>;
    drainedAt?: string;
    drainMinutes?: number;
  };
  /** Every protected resource of a copy policy at the end, as `outpost-ops status` shows it. */
  recovery: RecoveryRow[];
  /** Resources each copy policy protects in the drill's estate (`policy/resource`). */
  expected: string[];
  /** SNS messages in the DR Region's alert topic from the copy job (failed copies). */
  failureAlerts: { subject: string; message: string }[];
  retention: {
    /** Snapshots retention deleted in the DR Region. */
    deleted: number;
    /** Of those, DR copies outpost-ops made (managed tag and lineage). */
    copies: number;
    /** Deleted snapshots that were not ours (no managed tag), or that the drill never saw: must be none. */
    notOurs: string[];
    /** The DR Region's snapshots that must survive (made by hand, another tool's copy) that did not. */
    lost: string[];
  };
  /**
   * Source snapshots with more than one DR copy that did not fail (each should have one): the source,
   * and its copies.
   */
  duplicates: { source: string; copies: string[] }[];
  /** Copies made without a "Snapshot Copy Started" event, and DR deletions without "Snapshot Deleted". */
  missingEvents: { started: string[]; deleted: string[] };
  /** The copy job's alarms created in the sandbox, and the state changes they sent (once evaluated). */
  alarms: string[];
  alarmChanges: { region: string; alarm: string; state: string; at: string }[];
}

/** RDS says "copying" while a copy runs (and "creating" for a snapshot being taken). */
const RDS_PENDING = new Set(["copying", "creating", "pending"]);

export class CopyWatch {
  readonly seen = new Map<string, Seen>();
  readonly peak: Record<CopyService, { copies: number; at?: string }> = {
    ebs: { copies: 0 },
    rds: { copies: 0 },
  };
  readonly peakAll: Record<CopyService, { copies: number; at?: string }> = {
    ebs: { copies: 0 },
    rds: { copies: 0 },
  };
  backlog?: { at: Date; items: BacklogItem[]; drainedAt?: Date };

  constructor(
    private readonly sandbox: Pick<Sandbox, "state" | "clock">,
    readonly destination: string,
    /** The sandbox's copyCompletionMs: when a copy seen completed did complete. */
    private readonly copyCompletionMs: number,
  ) {}

  /** Counts the copies in flight now and remembers what the DR Region holds. */
  sample(): void {
    const region = this.destination;
    const now = this.sandbox.clock.now();
    const ours: Record<CopyService, number> = { ebs: 0, rds: 0 };
    const all: Record<CopyService, number> = { ebs: 0, rds: 0 };
    const see = (
      id: string,
      kind: CopyService,
      tags: Record<string, string>,
      state: Seen["state"],
      startedAt: Date,
    ) => {
      this.seen.set(id, {
        kind,
        tags,
        state,
        completed: state === "completed" || this.seen.get(id)?.completed === true,
        startedAt: startedAt.getTime(),
      });
      if (state !== "pending" || tags[Tag.sourceSnapshot] === undefined) return;
      ours[kind] += 1;
    };
    for (const s of this.sandbox.state.snapshots(region)) {
      if (s.state === "pending" && s.sourceRegion !== undefined) all.ebs += 1;
      see(s.snapshotId, "ebs", s.tags, s.state === "error" ? "failed" : s.state, s.startTime);
    }
    for (const s of [
      ...this.sandbox.state.dbSnapshots(region),
      ...this.sandbox.state.dbClusterSnapshots(region),
    ]) {
      const pending = RDS_PENDING.has(s.status);
      if (pending && s.sourceSnapshotArn !== undefined) all.rds += 1;
      see(
        s.id,
        "rds",
        s.tags,
        pending ? "pending" : s.status === "available" ? "completed" : "failed",
        s.createdAt,
      );
    }
    for (const service of ["ebs", "rds"] as const) {
      if (ours[service] > this.peak[service].copies)
        this.peak[service] = { copies: ours[service], at: now.toISOString() };
      if (all[service] > this.peakAll[service].copies)
        this.peakAll[service] = { copies: all[service], at: now.toISOString() };
    }
    const backlog = this.backlog;
    if (backlog && !backlog.drainedAt) {
      const done = backlog.items.map((item) => this.pointReached(item));
      if (done.every((t) => t !== undefined))
        backlog.drainedAt = new Date(Math.max(backlog.at.getTime(), ...(done as number[])));
    }
  }

  /** The backlog the copy scheduler finds when it comes back: every copy it would start or queue. */
  async startBacklog(input: { clients: AwsClients; config: Config; at: Date }): Promise<void> {
    const state = await readCopyState({ ...input, now: input.at, destination: this.destination });
    const items = [...state.plan.start, ...state.plan.queued].map((r) => ({
      policy: r.policy,
      resource: r.resource,
      service: serviceOf(r.kind),
      sourceTime: r.source.createdAt.getTime(),
    }));
    this.backlog = { at: input.at, items };
  }

  /**
   * When the resource got a completed DR copy of its policy at least as new as the waiting source
   * (the earliest such copy's completion time), or undefined while it has none.
   */
  private pointReached(item: BacklogItem): number | undefined {
    let best: number | undefined;
    for (const s of this.seen.values()) {
      if (!s.completed || s.tags[Tag.policy] !== item.policy) continue;
      const resource = s.tags[Tag.instance] ?? s.tags[Tag.sourceVolume] ?? s.tags[Tag.source];
      const at = Date.parse(s.tags[Tag.sourceTime] ?? "");
      if (resource !== item.resource || !(at >= item.sourceTime)) continue;
      const completedAt = s.startedAt + this.copyCompletionMs;
      if (best === undefined || completedAt < best) best = completedAt;
    }
    return best;
  }

  /** The report's copy section, from the watch, a final read of AWS and the DR Region's alerts and events. */
  async report(input: {
    clients: AwsClients;
    config: Config;
    end: Date;
    copyCompletionMs: number;
    outage?: CopyReport["outage"];
    expected: string[];
    drUntouchable: Map<string, string>;
    alarms: string[];
    alarmChanges: CopyReport["alarmChanges"];
  }): Promise<CopyReport> {
    this.sample();
    const region = this.destination;
    const state = await readCopyState({
      clients: input.clients,
      config: input.config,
      now: input.end,
      destination: region,
      withResources: true,
    });
    const iso = (p?: { snapshotId: string; at: Date }) =>
      p ? { snapshotId: p.snapshotId, at: p.at.toISOString() } : undefined;
    const recovery = recoveryOf(state, input.config).map((r): RecoveryRow => {
      const local = iso(r.local);
      const regional = iso(r.regional);
      const dr = iso(r.dr);
      return {
        policy: r.policy,
        resource: r.resource,
        rpo: formatAge(r.rpoMs),
        ...(local ? { local } : {}),
        ...(regional ? { regional } : {}),
        ...(dr ? { dr } : {}),
        drAge: formatAge(r.drAgeMs ?? Number.POSITIVE_INFINITY),
        withinRpo: r.withinRpo,
        code: r.code,
        reason: r.reason,
      };
    });

    const events = this.sandbox.state.events(region).filter((e) => e.source === "outpost-ops");
    const idsOf = (type: string) =>
      new Set(
        events
          .filter((e) => e["detail-type"] === type)
          .flatMap((e) => (e.detail as { snapshotIds?: string[] }).snapshotIds ?? []),
      );
    const startedIds = idsOf("Snapshot Copy Started");
    const deletedIds = idsOf("Snapshot Deleted");
    const copies = [...this.seen].filter(([, s]) => s.tags[Tag.sourceSnapshot] !== undefined);
    const deleted = this.sandbox.state.deleted(region);
    const notOurs = deleted.filter((id) => this.seen.get(id)?.tags[Tag.managed] !== "true");
    const present = new Set([
      ...this.sandbox.state.snapshots(region).map((s) => s.snapshotId),
      ...this.sandbox.state.dbSnapshots(region).map((s) => s.id),
      ...this.sandbox.state.dbClusterSnapshots(region).map((s) => s.id),
    ]);
    const backlog = this.backlog;
    const byService = { ebs: 0, rds: 0 };
    for (const item of backlog?.items ?? []) byService[item.service] += 1;
    return {
      destination: region,
      copyMinutes: input.copyCompletionMs / 60_000,
      ...(input.outage ? { outage: input.outage } : {}),
      started: startedIds.size,
      completed: copies.filter(([, s]) => s.completed).length,
      peakInFlight: this.peak,
      peakInFlightAll: this.peakAll,
      limits: { ...COPY_LIMITS },
      ...(backlog
        ? {
            backlog: {
              at: backlog.at.toISOString(),
              copies: backlog.items.length,
              byService,
              ...(backlog.drainedAt
                ? {
                    drainedAt: backlog.drainedAt.toISOString(),
                    drainMinutes: Math.round((backlog.drainedAt.getTime() - backlog.at.getTime()) / 60_000),
                  }
                : {}),
            },
          }
        : {}),
      recovery,
      expected: input.expected,
      failureAlerts: copyFailureAlerts(this.sandbox.state.snsMessages(region)),
      retention: {
        deleted: deleted.length,
        copies: deleted.filter((id) => {
          const tags = this.seen.get(id)?.tags;
          return tags?.[Tag.managed] === "true" && tags[Tag.sourceSnapshot] !== undefined;
        }).length,
        notOurs,
        lost: [...input.drUntouchable]
          .filter(([id]) => !present.has(id))
          .map(([id, why]) => `${id} (${why})`),
      },
      duplicates: duplicatesOf(copies),
      missingEvents: {
        started: copies.map(([id]) => id).filter((id) => !startedIds.has(id)),
        deleted: deleted.filter((id) => !deletedIds.has(id)),
      },
      alarms: input.alarms,
      alarmChanges: input.alarmChanges,
    };
  }
}

function duplicatesOf(copies: [string, Seen][]): CopyReport["duplicates"] {
  const bySource = new Map<string, string[]>();
  for (const [id, s] of copies) {
    if (s.state === "failed" && !s.completed) continue;
    const key = `${s.kind}:${s.tags[Tag.sourceSnapshot]}`;
    bySource.set(key, [...(bySource.get(key) ?? []), id]);
  }
  return [...bySource].filter(([, ids]) => ids.length > 1).map(([source, ids]) => ({ source, copies: ids }));
}

/**
 * The copy job's failure alerts: copies that failed on every attempt, or that AWS refused for good.
 * Its RPO and KMS alarms are relayed with job `copy` too, but they are not failures: the RPO alarm
 * rightly fires until the first DR copies exist, and recovers.
 */
export function copyFailureAlerts(messages: SnsMessageView[]): CopyReport["failureAlerts"] {
  return messages
    .filter((m) => m.messageAttributes.job?.value === "copy" && !isAlarmRelay(m.message))
    .map((m) => ({ subject: m.subject ?? "", message: m.message }));
}

/** The alarm relay's alerts say the state change (core/alerts/alarm.ts). */
export function isAlarmRelay(message: string): boolean {
  return /^State: \S+ -> \S+\.$/m.test(message);
}
