import { describe, expect, it } from "vitest";
import { dailyMaxima, describeForecast, forecastFull } from "../../src/capacity/forecast.ts";
import type { Point } from "../../src/capacity/model.ts";

const DAY = 86_400_000;
const START = Date.parse("2024-05-01T00:00:00.000Z");

/** One point per day from START, at noon UTC. */
const days = (values: number[]): Point[] =>
  values.map((value, i) => ({ at: new Date(START + i * DAY + DAY / 2), value }));

describe("Function: dailyMaxima", () => {
  it("keeps each UTC day's maximum, at the day's midnight, oldest first", () => {
    // Prepare: out of order, two on the 2nd, one just before and one just after midnight.
    const points: Point[] = [
      { at: new Date("2024-05-02T23:59:59.000Z"), value: 70 },
      { at: new Date("2024-05-01T08:00:00.000Z"), value: 40 },
      { at: new Date("2024-05-02T00:00:00.000Z"), value: 65 },
      { at: new Date("2024-05-03T00:00:00.000Z"), value: 10 },
      { at: new Date("2024-05-01T20:00:00.000Z"), value: 55 },
    ];

    // Act
    const daily = dailyMaxima(points);

    // Assess
    expect(daily).toEqual([
      { at: new Date("2024-05-01T00:00:00.000Z"), value: 55 },
      { at: new Date("2024-05-02T00:00:00.000Z"), value: 70 },
      { at: new Date("2024-05-03T00:00:00.000Z"), value: 10 },
    ]);
  });

  it("gives nothing for nothing", () => {
    expect(dailyMaxima([])).toEqual([]);
  });
});

describe("Function: forecastFull", () => {
  it("gives the exact days for a linear rise", () => {
    // Prepare: 50 % rising 2 points a day for 14 days: 76 % on the last, 24 points to go.
    const series = dailyMaxima(days(Array.from({ length: 14 }, (_, i) => 50 + 2 * i)));

    // Act
    const forecast = forecastFull(series);

    // Assess
    expect(forecast).toMatchObject({ kind: "full-in", days: 12, points: 14 });
    if (forecast.kind !== "full-in") throw new Error("expected full-in");
    expect(forecast.slopePerDay).toBeCloseTo(2, 10);
    expect(forecast.r2).toBeCloseTo(1, 10);
    expect(forecast.method).toBe("least squares over 14 daily maxima (R² 1.00)");
    expect(describeForecast(forecast)).toBe("full in ~12 days (least squares over 14 daily maxima, R² 1.00)");
  });

  it("rounds partial days up: full in 4, not 3, from 93.6 at 2 a day", () => {
    const forecast = forecastFull(dailyMaxima(days([85.6, 87.6, 89.6, 91.6, 93.6])));
    expect(forecast).toMatchObject({ kind: "full-in", days: 4, points: 5 });
  });

  it("says the level changed, not 'full in ~1 day', when the value now is far below the line (capacity added)", () => {
    // Prepare: 9 days rising 9 points a day to 97 %, then capacity doubled: 45 % now.
    const daily = dailyMaxima(days([25, 34, 43, 52, 61, 70, 79, 88, 97]));

    // Act
    const stepped = forecastFull(daily, 45);
    const onTheLine = forecastFull(daily, 96);

    // Assess
    expect(stepped).toMatchObject({ kind: "no-trend", reason: "level-changed", points: 9 });
    expect(stepped.method).toMatch(/now 45 %, the line 97 %/);
    expect(describeForecast(stepped)).toBe(
      "no trend (the level changed: the last days' line no longer applies)",
    );
    expect(onTheLine).toMatchObject({ kind: "full-in", days: 1 });
  });

  it("uses only the last 14 daily maxima", () => {
    // Prepare: a falling month, then 14 days of rise.
    const values = [
      ...Array.from({ length: 10 }, (_, i) => 90 - i),
      ...Array.from({ length: 14 }, (_, i) => 50 + 2 * i),
    ];

    // Act / Assess
    expect(forecastFull(dailyMaxima(days(values)))).toMatchObject({ kind: "full-in", days: 12, points: 14 });
  });

  it("says flat for a flat series", () => {
    const forecast = forecastFull(dailyMaxima(days(Array(10).fill(60))));
    expect(forecast).toMatchObject({ kind: "no-trend", reason: "flat", points: 10 });
    expect(describeForecast(forecast)).toBe("no trend (flat)");
  });

  it("says flat for a rise of 0.1 point a day or less", () => {
    expect(forecastFull(dailyMaxima(days([60, 60.1, 60.2, 60.3, 60.4, 60.5])))).toMatchObject({
      reason: "flat",
    });
  });

  it("says falling for a falling series", () => {
    expect(forecastFull(dailyMaxima(days([90, 85, 80, 75, 70, 65])))).toMatchObject({
      kind: "no-trend",
      reason: "falling",
    });
  });

  it("says noisy when the line does not explain the data", () => {
    // Prepare: a slight rise under large swings.
    const forecast = forecastFull(dailyMaxima(days([40, 80, 45, 85, 42, 88, 47, 83, 50, 90])));

    // Assess
    expect(forecast).toMatchObject({ kind: "no-trend", reason: "noisy", points: 10 });
    expect(forecast.method).toMatch(/^least squares over 10 daily maxima \(R² 0\.\d\d\)$/);
    expect(describeForecast(forecast)).toBe("no trend (too noisy to fit a line)");
  });

  it("draws the noisy line at R² 0.6: a zigzag rise of 0.57 is noisy, one of 0.73 is not", () => {
    expect(forecastFull(dailyMaxima(days([50, 57, 52, 59, 54, 61, 56, 63, 58, 65])))).toMatchObject({
      kind: "no-trend",
      reason: "noisy",
      method: "least squares over 10 daily maxima (R² 0.57)",
    });
    expect(forecastFull(dailyMaxima(days([50, 55, 52, 57, 54, 59, 56, 61, 58, 63])))).toMatchObject({
      kind: "full-in",
      method: "least squares over 10 daily maxima (R² 0.73)",
    });
  });

  it("says too few points under 5 days", () => {
    const forecast = forecastFull(dailyMaxima(days([50, 60, 70, 80])));
    expect(forecast).toMatchObject({ kind: "no-trend", reason: "too-few-points", points: 4 });
    expect(forecastFull([])).toMatchObject({ kind: "no-trend", reason: "too-few-points", points: 0 });
  });

  it("says already full at 100 %, with any number of points", () => {
    expect(forecastFull(dailyMaxima(days([90, 100])))).toMatchObject({
      kind: "no-trend",
      reason: "already-full",
    });
    expect(describeForecast(forecastFull(dailyMaxima(days([96, 97, 98, 99, 100]))))).toBe("already full");
  });

  it("counts days between daily maxima, not points, where days are missing", () => {
    // Prepare: five days over ten, rising 2 a day: 70 → 88, 12 to go.
    const points: Point[] = [0, 2, 5, 7, 9].map((d) => ({
      at: new Date(START + d * DAY),
      value: 70 + 2 * d,
    }));

    // Act / Assess
    expect(forecastFull(dailyMaxima(points))).toMatchObject({ kind: "full-in", days: 6 });
  });
});
