import type { Env } from "../http.ts";
import { arnOf, type DbSnapshot } from "./model.ts";

/**
 * The EventBridge events RDS sends when a manual snapshot or a copy becomes available, in the shapes of
 * the RDS samples (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-cloudwatch-events.sample.html,
 * /work/shared/events/rds-*.json, key order included), with EventIDs and messages from "Amazon RDS event
 * categories and event messages" (USER_Events.Messages.html). Messages are written without the table's
 * trailing period, as the EventBridge samples write them; consumers should match on EventID.
 *
 * - CreateDBSnapshot: RDS-EVENT-0042 "Manual snapshot created" (creation), SourceType SNAPSHOT.
 * - CreateDBClusterSnapshot: RDS-EVENT-0075 "Manual cluster snapshot created" (backup), CLUSTER_SNAPSHOT.
 * - CopyDBSnapshot across Regions: RDS-EVENT-0060 "Finished copy of snapshot NAME from region NAME in
 *   N minutes" (notification), in the destination Region (the docs do not say which Region; public
 *   rules match it there). Within a Region: RDS-EVENT-0197 "Finished copy of snapshot NAME in region NAME".
 * - CopyDBClusterSnapshot: nothing. The catalogue documents no cluster-snapshot copy-completion event.
 * Seeded snapshots are not scheduled, so they emit nothing; a snapshot deleted before it settles neither.
 */

interface Catalogued {
  id: string;
  category: string;
  message: string;
}

export function notifyDbSnapshot(
  env: Env,
  region: string,
  s: DbSnapshot,
  live: () => boolean,
  event: Catalogued | undefined,
): void {
  if (event === undefined || s.availableAtMs === undefined) return;
  env.settler.at(s.availableAtMs, (atMs) => {
    if (!live()) return;
    const cluster = s.kind === "cluster";
    const arn = arnOf(env, region, cluster ? "cluster-snapshot" : "snapshot", s.id);
    const date = new Date(atMs).toISOString();
    // The two samples order SourceIdentifier and Message differently; each is kept as sampled.
    const detail = cluster
      ? {
          EventCategories: [event.category],
          SourceType: "CLUSTER_SNAPSHOT",
          SourceArn: arn,
          Date: date,
          SourceIdentifier: s.id,
          Message: event.message,
          EventID: event.id,
        }
      : {
          EventCategories: [event.category],
          SourceType: "SNAPSHOT",
          SourceArn: arn,
          Date: date,
          Message: event.message,
          SourceIdentifier: s.id,
          EventID: event.id,
        };
    env.emit(region, {
      source: "aws.rds",
      detailType: cluster ? "RDS DB Cluster Snapshot Event" : "RDS DB Snapshot Event",
      resources: [arn],
      timeMs: atMs,
      detail,
    });
  });
}

export const CREATED = {
  instance: { id: "RDS-EVENT-0042", category: "creation", message: "Manual snapshot created" },
  cluster: { id: "RDS-EVENT-0075", category: "backup", message: "Manual cluster snapshot created" },
} as const;

/** The copy-finished event of a DB snapshot copy (none is documented for cluster snapshots). */
export function copyFinished(
  kind: "instance" | "cluster",
  sourceName: string,
  sourceRegion: string,
  destination: string,
  durationMs: number,
): Catalogued | undefined {
  if (kind === "cluster") return undefined;
  if (sourceRegion === destination) {
    return {
      id: "RDS-EVENT-0197",
      category: "notification",
      message: `Finished copy of snapshot ${sourceName} in region ${destination}`,
    };
  }
  return {
    id: "RDS-EVENT-0060",
    category: "notification",
    message: `Finished copy of snapshot ${sourceName} from region ${sourceRegion} in ${Math.round(durationMs / 60_000)} minutes`,
  };
}
