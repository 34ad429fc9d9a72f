/**
 * Events for what a copy scheduler run did: one per copy it started (`Snapshot Copy Started`, the
 * copy's id with the source as lineage), refused (`Snapshot Skipped`: a KMS key, a source gone) or
 * failed to start (`Work Item Failed`). Copies that wait for a slot or a limit publish nothing: they
 * are not outcomes yet, and `status` shows them.
 */
import type { CopyRequest } from "../copy/plan.ts";
import type { CopyRun } from "../jobs/copy.ts";
import type { ItemOutcome } from "../jobs/outcome.ts";
import { Tag } from "../tags.ts";
import { DetailType, type OutpostOpsEvent } from "./event.ts";
import { detailTypeOf, type EventContext, event } from "./from-outcomes.ts";

const TYPE = { ebs: "ebs-snapshot", rds: "rds-snapshot", aurora: "aurora-snapshot" } as const;

function copyEvent(request: CopyRequest, outcome: ItemOutcome, ctx: EventContext): OutpostOpsEvent[] {
  const detailType = outcome.status === "created" ? DetailType.copyStarted : detailTypeOf(outcome);
  if (!detailType) return [];
  const id = outcome.snapshotIds[0] ?? request.targetId ?? request.source.id;
  return [
    event(detailType, ctx, {
      job: "copy",
      outcome: outcome.status,
      code: outcome.code,
      reason: outcome.detail,
      resource: {
        type: TYPE[request.kind],
        id,
        region: outcome.snapshotIds.length > 0 ? request.destination : request.sourceRegion,
      },
      snapshotIds: outcome.snapshotIds,
      policy: request.policy,
      lineage: {
        sourceId: request.resource,
        sourceRegion: request.sourceRegion,
        sourceSnapshotId: request.source.id,
        schedule: request.schedule,
        ...(request.source.tags[Tag.window] ? { window: request.source.tags[Tag.window] } : {}),
      },
    }),
  ];
}

/**
 * @example await publishEvents(rt, copyRunEvents(run, eventContext(rt, context, now)))
 */
export function copyRunEvents(run: CopyRun, ctx: EventContext): OutpostOpsEvent[] {
  const byKey = new Map([...run.state.plan.start, ...run.state.plan.queued].map((r) => [r.key, r]));
  return run.outcomes.flatMap((o) => {
    const request = byKey.get(o.key);
    return request ? copyEvent(request, o, ctx) : [];
  });
}
