import type { Env } from "../http.ts";
import { type Snapshot, snapshotState } from "./model.ts";

/**
 * The EventBridge events EBS sends when snapshots settle (Amazon EBS User Guide, "Amazon EventBridge
 * for Amazon EBS", https://docs.aws.amazon.com/ebs/latest/userguide/ebs-cloud-watch-events.html), in the
 * shapes of its samples (/work/shared/events/ebs-snapshot-notification-*.json), quirks included:
 * - ARNs are written as the current docs write them, `arn:aws:ec2::REGION:snapshot/ID` (region in the
 *   account field, account empty);
 * - createSnapshots is documented under its own detail-type, "EBS Multi-Volume Snapshots Completion
 *   Status", with one event for the whole set and a `snapshots` list; it sends no per-volume
 *   createSnapshot events;
 * - startTime/endTime are camelCase, ISO 8601 to the second; `time` and endTime are the completion time;
 * - `request-id` carries the id of the API request that started the snapshot, `cause` is "" on success;
 * - a cross-Region copy's event is "emitted in the destination Region" (the docs' text; its sample's
 *   `region` contradicts it).
 * Seeded snapshots are not scheduled, so they emit nothing.
 */

export const ebsArn = (region: string, kind: "snapshot" | "volume", id: string) =>
  `arn:aws:ec2::${region}:${kind}/${id}`;

const isoSeconds = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");

const SOURCE = "aws.ec2";
const NOTIFICATION = "EBS Snapshot Notification";
const MULTI_VOLUME = "EBS Multi-Volume Snapshots Completion Status";

function result(states: string[]): "succeeded" | "failed" {
  return states.every((st) => st === "completed") ? "succeeded" : "failed";
}

/** The fields every one-snapshot notification carries, ready to be laid out in a sample's order. */
type Common = {
  event: "createSnapshot" | "copySnapshot";
  result: "succeeded" | "failed";
  cause: string;
  "request-id": string;
  snapshot_id: string;
  source: string;
  startTime: string;
  endTime: string;
};

/**
 * The one-snapshot "EBS Snapshot Notification" (createSnapshot, copySnapshot): sent when the
 * snapshot settles, unless it was deleted first; `layout` orders the detail as the matching sample.
 */
function notifySingle(
  env: Env,
  region: string,
  s: Snapshot,
  requestId: string,
  event: Common["event"],
  source: string,
  layout: (c: Common) => Record<string, string> = (c) => ({ ...c }),
): void {
  if (s.completeAtMs === undefined) return;
  env.settler.at(s.completeAtMs, (atMs) => {
    if (s.deleted) return;
    const arn = ebsArn(region, "snapshot", s.id);
    env.emit(region, {
      source: SOURCE,
      detailType: NOTIFICATION,
      resources: [arn],
      timeMs: atMs,
      detail: layout({
        event,
        result: result([snapshotState(s, atMs)]),
        cause: s.failure ?? "",
        "request-id": requestId,
        snapshot_id: arn,
        source,
        startTime: isoSeconds(s.startTime.getTime()),
        endTime: isoSeconds(atMs),
      }),
    });
  });
}

/** CreateSnapshot: one createSnapshot event when the snapshot settles (unless deleted first). */
export function notifyCreateSnapshot(env: Env, region: string, s: Snapshot, requestId: string): void {
  notifySingle(env, region, s, requestId, "createSnapshot", ebsArn(region, "volume", s.volumeId));
}

/** CreateSnapshots: one multi-volume event once every snapshot of the set has settled. */
export function notifyCreateSnapshots(env: Env, region: string, set: Snapshot[], requestId: string): void {
  const due = Math.max(...set.map((s) => s.completeAtMs ?? 0));
  env.settler.at(due, (atMs) => {
    const live = set.filter((s) => !s.deleted);
    if (live.length === 0) return;
    const states = live.map((s) => snapshotState(s, atMs));
    env.emit(region, {
      source: SOURCE,
      detailType: MULTI_VOLUME,
      resources: live.map((s) => ebsArn(region, "snapshot", s.id)),
      timeMs: atMs,
      detail: {
        event: "createSnapshots",
        result: result(states),
        cause: live.find((s) => s.failure !== undefined)?.failure ?? "",
        "request-id": requestId,
        startTime: isoSeconds(Math.min(...live.map((s) => s.startTime.getTime()))),
        endTime: isoSeconds(atMs),
        snapshots: live.map((s, n) => ({
          snapshot_id: ebsArn(region, "snapshot", s.id),
          source: ebsArn(region, "volume", s.volumeId),
          // The sample shows "completed"; for a failed member we report "failed" (not sampled).
          status: states[n] === "completed" ? "completed" : "failed",
        })),
      },
    });
  });
}

/**
 * CopySnapshot: one copySnapshot event in the destination Region when the copy settles. A standard
 * copy follows Scenario 1 of the EBS page; a time-based one (CompletionDurationMinutes) Scenario 2,
 * which orders startTime/endTime before snapshot_id and adds completionDurationStartTime (ISO 8601
 * with milliseconds, as sampled: when the copy was requested) before transferType. The duration is
 * always met here, so no "EBS Copy Snapshot Missed Completion Duration" event is sent.
 */
export function notifyCopySnapshot(
  env: Env,
  destination: string,
  copy: Snapshot,
  requestId: string,
  incremental: boolean,
): void {
  const source = ebsArn(copy.sourceRegion ?? destination, "snapshot", copy.sourceSnapshotId ?? "");
  const timeBased = copy.transferType === "time-based";
  notifySingle(
    env,
    destination,
    copy,
    requestId,
    "copySnapshot",
    source,
    (c): Record<string, string> =>
      timeBased
        ? {
            event: c.event,
            result: c.result,
            cause: c.cause,
            "request-id": c["request-id"],
            startTime: c.startTime,
            endTime: c.endTime,
            snapshot_id: c.snapshot_id,
            source: c.source,
            incremental: String(incremental),
            completionDurationStartTime: copy.startTime.toISOString(),
            transferType: "time-based",
          }
        : // "true"/"false" as a string, as in the sample.
          { ...c, incremental: String(incremental), transferType: "standard" },
  );
}
