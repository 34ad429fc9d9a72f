import { describe, expect, it } from "vitest";
import { copyMetrics } from "../../src/copy/metrics.ts";
import { type KeyHealth, planCopies } from "../../src/copy/plan.ts";
import { formatAge, recoveryPoints } from "../../src/copy/recovery.ts";
import type { SnapshotRecord } from "../../src/inventory.ts";
import { copyConfig, copyOf, HOUR, KEY, NOW, source } from "./fixtures.ts";

const config = copyConfig();
const OUTPOST = "arn:aws:outposts:us-west-2:123456789012:outpost/op-0a1b2c3d4e5f60718";

function recover(
  sources: SnapshotRecord[],
  copies: SnapshotRecord[],
  options: {
    keys?: Map<string, KeyHealth>;
    limits?: { ebs: number; rds: number };
    resources?: { policy: string; resource: string }[];
  } = {},
) {
  const plan = planCopies({
    sources,
    copies,
    policies: config.policies,
    sourceRegion: "us-west-2",
    destination: "us-east-1",
    keys: options.keys ?? new Map(),
    now: NOW,
    ...(options.limits ? { limits: options.limits } : {}),
  });
  const rows = recoveryPoints({
    policies: config.policies,
    sources,
    copies,
    plan,
    ...(options.resources ? { protectedResources: options.resources } : {}),
    now: NOW,
  });
  return { plan, rows, row: (resource: string) => rows.find((r) => r.resource === resource) };
}

describe("Function: recoveryPoints", () => {
  it("dates a DR copy by its source's time, and is within the RPO when that is recent enough", () => {
    // Arrange: the snapshot was taken 5 h ago, its copy finished an hour ago
    const s = source("vols", "vol-a", 5);

    // Act
    const { row } = recover([s], [copyOf(s, "completed", 1)]);

    // Assess
    expect(row("vol-a")).toMatchObject({
      policy: "vols",
      withinRpo: true,
      code: "within-rpo",
      drAgeMs: 5 * HOUR,
      regional: { snapshotId: s.id },
      dr: { at: s.createdAt },
    });
  });

  it("says why a resource is behind: in progress, queued, KMS, retries spent, local only, nothing yet", () => {
    // Arrange
    const flying = source("vols", "vol-flying", 1);
    const queued = source("vols", "vol-queued", 1);
    const spent = source("db", "db-spent", 1, { kind: "rds" });
    const local = source("vols", "vol-local", 1, { outpostArn: OUTPOST });
    const failures = [3, 2, 1].map((h) => copyOf(spent, "failed", h));

    // Act
    const { row } = recover([flying, queued, spent, local], [copyOf(flying, "pending"), ...failures], {
      limits: { ebs: 1, rds: 1 },
      resources: [{ policy: "vols", resource: "vol-none" }],
    });

    // Assess
    expect(row("vol-flying")?.code).toBe("copy-in-progress");
    expect(row("vol-flying")?.reason).toMatch(/in progress since/);
    expect(row("vol-queued")?.code).toBe("copy-queued");
    expect(row("vol-queued")?.reason).toMatch(/queued behind 0 other/);
    expect(row("db-spent")?.code).toBe("copy-retries-exhausted");
    expect(row("vol-local")?.code).toBe("local-only");
    expect(row("vol-none")?.code).toBe("no-snapshot-yet");
    expect(row("vol-none")?.withinRpo).toBe(false);
  });

  it("gives each queued resource its place in its own service's queue", () => {
    // Arrange: one slot per service, three EBS and two RDS sources waiting (oldest first)
    const vols = [4, 3, 2, 1].map((h) => source("vols", `vol-${h}`, h));
    const dbs = [4, 3, 2].map((h) => source("db", `db-${h}`, h, { kind: "rds" }));

    // Act
    const { row } = recover([...vols, ...dbs], [], { limits: { ebs: 1, rds: 1 } });

    // Assess
    expect(row("vol-4")?.code).toBe("copy-started");
    expect(["vol-3", "vol-2", "vol-1"].map((r) => row(r)?.reason.match(/behind (\d+)/)?.[1])).toEqual([
      "0",
      "1",
      "2",
    ]);
    expect(row("db-4")?.code).toBe("copy-started");
    expect(["db-3", "db-2"].map((r) => row(r)?.reason.match(/behind (\d+)/)?.[1])).toEqual(["0", "1"]);
  });

  it("reports a blocked key as the reason", () => {
    // Arrange
    const keys = new Map<string, KeyHealth>([
      [KEY, { arn: KEY, usable: false, problem: "KMS key X is Disabled" }],
    ]);

    // Act
    const { row } = recover([source("vols", "vol-a", 1)], [], { keys });

    // Assess
    expect(row("vol-a")).toMatchObject({
      code: "kms-key-unusable",
      reason: expect.stringMatching(/Disabled/),
    });
  });

  it("blames the snapshot schedule when the newest regional snapshot is itself too old", () => {
    // Arrange: the newest snapshot is 10 h old and copied; RPO 6 h
    const s = source("vols", "vol-a", 10);

    // Act
    const { row } = recover([s], [copyOf(s, "completed", 9)]);

    // Assess
    expect(row("vol-a")).toMatchObject({ code: "behind-rpo", withinRpo: false });
    expect(row("vol-a")?.reason).toMatch(/snapshot schedule is behind/);
  });
});

describe("Function: copyMetrics", () => {
  it("publishes ages per resource and location, the worst per policy, the backlog and the keys", () => {
    // Arrange
    const a = source("vols", "vol-a", 2);
    const b = source("vols", "vol-b", 1);
    const keys = new Map<string, KeyHealth>([[KEY, { arn: KEY, usable: true }]]);
    const { plan, rows } = recover([a, b], [copyOf(a, "completed", 1)], { keys, limits: { ebs: 0, rds: 0 } });

    // Act
    const metrics = copyMetrics({ plan, recovery: rows, keys, policies: ["vols", "db"], at: NOW });

    // Assess
    const find = (name: string, dims: Record<string, string>) =>
      metrics.find((m) => m.name === name && Object.entries(dims).every(([k, v]) => m.dimensions[k] === v))
        ?.value;
    expect(find("RecoveryPointAge", { resource: "vol-a", location: "dr" })).toBe(7200);
    expect(find("RecoveryPointAge", { resource: "vol-b", location: "regional" })).toBe(3600);
    expect(find("RecoveryPointAge", { resource: "vol-b", location: "dr" })).toBeUndefined();
    expect(find("WorstRecoveryPointAge", { policy: "vols", location: "regional" })).toBe(7200);
    expect(find("ResourcesBehindRpo", { policy: "vols" })).toBe(1);
    expect(find("ResourcesBehindRpo", { policy: "db" })).toBe(0);
    // vol-b has no DR copy at all; a policy without resources reports 0, not silence.
    expect(find("ResourcesWithoutDrCopy", { policy: "vols" })).toBe(1);
    expect(find("ResourcesWithoutDrCopy", { policy: "db" })).toBe(0);
    expect(find("CopiesQueued", { destination: "us-east-1" })).toBe(1);
    expect(find("KmsKeyUnusable", { key: KEY })).toBe(0);
  });
});

describe("Function: formatAge", () => {
  it("reads like a person writes it", () => {
    expect([45 * 60_000, 3 * HOUR + 20 * 60_000, 52 * HOUR, Number.POSITIVE_INFINITY].map(formatAge)).toEqual(
      ["45m", "3h 20m", "2d 4h", "never"],
    );
  });
});
