import { describe, expect, it } from "vitest";
import type { Band, Condition } from "../../src/capacity/model.ts";
import { capacityAlarmName, capacityAlarmPrefix, parseCapacityAlarmName } from "../../src/capacity/names.ts";
import { CapacityAlarmError } from "../../src/errors.ts";
import { capacityConfig, PREFIX } from "./fixtures.ts";

const config = capacityConfig();
const FACTORY = "op-0a1b2c3d4e5f60718";
const FACTORY_2 = "op-0f1e2d3c4b5a69788";

function thrown(name: string): CapacityAlarmError {
  try {
    parseCapacityAlarmName(config, PREFIX, name);
  } catch (error) {
    if (error instanceof CapacityAlarmError) return error;
    throw error;
  }
  throw new Error(`expected ${name} to be refused`);
}

describe("Function: capacityAlarmName", () => {
  it("names alarms as the design's examples", () => {
    expect(capacityAlarmPrefix(PREFIX)).toBe("outpost-ops-prod-capacity-");
    expect(
      capacityAlarmName(
        PREFIX,
        { outpost: "factory", kind: "instance-type", subject: "m5.large" },
        "warning",
      ),
    ).toBe("outpost-ops-prod-capacity-factory-instance-m5.large-warning");
    expect(capacityAlarmName(PREFIX, { outpost: "factory", kind: "connected" })).toBe(
      "outpost-ops-prod-capacity-factory-connected",
    );
    expect(capacityAlarmName(PREFIX, { outpost: "factory", kind: "snapshot-storage" }, "critical")).toBe(
      "outpost-ops-prod-capacity-factory-storage-critical",
    );
  });
});

describe("Function: parseCapacityAlarmName", () => {
  const cases: [Condition, Band | undefined][] = [
    [{ outpost: "factory", outpostId: FACTORY, kind: "instance-type", subject: "m5.large" }, "warning"],
    [{ outpost: "factory-2", outpostId: FACTORY_2, kind: "instance-type", subject: "m5.large" }, "critical"],
    [{ outpost: "factory", outpostId: FACTORY, kind: "volume-type", subject: "gp2" }, "critical"],
    [
      { outpost: "factory-2", outpostId: FACTORY_2, kind: "capacity-exceptions", subject: "c5.xlarge" },
      undefined,
    ],
    [{ outpost: "factory", outpostId: FACTORY, kind: "connected" }, undefined],
    [{ outpost: "factory-2", outpostId: FACTORY_2, kind: "connected" }, undefined],
    [{ outpost: "factory", outpostId: FACTORY, kind: "snapshot-storage" }, "warning"],
    [{ outpost: "factory-2", outpostId: FACTORY_2, kind: "local-snapshots" }, undefined],
    [{ outpost: "factory-2", outpostId: FACTORY_2, kind: "cpu" }, "critical"],
  ];

  it.each(cases)("round-trips %o (%s)", (condition, band) => {
    // Act
    const name = capacityAlarmName(PREFIX, condition, band);
    const parsed = parseCapacityAlarmName(config, PREFIX, name);

    // Assess
    expect(parsed).toEqual(band === undefined ? { condition } : { condition, band });
  });

  it("gives an Outpost whose name is a prefix of another's only its own alarms", () => {
    // Act
    const short = parseCapacityAlarmName(config, PREFIX, "outpost-ops-prod-capacity-factory-cpu-warning");
    const long = parseCapacityAlarmName(config, PREFIX, "outpost-ops-prod-capacity-factory-2-cpu-warning");

    // Assess
    expect(short.condition.outpost).toBe("factory");
    expect(long.condition.outpost).toBe("factory-2");
    expect(long.condition.outpostId).toBe(FACTORY_2);
  });

  it("prefers the longest Outpost name when a shorter one's remainder would parse too", () => {
    // Prepare: "factory-instance-instance-m5.large-warning" could be factory's "instance-m5.large" type.
    const tricky = capacityConfig({
      outposts: [
        { name: "factory", arn: "arn:aws:outposts:us-west-2:123456789012:outpost/op-0a1b2c3d4e5f60718" },
        {
          name: "factory-instance",
          arn: "arn:aws:outposts:us-west-2:123456789012:outpost/op-0f1e2d3c4b5a69788",
        },
      ],
      policies: [
        {
          name: "regional",
          resource: "ebs-volume",
          selector: { tags: { Backup: "yes" } },
          schedules: [{ name: "hourly", expression: "rate(1 hour)", retention: { keepLast: 3 } }],
        },
      ],
    });

    // Act
    const parsed = parseCapacityAlarmName(
      tricky,
      PREFIX,
      "outpost-ops-prod-capacity-factory-instance-instance-m5.large-warning",
    );

    // Assess
    expect(parsed.condition).toMatchObject({ outpost: "factory-instance", subject: "m5.large" });
  });

  it.each([
    ["outpost-ops-prod-rpo-orders-db", /does not start with outpost-ops-prod-capacity-/],
    [
      "outpost-ops-prod-capacity-clinic-connected",
      /no Outpost in the config matches \(known: factory, factory-2\)/,
    ],
    ["outpost-ops-prod-capacity-factory-memory-warning", /starts with no capacity kind/],
    ["outpost-ops-prod-capacity-factory-instance-m5.large", /ends in a band/],
    ["outpost-ops-prod-capacity-factory-instance-warning", /names its type/],
    ["outpost-ops-prod-capacity-factory-connected-critical", /nothing after its kind/],
    ["outpost-ops-prod-capacity-factory-storage-gp2-warning", /nothing after its kind but its band/],
  ])("refuses %s, naming the alarm", (name, why) => {
    // Act
    const error = thrown(name);

    // Assess
    expect(error.alarmName).toBe(name);
    expect(error.message).toContain(name);
    expect(error.message).toMatch(why);
  });
});
