import { describe, expect, it } from "vitest";
import {
  cronMatches,
  lastFireAtOrBefore,
  parseScheduleExpression,
  ScheduleExpressionError,
} from "../../src/schedule/expression.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const at = (iso: string) => new Date(iso);

describe("Function: parseScheduleExpression", () => {
  describe("cron fields", () => {
    it("parses single values, lists, ranges and steps", () => {
      // Act
      const { cron } = parseScheduleExpression("cron(0,30 8-10 1/10 */3 ? 2024-2025)");

      // Assess
      expect([...cron.minutes]).toEqual([0, 30]);
      expect([...cron.hours]).toEqual([8, 9, 10]);
      expect(cron.daysOfMonth).toEqual(new Set([1, 11, 21, 31]));
      expect(cron.months).toEqual(new Set([1, 4, 7, 10]));
      expect(cron.daysOfWeek).toBe("any");
      expect(cron.years).toEqual(new Set([2024, 2025]));
    });

    it("reads a ranged step (10-50/20) as every 20 within the range", () => {
      // Act
      const { cron } = parseScheduleExpression("cron(10-50/20 * * * ? *)");

      // Assess
      expect([...cron.minutes]).toEqual([10, 30, 50]);
    });

    it("accepts month and weekday names in any case, numbering Sunday 1 and Saturday 7", () => {
      // Act
      const { cron } = parseScheduleExpression("cron(0 0 ? jan,JUL,Dec MON-FRI,sun *)");

      // Assess
      expect(cron.months).toEqual(new Set([1, 7, 12]));
      expect(cron.daysOfWeek).toEqual(new Set([1, 2, 3, 4, 5, 6]));
    });

    it("treats * in day-of-month (with ? in day-of-week) as any day", () => {
      // Act
      const { cron } = parseScheduleExpression("cron(0 2 * * ? *)");

      // Assess
      expect(cron.daysOfMonth).toBe("any");
      expect(cron.daysOfWeek).toBe("any");
      expect(cron.years).toBe("any");
    });

    it.each([
      ["both ?", "cron(0 0 ? * ? *)", /exactly one of day-of-month and day-of-week/],
      ["neither ?", "cron(0 0 1 * MON *)", /exactly one of day-of-month and day-of-week/],
      ["both *", "cron(0 0 * * * *)", /exactly one of day-of-month and day-of-week/],
      ["? outside the day fields", "cron(? 0 * * ? *)", /outside 0-59/],
      ["five fields", "cron(0 0 * * ?)", /6 fields.*got 5/],
      ["minute 60", "cron(60 * * * ? *)", /"60" is outside 0-59/],
      ["hour 24", "cron(0 24 * * ? *)", /"24" is outside 0-23/],
      ["day 0", "cron(0 0 0 * ? *)", /outside 1-31/],
      ["weekday 8", "cron(0 0 ? * 8 *)", /outside 1-7/],
      ["year 1969", "cron(0 0 * * ? 1969)", /outside 1970-2199/],
      ["backwards range", "cron(0 10-8 * * ? *)", /runs backwards/],
      ["step 0", "cron(*/0 * * * ? *)", /bad step/],
      ["empty step", "cron(5/ * * * ? *)", /bad step/],
      ["L", "cron(0 0 L * ? *)", /L, W and # are not supported/],
      ["W", "cron(0 0 15W * ? *)", /L, W and # are not supported/],
      ["#", "cron(0 0 ? * 6#3 *)", /L, W and # are not supported/],
      ["unknown name", "cron(0 0 ? * MONDAY *)", /outside 1-7/],
      ["empty list item", "cron(,5 * * * ? *)", /outside 0-59/],
      ["open range", "cron(-5 * * * ? *)", /outside 0-59/],
      ["hex number", "cron(0x1f * * * ? *)", /outside 0-59/],
      ["decimal number", "cron(1.0 * * * ? *)", /outside 0-59/],
      ["neither cron nor rate", "every day", /write "cron/],
    ])("rejects %s", (_name, expression, message) => {
      // Act
      const act = () => parseScheduleExpression(expression);

      // Assess
      expect(act).toThrow(ScheduleExpressionError);
      expect(act).toThrow(message);
    });

    it("keeps a cron as the EventBridge expression and tolerates surrounding spaces", () => {
      // Act
      const parsed = parseScheduleExpression(" cron( 0 2 * * ? * ) ");

      // Assess
      expect(parsed.eventBridge).toBe("cron( 0 2 * * ? * )");
      expect([...parsed.cron.hours]).toEqual([2]);
    });
  });

  describe("rate expressions", () => {
    it.each([
      ["rate(5 minutes)", "cron(0/5 * * * ? *)", 5 * 60_000],
      ["rate(30 minutes)", "cron(0/30 * * * ? *)", 30 * 60_000],
      ["rate(60 minutes)", "cron(0 * * * ? *)", HOUR],
      ["rate(1 hour)", "cron(0 * * * ? *)", HOUR],
      ["rate(6 hours)", "cron(0 0/6 * * ? *)", 6 * HOUR],
      ["rate(12 hours)", "cron(0 0/12 * * ? *)", 12 * HOUR],
      ["rate(24 hours)", "cron(0 0 * * ? *)", DAY],
      ["rate(1 day)", "cron(0 0 * * ? *)", DAY],
    ])("rewrites %s as the UTC-aligned %s", (rate, cron, intervalMs) => {
      // Act
      const parsed = parseScheduleExpression(rate);

      // Assess
      expect(parsed.eventBridge).toBe(cron);
      expect(parsed.intervalMs).toBe(intervalMs);
      expect(parsed.source).toBe(rate);
    });

    it.each([
      "rate(1 minute)",
      "rate(7 minutes)",
      "rate(90 minutes)",
      "rate(0 hours)",
      "rate(5 hours)",
      "rate(48 hours)",
      "rate(2 days)",
    ])("rejects %s, which does not divide a day evenly", (rate) => {
      // Act
      const act = () => parseScheduleExpression(rate);

      // Assess
      expect(act).toThrow(/does not divide a day evenly/);
    });

    it.each(["rate(1 week)", "rate(-5 minutes)", "rate(5minutes)", "rate(1.5 hours)"])(
      "rejects %s",
      (rate) => {
        // Act
        const act = () => parseScheduleExpression(rate);

        // Assess
        expect(act).toThrow(ScheduleExpressionError);
      },
    );
  });

  describe("intervalMs", () => {
    it.each([
      ["cron(0/15 * * * ? *)", 15 * 60_000],
      ["cron(0 * * * ? *)", HOUR],
      ["cron(0 2 * * ? *)", DAY],
      ["cron(0 2 ? * MON *)", 7 * DAY],
      ["cron(0 2 ? * MON-FRI *)", DAY],
      ["cron(0 0/7 * * ? *)", 3 * HOUR], // 21:00 → 00:00 is the smallest gap
      ["cron(0 0 1 1 ? *)", 366 * DAY], // 2024 is a leap year
    ])("is the smallest gap between fires of %s", (expression, intervalMs) => {
      // Act
      const { intervalMs: actual } = parseScheduleExpression(expression);

      // Assess
      expect(actual).toBe(intervalMs);
    });

    it("is a year for a cron that fires at most once in the sampled year", () => {
      // Act
      const { intervalMs } = parseScheduleExpression("cron(0 0 1 1 ? 2030)");

      // Assess
      expect(intervalMs).toBe(366 * DAY);
    });
  });
});

describe("Function: cronMatches", () => {
  it("matches on the minute in UTC and ignores seconds", () => {
    // Prepare
    const { cron } = parseScheduleExpression("cron(30 10 ? * TUE *)");

    // Act & Assess
    expect(cronMatches(cron, at("2024-05-14T10:30:59Z"))).toBe(true); // a Tuesday
    expect(cronMatches(cron, at("2024-05-14T10:31:00Z"))).toBe(false);
    expect(cronMatches(cron, at("2024-05-15T10:30:00Z"))).toBe(false); // Wednesday
  });

  it("checks day of month, month and year", () => {
    // Prepare
    const { cron } = parseScheduleExpression("cron(0 0 29 2 ? 2024)");

    // Act & Assess
    expect(cronMatches(cron, at("2024-02-29T00:00:00Z"))).toBe(true);
    expect(cronMatches(cron, at("2028-02-29T00:00:00Z"))).toBe(false);
    expect(cronMatches(cron, at("2024-03-29T00:00:00Z"))).toBe(false);
  });
});

describe("Function: lastFireAtOrBefore", () => {
  const { cron } = parseScheduleExpression("cron(0 10 * * ? *)");

  it("finds the fire at exactly t, even with no lookback", () => {
    // Act
    const fire = lastFireAtOrBefore(cron, at("2024-05-14T10:00:00Z"), 0);

    // Assess
    expect(fire).toEqual(at("2024-05-14T10:00:00Z"));
  });

  it("returns the nominal fire time of a late delivery within the lookback", () => {
    // Act
    const fire = lastFireAtOrBefore(cron, at("2024-05-14T10:04:59Z"), 5 * 60_000);

    // Assess
    expect(fire).toEqual(at("2024-05-14T10:00:00Z"));
  });

  it("includes the lookback's start and nothing before it", () => {
    // Act
    const atEdge = lastFireAtOrBefore(cron, at("2024-05-14T10:05:00Z"), 5 * 60_000);
    const past = lastFireAtOrBefore(cron, at("2024-05-14T10:05:01Z"), 5 * 60_000);

    // Assess
    expect(atEdge).toEqual(at("2024-05-14T10:00:00Z"));
    expect(past).toBeUndefined();
  });

  it("returns the most recent of several fires in the lookback", () => {
    // Prepare
    const every5 = parseScheduleExpression("rate(5 minutes)").cron;

    // Act
    const fire = lastFireAtOrBefore(every5, at("2024-05-14T10:12:30Z"), 15 * 60_000);

    // Assess
    expect(fire).toEqual(at("2024-05-14T10:10:00Z"));
  });

  it("never returns a time after t", () => {
    // Act
    const fire = lastFireAtOrBefore(cron, at("2024-05-14T09:59:59Z"), 60 * 60_000);

    // Assess
    expect(fire).toBeUndefined();
  });
});
