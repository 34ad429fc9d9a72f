import { describe, expect, it } from "vitest";
import { COPY_LIMITS, type KeyHealth, planCopies } from "../../src/copy/plan.ts";
import { Tag } from "../../src/tags.ts";
import { copyConfig, copyOf, HOUR, KEY, NOW, source } from "./fixtures.ts";

const config = copyConfig();
const plan = (input: Partial<Parameters<typeof planCopies>[0]>) =>
  planCopies({
    sources: [],
    copies: [],
    policies: config.policies,
    sourceRegion: "us-west-2",
    destination: "us-east-1",
    keys: new Map(),
    now: NOW,
    ...input,
  });

describe("Function: planCopies", () => {
  it("copies the newest completed regional snapshot of each group, and only that", () => {
    // Arrange
    const older = source("vols", "vol-a", 3);
    const newest = source("vols", "vol-a", 1);
    const pending = source("vols", "vol-a", 0, { state: "pending" });
    const local = source("vols", "vol-b", 1, {
      outpostArn: "arn:aws:outposts:us-west-2:123456789012:outpost/op-0a1b2c3d4e5f60718",
    });
    const notCopied = source("local", "vol-c", 1);

    // Act
    const p = plan({ sources: [older, newest, pending, local, notCopied] });

    // Assess
    expect(p.start.map((r) => r.source.id)).toEqual([newest.id]);
    expect(p.superseded).toBe(1);
    expect(p.start[0]).toMatchObject({
      kind: "ebs",
      policy: "vols",
      schedule: "hourly",
      resource: "vol-a",
      kmsKeyArn: KEY,
      attempt: 1,
      destination: "us-east-1",
    });
    const tags = Object.fromEntries(p.start[0]?.tags.map((t) => [t.Key, t.Value]) ?? []);
    expect(tags).toMatchObject({
      [Tag.managed]: "true",
      [Tag.policy]: "vols",
      [Tag.sourceSnapshot]: newest.id,
      [Tag.sourceRegion]: "us-west-2",
      [Tag.sourceVolume]: "vol-a",
      [Tag.sourceTime]: newest.createdAt.toISOString(),
    });
  });

  it("starts nothing for a source whose copy is pending or completed", () => {
    // Arrange
    const a = source("vols", "vol-a", 1);
    const b = source("vols", "vol-b", 1);

    // Act
    const p = plan({ sources: [a, b], copies: [copyOf(a, "pending"), copyOf(b, "completed")] });

    // Assess
    expect(p.start).toEqual([]);
    expect(p.inFlight.ebs).toHaveLength(1);
  });

  it("never plans more than the free slots per service, and queues the rest in order", () => {
    // Arrange: 25 EBS sources, 3 already in flight; 22 RDS sources
    const ebs = Array.from({ length: 25 }, (_, i) => source("vols", `vol-${i}`, 1));
    const flying = Array.from({ length: 3 }, (_, i) => copyOf(source("vols", `vol-x${i}`, 1), "pending"));
    const rds = Array.from({ length: 22 }, (_, i) => source("db", `db-${i}`, 1, { kind: "rds" }));

    // Act
    const p = plan({ sources: [...ebs, ...rds], copies: flying });

    // Assess
    expect(p.start.filter((r) => r.kind === "ebs")).toHaveLength(COPY_LIMITS.ebs - 3);
    expect(p.start.filter((r) => r.kind === "rds")).toHaveLength(COPY_LIMITS.rds);
    expect(p.queued).toHaveLength(25 - 17 + 2);
  });

  it("orders the backlog by how far each resource is behind its RPO, none at all first", () => {
    // Arrange: vol-new has no DR copy; vol-far's DR copy is 20 h old; vol-near's 7 h (RPO 6 h)
    const farOld = source("vols", "vol-far", 20);
    const nearOld = source("vols", "vol-near", 7);
    const candidates = [
      source("vols", "vol-near", 1),
      source("vols", "vol-far", 1),
      source("vols", "vol-new", 1),
    ];

    // Act
    const p = plan({
      sources: [farOld, nearOld, ...candidates],
      copies: [copyOf(farOld, "completed", 19), copyOf(nearOld, "completed", 6)],
      limits: { ebs: 0, rds: 0 },
    });

    // Assess
    expect(p.queued.map((r) => r.resource)).toEqual(["vol-new", "vol-far", "vol-near"]);
    expect(p.queued[1]?.behindMs).toBe(14 * HOUR);
  });

  it("retries a failed copy with the next attempt, then stops after three and says whether it was alerted", () => {
    // Arrange
    const once = source("vols", "vol-once", 1);
    const thrice = source("vols", "vol-thrice", 1);
    const alerted = source("db", "db-alerted", 1, { kind: "rds" });

    // Act
    const p = plan({
      sources: [once, thrice, alerted],
      copies: [
        copyOf(once, "failed"),
        copyOf(thrice, "failed", 3),
        copyOf(thrice, "failed", 2),
        copyOf(thrice, "failed", 1),
        ...[3, 2].map((h) => copyOf(alerted, "failed", h)),
        copyOf(alerted, "failed", 1, { [Tag.failureAlerted]: NOW.toISOString() }),
      ],
    });

    // Assess
    expect(p.start.map((r) => [r.resource, r.attempt])).toEqual([["vol-once", 2]]);
    expect(p.exhausted.map((e) => [e.request.resource, e.failures.length, e.alerted])).toEqual([
      ["vol-thrice", 3, false],
      ["db-alerted", 3, true],
    ]);
    expect(p.exhausted[0]?.lastMessage).toBe("copy failed for a reason");
  });

  it("names RDS copies after their source, with -rN for retries", () => {
    // Arrange
    const db = source("db", "orders", 1, { kind: "rds", id: "oo-db-orders-20240514t1100" });

    // Act
    const first = plan({ sources: [db] });
    const retry = plan({ sources: [db], copies: [copyOf(db, "failed")] });

    // Assess
    expect(first.start[0]?.targetId).toBe("oo-db-orders-20240514t1100");
    expect(retry.start[0]?.targetId).toBe("oo-db-orders-20240514t1100-r2");
  });

  it("picks the first RDS copy name not taken, when someone deleted some failed copies and kept others", () => {
    // Arrange: the first failed copy was deleted by hand; -r2 and -r3 (failed) remain
    const db = source("db", "orders", 1, { kind: "rds", id: "oo-db-orders-20240514t1100" });
    const kept = [2, 3].map((n) => ({ ...copyOf(db, "failed"), id: `${db.id}-r${n}` }));

    // Act
    const p = plan({ sources: [db], copies: kept });

    // Assess: attempt 3, under the free original name
    expect(p.start.map((r) => [r.attempt, r.targetId])).toEqual([[3, db.id]]);
  });

  it("blocks every copy that would use an unusable key, and starts none of them", () => {
    // Arrange
    const keys = new Map<string, KeyHealth>([[KEY, { arn: KEY, usable: false, problem: "disabled" }]]);

    // Act
    const p = plan({ sources: [source("vols", "vol-a", 1), source("db", "d", 1, { kind: "rds" })], keys });

    // Assess
    expect(p.start).toEqual([]);
    expect(p.blocked.map((b) => [b.code, b.reason])).toEqual([
      ["kms-key-unusable", "disabled"],
      ["kms-key-unusable", "disabled"],
    ]);
  });

  it("ignores copies without lineage and schedules a policy does not copy", () => {
    // Arrange
    const cfg = copyConfig();
    const vols = cfg.policies[0];
    if (vols?.copy) vols.copy.schedules = ["hourly"];
    const other = source("vols", "vol-a", 1, { schedule: "weekly" });
    const stray = { ...copyOf(source("vols", "vol-b", 1), "pending"), tags: { [Tag.managed]: "true" } };

    // Act
    const p = plan({ sources: [other], copies: [stray], policies: cfg.policies });

    // Assess
    expect(p.start).toEqual([]);
    expect(p.inFlight.ebs).toEqual([]);
  });
});
