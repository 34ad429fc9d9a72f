import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/schema.ts";
import type { Resource } from "../../src/inventory.ts";
import { mergeSnapshotPlans } from "../../src/jobs/merge-plans.ts";
import { planSnapshots } from "../../src/snapshot/plan.ts";

const DUE = new Date("2024-05-14T00:00:30Z");
const NOT_DUE = new Date("2024-05-14T10:30:00Z");

const config = parseConfig({
  regions: { primary: "us-west-2", dr: "us-east-1" },
  alerts: { emails: [] },
  policies: [
    {
      name: "daily",
      resource: "ebs-volume",
      selector: { tags: { Backup: "daily" } },
      schedules: [{ name: "nightly", expression: "cron(0 0 * * ? *)", retention: { keepLast: 7 } }],
    },
  ],
});
const policy = config.policies[0];
if (!policy) throw new Error("no policy");

const vol = (id: string, backup = "daily"): Resource => ({
  kind: "ebs-volume",
  volume: { id, type: "gp3", tags: { Backup: backup }, availabilityZone: "us-west-2a", attachments: [] },
});

const plan = (resources: Resource[], now = DUE) =>
  planSnapshots({ config, policy, region: "us-west-2", resources, now });

describe("Function: mergeSnapshotPlans", () => {
  it("gives the plan of all pages at once: items and skips sorted, counts and reason summed", () => {
    // Prepare
    const pages = [
      [vol("vol-0000000000000000d"), vol("vol-0000000000000000b", "weekly")],
      [vol("vol-0000000000000000a"), vol("vol-0000000000000000c")],
    ];

    // Act
    const merged = mergeSnapshotPlans(pages.map((p) => plan(p)));

    // Assess
    expect(merged).toEqual(plan(pages.flat()));
  });

  it("plans a resource listed on two pages once, as the planner does within a page", () => {
    // Prepare
    const pages = [
      [vol("vol-0000000000000000a")],
      [vol("vol-0000000000000000a"), vol("vol-0000000000000000b")],
    ];

    // Act
    const merged = mergeSnapshotPlans(pages.map((p) => plan(p)));

    // Assess
    expect(merged).toEqual(plan(pages.flat()));
    expect(merged.skipped.map((s) => [s.resourceId, s.code])).toEqual([
      ["vol-0000000000000000a", "listed-twice"],
    ]);
  });

  it("keeps the reason of a policy with no schedule due", () => {
    // Act
    const merged = mergeSnapshotPlans([plan([], NOT_DUE)]);

    // Assess
    expect(merged).toEqual(plan([], NOT_DUE));
  });
});
