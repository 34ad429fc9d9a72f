import { describe, expect, it } from "vitest";
import { type ConfigInput, type Policy, parseConfig } from "../../src/config/schema.ts";
import { dueSchedule } from "../../src/schedule/due.ts";

type ScheduleInput = ConfigInput["policies"][number]["schedules"][number];

function policyWith(schedules: ScheduleInput[]): Policy {
  const config = parseConfig({
    regions: { primary: "us-west-2", dr: "us-east-1" },
    alerts: { emails: [] },
    policies: [{ name: "db", resource: "ebs-volume", selector: { tags: { Backup: "yes" } }, schedules }],
  });
  const policy = config.policies[0];
  if (!policy) throw new Error("no policy");
  return policy;
}

const hourly: ScheduleInput = {
  name: "hourly",
  expression: "cron(0 * * * ? *)",
  retention: { keepLast: 24 },
};
const daily: ScheduleInput = { name: "daily", expression: "cron(0 0 * * ? *)", retention: { keepLast: 7 } };
const every5: ScheduleInput = {
  name: "frequent",
  expression: "rate(5 minutes)",
  retention: { keepLast: 12 },
};

describe("Function: dueSchedule", () => {
  it("returns the schedule firing now with its nominal window", () => {
    // Prepare
    const policy = policyWith([daily]);

    // Act
    const due = dueSchedule(policy, new Date("2024-05-14T00:00:20Z"));

    // Assess
    expect(due?.schedule.name).toBe("daily");
    expect(due?.window).toEqual(new Date("2024-05-14T00:00:00Z"));
    expect(due?.coinciding).toEqual([]);
    expect(due?.reason).toBe("daily fires at 2024-05-14T00:00Z");
  });

  it("lets the longer retention win when two schedules fire in the same minute, whatever the config order", () => {
    // Prepare
    const hourlyFirst = policyWith([hourly, daily]);
    const dailyFirst = policyWith([daily, hourly]);
    const now = new Date("2024-05-14T00:00:05Z");

    // Act
    const a = dueSchedule(hourlyFirst, now);
    const b = dueSchedule(dailyFirst, now);

    // Assess: 24 hours of hourly (1 day) < 7 days of daily
    expect(a?.schedule.name).toBe("daily");
    expect(a?.coinciding).toEqual(["hourly"]);
    expect(a?.reason).toBe("daily fires at 2024-05-14T00:00Z (also hourly; daily keeps longer)");
    expect(b).toEqual(a);
  });

  it("uses the retention reach, not the schedule frequency, to rank coinciding schedules", () => {
    // Prepare: the hourly schedule keeps 90 days through its tiers, the daily one only 3 days
    const policy = policyWith([
      { ...daily, retention: { keepLast: 3 } },
      { ...hourly, retention: { keepLast: 24, tiers: { daily: 90 } } },
    ]);

    // Act
    const due = dueSchedule(policy, new Date("2024-05-14T00:00:00Z"));

    // Assess
    expect(due?.schedule.name).toBe("hourly");
    expect(due?.coinciding).toEqual(["daily"]);
  });

  it("breaks a tie in retention reach by config order", () => {
    // Prepare: 24 × 1 h = 1 × 1 day
    const policy = policyWith([hourly, { ...daily, retention: { keepLast: 1 } }]);

    // Act
    const due = dueSchedule(policy, new Date("2024-05-14T00:00:00Z"));

    // Assess
    expect(due?.schedule.name).toBe("hourly");
    expect(due?.reason).toBe(
      "hourly fires at 2024-05-14T00:00Z (also daily; same retention reach, hourly is listed first)",
    );
  });

  it("accepts a delivery late within the lookback and keeps the nominal window", () => {
    // Prepare
    const policy = policyWith([daily]);

    // Act
    const due = dueSchedule(policy, new Date("2024-05-14T00:04:30Z"));

    // Assess
    expect(due?.window).toEqual(new Date("2024-05-14T00:00:00Z"));
    expect(due?.reason).toBe("daily fires at 2024-05-14T00:00Z; evaluated 4 min late, within the lookback");
  });

  it("honours a custom lookback", () => {
    // Prepare
    const policy = policyWith([daily]);
    const now = new Date("2024-05-14T00:08:00Z");

    // Act
    const defaultLookback = dueSchedule(policy, now);
    const tenMinutes = dueSchedule(policy, now, 10 * 60_000);

    // Assess
    expect(defaultLookback).toBeUndefined();
    expect(tenMinutes?.window).toEqual(new Date("2024-05-14T00:00:00Z"));
  });

  it("prefers the most recent window over an older one still in the lookback", () => {
    // Prepare: daily fired at 00:00, the 5-minute schedule at 00:05
    const policy = policyWith([daily, every5]);

    // Act
    const due = dueSchedule(policy, new Date("2024-05-14T00:05:10Z"));

    // Assess
    expect(due?.schedule.name).toBe("frequent");
    expect(due?.window).toEqual(new Date("2024-05-14T00:05:00Z"));
    expect(due?.coinciding).toEqual([]);
  });

  it("returns undefined when nothing fires in the lookback", () => {
    // Prepare
    const policy = policyWith([daily, hourly]);

    // Act
    const due = dueSchedule(policy, new Date("2024-05-14T10:30:00Z"));

    // Assess
    expect(due).toBeUndefined();
  });

  it("gives the same answer to every delivery in the lookback (idempotent)", () => {
    // Prepare
    const policy = policyWith([hourly, daily]);
    const deliveries = [
      "2024-05-14T00:00:00Z",
      "2024-05-14T00:00:01Z",
      "2024-05-14T00:02:00Z",
      "2024-05-14T00:04:59Z",
    ];

    // Act
    const answers = deliveries.map((t) => dueSchedule(policy, new Date(t)));

    // Assess
    for (const answer of answers) {
      expect(answer?.schedule.name).toBe("daily");
      expect(answer?.window).toEqual(new Date("2024-05-14T00:00:00Z"));
    }
  });
});
