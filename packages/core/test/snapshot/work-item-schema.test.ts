import { describe, expect, it } from "vitest";
import { parseDeleteWorkItem, parseSnapshotWorkItem } from "../../src/snapshot/work-item-schema.ts";

const item = {
  kind: "ebs-volume",
  region: "us-west-2",
  policy: "data",
  schedule: "daily",
  window: "2024-05-14T00:00Z",
  key: "data/vol-0123456789abcdef0/2024-05-14T00:00Z",
  tags: [{ Key: "outpost-ops:managed", Value: "true" }],
  volumeId: "vol-0123456789abcdef0",
  description: "outpost-ops daily snapshot",
};

describe("Function: parseSnapshotWorkItem", () => {
  it("accepts a work item as the planner writes it", () => {
    expect(parseSnapshotWorkItem(item)).toEqual(item);
  });

  it.each([
    ["no managed tag", { ...item, tags: [] }],
    ["managed tag false", { ...item, tags: [{ Key: "outpost-ops:managed", Value: "false" }] }],
    ["an unknown kind", { ...item, kind: "efs-filesystem" }],
    ["a volume id that is not one", { ...item, volumeId: "disk-1" }],
    ["a window that is not a minute", { ...item, window: "2024-05-14" }],
    ["an unknown key", { ...item, extra: true }],
    [
      "51 tags",
      {
        ...item,
        tags: Array.from({ length: 51 }, (_, i) => ({
          Key: i ? `k${i}` : "outpost-ops:managed",
          Value: "true",
        })),
      },
    ],
  ])("rejects %s", (_why, body) => {
    expect(() => parseSnapshotWorkItem(body)).toThrow();
  });
});

describe("Function: parseDeleteWorkItem", () => {
  it("accepts up to 50 ids of one kind and rejects more, none, or another kind", () => {
    const ids = Array.from({ length: 50 }, (_, i) => `snap-${i}`);
    expect(
      parseDeleteWorkItem({ kind: "delete", snapshotKind: "ebs", region: "us-west-2", snapshotIds: ids })
        .snapshotIds,
    ).toHaveLength(50);
    expect(() =>
      parseDeleteWorkItem({
        kind: "delete",
        snapshotKind: "ebs",
        region: "us-west-2",
        snapshotIds: [...ids, "snap-x"],
      }),
    ).toThrow();
    expect(() =>
      parseDeleteWorkItem({ kind: "delete", snapshotKind: "ebs", region: "us-west-2", snapshotIds: [] }),
    ).toThrow();
    expect(() =>
      parseDeleteWorkItem({ kind: "delete", snapshotKind: "efs", region: "us-west-2", snapshotIds: ["x"] }),
    ).toThrow();
  });
});
