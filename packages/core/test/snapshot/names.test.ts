import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RDS_SNAPSHOT_ID_PREFIX, rdsSnapshotId, workItemKey } from "../../src/snapshot/names.ts";

/** What RDS accepts as a DB (cluster) snapshot identifier. */
const VALID_RDS_ID = /^[a-z](?!.*--)[a-z0-9-]{0,254}$/;
const isValid = (id: string) => VALID_RDS_ID.test(id) && id.length <= 255 && !id.endsWith("-");

describe("Function: rdsSnapshotId", () => {
  it("reads oo-<policy>-<source>-<window>", () => {
    // Act
    const id = rdsSnapshotId("daily", "db-orders", "2024-05-14T10:00Z");

    // Assess
    expect(id).toBe("oo-daily-db-orders-20240514t1000");
  });

  it("is deterministic, so a duplicated run collides with the first snapshot", () => {
    // Act
    const first = rdsSnapshotId("daily", "db-orders", "2024-05-14T10:00Z");
    const second = rdsSnapshotId("daily", "db-orders", "2024-05-14T10:00Z");

    // Assess
    expect(second).toBe(first);
  });

  it("differs by window", () => {
    // Act
    const a = rdsSnapshotId("daily", "db-orders", "2024-05-14T10:00Z");
    const b = rdsSnapshotId("daily", "db-orders", "2024-05-15T10:00Z");

    // Assess
    expect(a).not.toBe(b);
  });

  it("adds a hash when the policy has a hyphen, so the policy/source boundary cannot collide", () => {
    // Act
    const a = rdsSnapshotId("prod-daily", "orders", "2024-05-14T10:00Z");
    const b = rdsSnapshotId("prod", "daily-orders", "2024-05-14T10:00Z");

    // Assess
    expect(a).toMatch(/^oo-prod-daily-orders-20240514t1000-h[0-9a-f]{8}$/);
    expect(b).toBe("oo-prod-daily-orders-20240514t1000");
    expect(a).not.toBe(b);
  });

  it("sanitizes names RDS would refuse and keeps them apart with a hash", () => {
    // Act
    const doubled = rdsSnapshotId("a--b", "db_1", "2024-05-14T10:00Z");
    const single = rdsSnapshotId("a-b", "db-1", "2024-05-14T10:00Z");
    const trailing = rdsSnapshotId("nightly-", "db", "2024-05-14T10:00Z");

    // Assess
    expect(isValid(doubled)).toBe(true);
    expect(isValid(single)).toBe(true);
    expect(isValid(trailing)).toBe(true);
    expect(doubled).not.toBe(single);
  });

  it("treats source ids case-insensitively, as RDS does", () => {
    // Act
    const id = rdsSnapshotId("daily", "DB-Orders", "2024-05-14T10:00Z");

    // Assess
    expect(id).toBe("oo-daily-db-orders-20240514t1000");
  });

  it("always returns an identifier RDS accepts, and distinct inputs give distinct identifiers", () => {
    // Prepare
    const name = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,39}$/);
    const source = fc.oneof(
      fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9-]{0,62}$/),
      fc.string({ minLength: 1, maxLength: 300 }),
    );
    const minute = fc
      .integer({ min: 0, max: 60 * 24 * 365 * 50 })
      .map((m) => `${new Date(m * 60_000).toISOString().slice(0, 16)}Z`);

    // Act & Assess
    fc.assert(
      fc.property(name, source, minute, name, source, (p, s, w, p2, s2) => {
        const id = rdsSnapshotId(p, s, w);
        expect(isValid(id)).toBe(true);
        // IAM scopes the workers to `snapshot:oo-*`: an id without the prefix could never be deleted.
        expect(id.startsWith(RDS_SNAPSHOT_ID_PREFIX)).toBe(true);
        if (p !== p2 || s.toLowerCase() !== s2.toLowerCase()) {
          if (s.length <= 63 && s2.length <= 63) expect(rdsSnapshotId(p2, s2, w)).not.toBe(id);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe("Function: workItemKey", () => {
  it("joins policy, source and window with slashes", () => {
    // Act
    const key = workItemKey("daily", "vol-0abc", "2024-05-14T10:00Z");

    // Assess
    expect(key).toBe("daily/vol-0abc/2024-05-14T10:00Z");
  });
});
