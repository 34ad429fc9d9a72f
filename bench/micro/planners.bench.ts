/**
 * The pure planners at AWS's published scale (AWS-LIMITS.md): 100,000 snapshots per Region and
 * 10,000 volumes. Target: each plans in under 1 s on one core, a small part of a 15-minute Lambda.
 */
import type { Config } from "@outpost-ops/core/config";
import { parseConfig } from "@outpost-ops/core/config";
import type { Resource, SnapshotRecord } from "@outpost-ops/core/inventory";
import { planRetention } from "@outpost-ops/core/retention";
import { planSnapshots } from "@outpost-ops/core/snapshot/plan";
import { bench, describe } from "vitest";

const NOW = new Date("2024-06-01T00:00:00Z");
const HOUR = 3_600_000;

const config: Config = parseConfig({
  regions: { primary: "us-west-2", dr: "us-east-1" },
  outposts: [
    { name: "factory", arn: "arn:aws:outposts:us-west-2:123456789012:outpost/op-0a1b2c3d4e5f60718" },
  ],
  alerts: { emails: [] },
  policies: [
    {
      name: "fleet",
      resource: "ebs-volume",
      selector: { tags: { Backup: "daily" }, outposts: ["factory"] },
      placement: "outpost",
      copySourceTags: true,
      schedules: [
        { name: "hourly", expression: "rate(1 hour)", retention: { keepLast: 24 } },
        {
          name: "daily",
          expression: "cron(0 0 * * ? *)",
          retention: { keepLast: 7, tiers: { daily: 14, weekly: 8, monthly: 6 }, maxAge: "200d" },
        },
      ],
    },
  ],
});
const policy = config.policies[0] as Config["policies"][number];
const outpostArn = config.outposts[0]?.arn ?? "";

const volumes: Resource[] = Array.from({ length: 10_000 }, (_, i) => ({
  kind: "ebs-volume",
  volume: {
    id: `vol-${i.toString(16).padStart(17, "0")}`,
    type: "gp3",
    tags: { Backup: "daily", Name: `v${i}`, Application: "line" },
    availabilityZone: "us-west-2a",
    outpostArn,
    attachments: [],
  },
}));

// 2,000 volumes x 50 snapshots, spread over 100 days of hourly and daily windows.
const snapshots: SnapshotRecord[] = [];
for (let v = 0; v < 2000; v++) {
  for (let k = 0; k < 50; k++) {
    const schedule = k % 5 === 0 ? "daily" : "hourly";
    snapshots.push({
      kind: "ebs",
      id: `snap-${v}-${k}`,
      sourceId: `vol-${v}`,
      createdAt: new Date(NOW.getTime() - (k * 47 + v) * HOUR),
      state: "completed",
      awsBackup: false,
      tags: {
        "outpost-ops:managed": "true",
        "outpost-ops:policy": "fleet",
        "outpost-ops:schedule": schedule,
      },
    });
  }
}
const liveSourceIds = new Set(Array.from({ length: 1800 }, (_, v) => `vol-${v}`));

describe("planners at AWS scale (target: < 1 s each)", () => {
  bench("planSnapshots: 10,000 volumes", () => {
    planSnapshots({ config, policy, region: "us-west-2", resources: volumes, now: NOW });
  });
  bench("planRetention: 100,000 snapshots", () => {
    planRetention({
      snapshots,
      liveSourceIds,
      imageSnapshotIds: new Map(),
      policies: config.policies,
      caps: { maxDeletesPerRun: 100_000, maxDeletesPercent: 100 },
      now: NOW,
    });
  });
});
