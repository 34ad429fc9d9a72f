import { describe, expect, it } from "vitest";
import example from "../../../../outpost-ops.config.ts";
import { parseConfig } from "../../src/config/schema.ts";
import { ConfigError, type ConfigIssue } from "../../src/errors.ts";

// biome-ignore lint/suspicious/noExplicitAny: bad configs are by definition off-type
type Mutable = any;

function exampleCopy(): Mutable {
  return structuredClone(example) as Mutable;
}

function issues(input: unknown): ConfigIssue[] {
  try {
    parseConfig(input);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
}

const DEFAULTS = {
  schedule: "rate(5 minutes)",
  report: { schedule: "cron(0 8 ? * MON *)" },
  thresholds: {
    instanceType: { warning: 80, critical: 95 },
    volumeType: { warning: 80, critical: 95 },
    snapshotStorage: { warning: 80, critical: 95 },
    cpu: { warning: 80, critical: 95 },
  },
  localSnapshots: { minFreePercent: 10 },
};

describe("Config: capacity", () => {
  it("defaults the whole section when it is left out", () => {
    // Prepare
    const input = exampleCopy();
    delete input.capacity;

    // Act
    const config = parseConfig(input);

    // Assess
    expect(config.capacity).toEqual(DEFAULTS);
  });

  it("spells out the defaults in the example config", () => {
    expect(parseConfig(example).capacity).toEqual(DEFAULTS);
  });

  it("defaults the fields a partial section leaves out", () => {
    // Prepare
    const input = exampleCopy();
    input.capacity = { thresholds: { cpu: { warning: 60 } } };

    // Act
    const config = parseConfig(input);

    // Assess
    expect(config.capacity.thresholds.cpu).toEqual({ warning: 60, critical: 95 });
    expect(config.capacity.thresholds.instanceType).toEqual({ warning: 80, critical: 95 });
    expect(config.capacity.localSnapshots.minFreePercent).toBe(10);
  });

  it.each([
    [
      "warning equal to critical",
      { thresholds: { volumeType: { warning: 95, critical: 95 } } },
      "capacity.thresholds.volumeType.warning",
      /warning \(95 %\) must be below critical \(95 %\)/,
    ],
    [
      "warning above a defaulted critical",
      { thresholds: { instanceType: { warning: 97 } } },
      "capacity.thresholds.instanceType.warning",
      /must be below critical \(95 %\)/,
    ],
    [
      "a percent above 100",
      { thresholds: { cpu: { critical: 120 } } },
      "capacity.thresholds.cpu.critical",
      /100/,
    ],
    [
      "a fractional percent",
      { thresholds: { snapshotStorage: { warning: 80.5 } } },
      "capacity.thresholds.snapshotStorage.warning",
      /int/i,
    ],
    [
      "a floor above 90 %",
      { localSnapshots: { minFreePercent: 95 } },
      "capacity.localSnapshots.minFreePercent",
      /90/,
    ],
    ["an unknown key", { thresholds: { memory: {} } }, "capacity.thresholds", /Unrecognized key: "memory"/],
    ["a bad schedule", { report: { schedule: "weekly" } }, "capacity.report.schedule", /weekly/],
    [
      "a monitor that runs less than hourly",
      { schedule: "rate(2 hours)" },
      "capacity.schedule",
      /at least every hour/,
    ],
  ])("refuses %s at its field", (_label, capacity, path, message) => {
    // Prepare
    const input = exampleCopy();
    input.capacity = capacity;

    // Act
    const found = issues(input);

    // Assess
    expect(found.map((i) => i.path)).toEqual([path]);
    expect(found[0]?.message).toMatch(message);
  });
});

describe("Config: policy residency", () => {
  it('defaults to "flexible"', () => {
    expect(parseConfig(example).policies.map((p) => p.residency)).toEqual([
      "flexible",
      "flexible",
      "flexible",
      "flexible",
      "flexible",
    ]);
  });

  it('accepts "strict" on a policy placed on an Outpost', () => {
    // Prepare
    const input = exampleCopy();
    input.policies[0].residency = "strict";

    // Act / Assess
    expect(parseConfig(input).policies[0]?.residency).toBe("strict");
  });

  it('refuses "strict" on a policy placed in the Region, at its field', () => {
    // Prepare
    const input = exampleCopy();
    input.policies[4].residency = "strict";

    // Act
    const found = issues(input);

    // Assess
    expect(found).toEqual([
      {
        path: "policies[4].residency",
        message: expect.stringMatching(/needs placement "outpost"/),
      },
    ]);
  });

  it("refuses an unknown residency", () => {
    // Prepare
    const input = exampleCopy();
    input.policies[0].residency = "local";

    // Act / Assess
    expect(issues(input).map((i) => i.path)).toEqual(["policies[0].residency"]);
  });
});
