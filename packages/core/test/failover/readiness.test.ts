import { describe, expect, it } from "vitest";
import { policyReadiness } from "../../src/failover/readiness.ts";
import { parseState, stateRecord } from "../../src/failover/state.ts";

const NOW = new Date("2024-05-14T12:00:00Z");
const ago = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);
const RPO = 6 * 3_600_000;

describe("policyReadiness", () => {
  it("is ready when every resource has a DR copy and the oldest, aged since its gauge, is within the RPO", () => {
    const r = policyReadiness(
      {
        policy: "db",
        rpoMs: RPO,
        worstDrAge: { value: 5 * 3600, at: ago(5) },
        withoutDrCopy: { value: 0, at: ago(5) },
      },
      NOW,
    );
    expect(r).toMatchObject({ ready: true, code: "failover-ready" });
  });

  it("counts the time since the gauge was published: 5h 58m at publication, 10 minutes ago, is past 6h", () => {
    const r = policyReadiness(
      {
        policy: "db",
        rpoMs: RPO,
        worstDrAge: { value: 5 * 3600 + 58 * 60, at: ago(10) },
        withoutDrCopy: { value: 0, at: ago(10) },
      },
      NOW,
    );
    expect(r).toMatchObject({ ready: false, code: "dr-behind-rpo" });
    expect(r.detail).toMatch(/6h 8m old, more than the RPO of 6h/);
  });

  it("is not ready while a resource has no DR copy at all", () => {
    const r = policyReadiness(
      {
        policy: "db",
        rpoMs: RPO,
        worstDrAge: { value: 60, at: ago(1) },
        withoutDrCopy: { value: 2, at: ago(1) },
      },
      NOW,
    );
    expect(r).toMatchObject({
      ready: false,
      code: "dr-behind-rpo",
      detail: "db: 2 resource(s) have no DR copy at all",
    });
  });

  it("judges a scheduler that stopped reporting (primary Region down) by its last report, aged since", () => {
    // 2h old at a report 3 hours ago: 5h now, within 6h; the same report 5 hours ago: 7h, past it.
    const report = (minutesAgo: number) =>
      policyReadiness(
        {
          policy: "db",
          rpoMs: RPO,
          worstDrAge: { value: 2 * 3600, at: ago(minutesAgo) },
          withoutDrCopy: { value: 0, at: ago(minutesAgo) },
        },
        NOW,
      );
    expect(report(180)).toMatchObject({ ready: true });
    expect(report(180).detail).toMatch(
      /oldest 5h 0m\) \(as last reported by the copy scheduler at 2024-05-14T09:00:00.000Z/,
    );
    expect(report(300)).toMatchObject({ ready: false, code: "dr-behind-rpo" });
  });

  it("is unknown, not ready, when the scheduler has not reported for a day, or never", () => {
    const old = policyReadiness(
      { policy: "db", rpoMs: RPO, withoutDrCopy: { value: 0, at: ago(24 * 60 + 1) } },
      NOW,
    );
    const never = policyReadiness({ policy: "db", rpoMs: RPO }, NOW);
    expect(old).toMatchObject({ ready: false, code: "dr-recovery-unknown" });
    expect(old.detail).toMatch(/since 2024-05-13T11:59:00.000Z/);
    expect(never).toMatchObject({ ready: false, code: "dr-recovery-unknown" });
  });

  it("a policy with no protected resources is ready (nothing to lose)", () => {
    const r = policyReadiness({ policy: "db", rpoMs: RPO, withoutDrCopy: { value: 0, at: ago(2) } }, NOW);
    expect(r).toMatchObject({ ready: true, detail: "db: no protected resources" });
  });
});

describe("the state record", () => {
  it("round-trips through its TXT value, keeping quotes out of the reason", () => {
    const state = {
      site: "dr" as const,
      at: NOW,
      by: "manual:arn:aws:iam::1:user/ops",
      reason: 'link "down"\n',
      forced: true,
    };
    const record = stateRecord("example.com", state);
    expect(record).toMatchObject({ name: "_outpost-ops-failover.example.com.", type: "TXT", ttl: 60 });
    expect(parseState(record)).toEqual({ ...state, reason: "link 'down' " });
  });

  it("a TXT record that is not ours reads as no state", () => {
    expect(parseState({ name: "x.", type: "TXT", values: ['"v=spf1 -all"'] })).toBeUndefined();
    expect(parseState(undefined)).toBeUndefined();
  });

  it("keeps each TXT string within 255 characters", () => {
    const record = stateRecord("example.com", {
      site: "dr",
      at: NOW,
      by: "x".repeat(400),
      reason: "y".repeat(400),
      forced: false,
    });
    for (const m of (record.values?.[0] ?? "").matchAll(/"([^"]*)"/g))
      expect((m[1] ?? "").length).toBeLessThanOrEqual(255);
  });
});
