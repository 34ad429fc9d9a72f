import { describe, expect, it } from "vitest";
import {
  deleteItemEvents,
  plannerSkipEvents,
  retentionSkipEvents,
  snapshotItemEvents,
} from "../../src/events/from-outcomes.ts";
import type { RetentionPlan } from "../../src/retention/plan.ts";
import type { SnapshotPlan } from "../../src/snapshot/plan.ts";
import type { DeleteWorkItem, SnapshotWorkItem } from "../../src/snapshot/work-item.ts";

const AT = new Date("2024-05-14T10:00:07Z");
const CTX = { stage: "prod", at: AT, account: "123456789012" };
const VOLUME_ITEM: SnapshotWorkItem = {
  kind: "ebs-volume",
  region: "us-west-2",
  policy: "line-volumes",
  schedule: "hourly",
  window: "2024-05-14T10:00Z",
  key: "line-volumes/vol-1/2024-05-14T10:00Z",
  tags: [],
  volumeId: "vol-1",
  description: "d",
};

describe("Function: snapshotItemEvents", () => {
  it("a created snapshot becomes one Snapshot Created event with its ARN, policy and lineage", () => {
    // Act
    const [event, ...rest] = snapshotItemEvents(
      VOLUME_ITEM,
      [
        {
          key: VOLUME_ITEM.key,
          status: "created",
          code: "created",
          snapshotIds: ["snap-1"],
          detail: "created snap-1",
        },
      ],
      CTX,
    );
    // Assess
    expect(rest).toEqual([]);
    expect(event).toEqual({
      detailType: "Snapshot Created",
      time: AT,
      resources: ["arn:aws:ec2:us-west-2::snapshot/snap-1"],
      detail: {
        version: 1,
        job: "snapshot",
        outcome: "created",
        code: "created",
        reason: "created snap-1",
        resource: { type: "ebs-snapshot", id: "snap-1", region: "us-west-2" },
        snapshotIds: ["snap-1"],
        policy: "line-volumes",
        lineage: { sourceId: "vol-1", schedule: "hourly", window: "2024-05-14T10:00Z" },
        stage: "prod",
      },
    });
  });

  it("a failure is a Work Item Failed event naming its code; a retry is no event yet", () => {
    const base = { key: VOLUME_ITEM.key, snapshotIds: [], detail: "x" };
    const failed = snapshotItemEvents(
      VOLUME_ITEM,
      [{ ...base, status: "failed", code: "access-denied" }],
      CTX,
    );
    const retry = snapshotItemEvents(VOLUME_ITEM, [{ ...base, status: "retry", code: "rate-limited" }], CTX);
    expect(failed.map((e) => [e.detailType, e.detail.code, e.detail.resource])).toEqual([
      ["Work Item Failed", "access-denied", { type: "resource", id: "vol-1", region: "us-west-2" }],
    ]);
    expect(failed[0]?.resources).toEqual([]);
    expect(retry).toEqual([]);
  });

  it("RDS snapshots get their ARN from the account", () => {
    const item: SnapshotWorkItem = {
      ...VOLUME_ITEM,
      kind: "rds-instance",
      dbInstanceId: "orders",
      snapshotId: "oo-x",
    };
    const [event] = snapshotItemEvents(
      item,
      [{ key: item.key, status: "created", code: "created", snapshotIds: ["oo-x"], detail: "created" }],
      CTX,
    );
    expect(event?.resources).toEqual(["arn:aws:rds:us-west-2:123456789012:snapshot:oo-x"]);
    expect(event?.detail.resource.type).toBe("rds-snapshot");
  });

  it("a failed RDS item names the snapshot it meant to create (its id is deterministic)", () => {
    const item: SnapshotWorkItem = {
      ...VOLUME_ITEM,
      kind: "aurora-cluster",
      clusterId: "inv",
      snapshotId: "oo-y",
    };
    const [event] = snapshotItemEvents(
      item,
      [{ key: item.key, status: "failed", code: "quota-exceeded", snapshotIds: [], detail: "full" }],
      CTX,
    );
    expect(event?.detail.resource).toEqual({ type: "aurora-snapshot", id: "oo-y", region: "us-west-2" });
    expect(event?.resources).toEqual(["arn:aws:rds:us-west-2:123456789012:cluster-snapshot:oo-y"]);
  });
});

describe("Function: deleteItemEvents", () => {
  it("one event per snapshot, with the lineage the planner sent", () => {
    const item: DeleteWorkItem = {
      kind: "delete",
      snapshotKind: "ebs",
      region: "us-west-2",
      snapshotIds: ["snap-1", "snap-2"],
      lineage: { "snap-1": { policy: "line-volumes", schedule: "hourly", sourceId: "vol-1" } },
    };
    const events = deleteItemEvents(
      item,
      [
        { key: "snap-1", status: "deleted", code: "deleted", snapshotIds: ["snap-1"], detail: "deleted" },
        {
          key: "snap-2",
          status: "gone",
          code: "already-deleted",
          snapshotIds: ["snap-2"],
          detail: "already deleted",
        },
      ],
      CTX,
    );
    expect(
      events.map((e) => [e.detailType, e.detail.code, e.detail.policy, e.detail.lineage.sourceId]),
    ).toEqual([
      ["Snapshot Deleted", "deleted", "line-volumes", "vol-1"],
      ["Snapshot Skipped", "already-deleted", undefined, undefined],
    ]);
  });
});

describe("Function: retentionSkipEvents and plannerSkipEvents", () => {
  it("retention's skips carry their code; keeps and deletes are not skips", () => {
    const snapshot = {
      kind: "ebs" as const,
      id: "snap-ami",
      sourceId: "vol-1",
      createdAt: AT,
      state: "completed" as const,
      tags: { "outpost-ops:policy": "line-volumes", "outpost-ops:schedule": "daily" },
      awsBackup: false,
    };
    const plan = {
      decisions: [
        { snapshot, action: "skip", code: "used-by-ami", codes: ["used-by-ami"], reason: "used by ami-1" },
        {
          snapshot: { ...snapshot, id: "snap-k" },
          action: "keep",
          code: "keep-last",
          codes: ["keep-last"],
          reason: "keepLast 2",
        },
      ],
    } as unknown as RetentionPlan;
    const events = retentionSkipEvents(plan, "us-west-2", CTX);
    expect(
      events.map((e) => [e.detail.resource.id, e.detail.code, e.detail.policy, e.detail.lineage.schedule]),
    ).toEqual([["snap-ami", "used-by-ami", "line-volumes", "daily"]]);
  });

  it("the planner's skipped resources become Resource Skipped events with the window", () => {
    const plan = {
      policy: "line-volumes",
      region: "us-west-2",
      due: { schedule: { name: "hourly" }, window: new Date("2024-05-14T10:00:00Z") },
      skipped: [{ resourceId: "i-1", code: "instance-state", reason: "instance is terminated" }],
    } as unknown as SnapshotPlan;
    const [event] = plannerSkipEvents(plan, CTX);
    expect(event?.detailType).toBe("Resource Skipped");
    expect(event?.detail).toMatchObject({
      code: "instance-state",
      resource: { type: "resource", id: "i-1" },
      lineage: { schedule: "hourly", window: "2024-05-14T10:00Z" },
    });
    expect(event?.resources).toEqual([]);
  });
});
