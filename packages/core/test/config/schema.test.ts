import { describe, expect, it } from "vitest";
import example from "../../../../outpost-ops.config.ts";
import { type ConfigInput, parseConfig } from "../../src/config/schema.ts";
import { ConfigError } from "../../src/errors.ts";

// A loose view of the input so a test can break it in ways the types forbid.
// biome-ignore lint/suspicious/noExplicitAny: bad configs are by definition off-type
type Mutable = any;

function exampleCopy(): Mutable {
  return structuredClone(example) as Mutable;
}

function parseError(input: unknown): ConfigError {
  try {
    parseConfig(input);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw new Error(`expected a ConfigError, got ${String(error)}`, { cause: error });
  }
  throw new Error("expected parseConfig to throw");
}

const schedule = (name: string, expression = "cron(0 0 * * ? *)") => ({
  name,
  expression,
  retention: { keepLast: 3 },
});

describe("Function: parseConfig", () => {
  it("accepts the example estate in outpost-ops.config.ts", () => {
    // Act
    const config = parseConfig(example);

    // Assess
    expect(config.regions).toEqual({ primary: "us-west-2", dr: "us-east-1" });
    expect(config.policies.map((p) => p.name)).toEqual([
      "line-volumes",
      "clinic-servers",
      "orders-db",
      "inventory-aurora",
      "line-volumes-dr",
    ]);
    expect(config.policies[0]?.placement).toBe("outpost");
    expect(config.policies.filter((p) => p.copy).map((p) => p.name)).toEqual([
      "clinic-servers",
      "orders-db",
      "inventory-aurora",
      "line-volumes-dr",
    ]);
    expect(config.policies[0]?.copySourceTags).toEqual(["Application", "CostCenter"]);
  });

  it("applies the documented defaults to fields left out", () => {
    // Prepare
    const input: ConfigInput = {
      regions: { primary: "us-west-2", dr: "us-east-1" },
      alerts: {},
      policies: [
        {
          name: "data",
          resource: "ebs-volume",
          selector: { tags: { Backup: "yes" } },
          schedules: [{ name: "daily", expression: "cron(0 0 * * ? *)", retention: { keepLast: 7 } }],
        },
      ],
    };

    // Act
    const config = parseConfig(input);

    // Assess
    expect(config.outposts).toEqual([]);
    expect(config.alerts.emails).toEqual([]);
    expect(config.retention).toEqual({
      schedule: "cron(15 * * * ? *)",
      maxDeletesPerRun: 1000,
      maxDeletesPercent: 25,
    });
    expect(config.policies[0]).toMatchObject({
      placement: "region",
      copySourceTags: false,
      orphanKeepLast: 1,
    });
  });

  it("defaults the example's policies that leave placement and orphanKeepLast out", () => {
    // Act
    const config = parseConfig(example);

    // Assess
    expect(config.policies[2]).toMatchObject({
      placement: "region",
      copySourceTags: false,
      orphanKeepLast: 1,
    });
  });

  it("does not modify the input it validates", () => {
    // Prepare
    const input = exampleCopy();
    const before = structuredClone(input);

    // Act
    parseConfig(input);

    // Assess
    expect(input).toEqual(before);
  });

  const badConfigs: Array<[label: string, mutate: (c: Mutable) => void, path: string, message: RegExp]> = [
    [
      "an unknown top-level key",
      (c) => Object.assign(c, { region: "us-west-2" }),
      "",
      /Unrecognized key: "region"/,
    ],
    [
      "a typo in a policy key",
      (c) => {
        c.policies[0].shedules = c.policies[0].schedules;
        delete c.policies[0].schedules;
      },
      "policies[0]",
      /Unrecognized key: "shedules"/,
    ],
    [
      "an unknown key in a retention rule",
      (c) => Object.assign(c.policies[2].schedules[0].retention, { keepFirst: 3 }),
      "policies[2].schedules[0].retention",
      /Unrecognized key: "keepFirst"/,
    ],
    [
      "a malformed Region",
      (c) => Object.assign(c.regions, { primary: "uswest2" }),
      "regions.primary",
      /AWS Region code such as us-west-2/,
    ],
    [
      "the DR Region equal to the primary",
      (c) => Object.assign(c.regions, { dr: "us-west-2" }),
      "regions.dr",
      /DR Region must differ from the primary Region/,
    ],
    [
      "a malformed Outpost ARN",
      (c) => Object.assign(c.outposts[1], { arn: "arn:aws:outposts:us-west-2:123456789012:outpost/op-123" }),
      "outposts[1].arn",
      /must be an Outpost ARN: arn:aws:outposts:REGION:ACCOUNT:outpost\/op-<17 hex>/,
    ],
    [
      "an Outpost in another Region",
      (c) =>
        Object.assign(c.outposts[1], {
          arn: "arn:aws:outposts:eu-west-1:123456789012:outpost/op-0f1e2d3c4b5a69788",
        }),
      "outposts[1].arn",
      /is not in the primary Region us-west-2/,
    ],
    [
      "an unknown Outpost name in a selector",
      (c) => Object.assign(c.policies[1].selector, { outposts: ["clinic", "hospital"] }),
      "policies[1].selector.outposts[1]",
      /unknown Outpost "hospital"; declare it under outposts \(known: factory, clinic\)/,
    ],
    [
      "a duplicate policy name",
      (c) => Object.assign(c.policies[3], { name: "orders-db" }),
      "policies[3].name",
      /duplicate policy name "orders-db"/,
    ],
    [
      "a policy name with capitals",
      (c) => Object.assign(c.policies[0], { name: "Line-Volumes" }),
      "policies[0].name",
      /policy name must be 1-40 lowercase letters, digits or dashes/,
    ],
    [
      "a duplicate schedule name",
      (c) => Object.assign(c.policies[0].schedules[1], { name: "hourly" }),
      "policies[0].schedules[1].name",
      /duplicate schedule name "hourly"/,
    ],
    [
      "five schedules in one policy",
      (c) => {
        c.policies[2].schedules = ["a", "b", "c", "d", "e"].map((n) => schedule(n));
      },
      "policies[2].schedules",
      /at most 4 schedules/,
    ],
    [
      "a cron with five fields",
      (c) => Object.assign(c.policies[0].schedules[1], { expression: "cron(0 0 * * ?)" }),
      "policies[0].schedules[1].expression",
      /cron needs 6 fields \(minutes hours day-of-month month day-of-week year\), got 5/,
    ],
    [
      "a cron with no ? in either day field",
      (c) => Object.assign(c.policies[0].schedules[1], { expression: "cron(0 0 * * * *)" }),
      "policies[0].schedules[1].expression",
      /exactly one of day-of-month and day-of-week must be \?/,
    ],
    [
      "a cron with ? in both day fields",
      (c) => Object.assign(c.policies[1].schedules[0], { expression: "cron(30 1 ? * ? *)" }),
      "policies[1].schedules[0].expression",
      /exactly one of day-of-month and day-of-week must be \?/,
    ],
    [
      "a rate that does not divide a day",
      (c) => Object.assign(c.policies[2].schedules[0], { expression: "rate(7 hours)" }),
      "policies[2].schedules[0].expression",
      /does not divide a day evenly; use minutes that divide 60 \(at least 5\), hours that divide 24/,
    ],
    [
      "L in a cron",
      (c) => Object.assign(c.policies[3].schedules[0], { expression: "cron(0 3 L * ? *)" }),
      "policies[3].schedules[0].expression",
      /L, W and # are not supported; list the days instead/,
    ],
    [
      "W in a cron",
      (c) => Object.assign(c.policies[3].schedules[0], { expression: "cron(0 3 15W * ? *)" }),
      "policies[3].schedules[0].expression",
      /L, W and # are not supported/,
    ],
    [
      "# in a cron",
      (c) => Object.assign(c.policies[3].schedules[0], { expression: "cron(0 3 ? * MON#2 *)" }),
      "policies[3].schedules[0].expression",
      /L, W and # are not supported/,
    ],
    [
      "a bad retention job schedule",
      (c) => Object.assign(c.retention, { schedule: "every hour" }),
      "retention.schedule",
      /write "cron\(min hour dom month dow year\)" or "rate\(N minutes\|hours\|days\)"/,
    ],
    [
      "a retention with no rule",
      (c) => Object.assign(c.policies[2].schedules[0], { retention: {} }),
      "policies[2].schedules[0].retention",
      /set at least one of keepLast, maxAge, tiers/,
    ],
    [
      "keepLast 0",
      (c) => Object.assign(c.policies[0].schedules[0].retention, { keepLast: 0 }),
      "policies[0].schedules[0].retention.keepLast",
      />=1/,
    ],
    [
      'maxAge "10 days"',
      (c) => Object.assign(c.policies[0].schedules[1].retention, { maxAge: "10 days" }),
      "policies[0].schedules[1].retention.maxAge",
      /must be a duration such as 30m, 12h, 90d or 2w/,
    ],
    [
      'maxAge "0d"',
      (c) => Object.assign(c.policies[0].schedules[1].retention, { maxAge: "0d" }),
      "policies[0].schedules[1].retention.maxAge",
      /must be longer than zero/,
    ],
    [
      "empty tiers",
      (c) => Object.assign(c.policies[3].schedules[0].retention, { tiers: {} }),
      "policies[3].schedules[0].retention.tiers",
      /name at least one tier \(hourly, daily, weekly, monthly, yearly\)/,
    ],
    [
      "an unknown tier",
      (c) => Object.assign(c.policies[3].schedules[0].retention, { tiers: { daily: 7, fortnightly: 2 } }),
      "policies[3].schedules[0].retention.tiers",
      /Unrecognized key: "fortnightly"/,
    ],
    [
      "Outpost placement on an RDS instance policy",
      (c) => Object.assign(c.policies[2], { placement: "outpost" }),
      "policies[2].placement",
      /"outpost" placement is for ebs-volume and ec2-instance policies; rds-instance snapshots live in the Region/,
    ],
    [
      "Outpost selection on an Aurora policy",
      (c) => Object.assign(c.policies[3].selector, { outposts: ["factory"] }),
      "policies[3].selector.outposts",
      /Outpost selection is for ebs-volume and ec2-instance policies, not aurora-cluster/,
    ],
    [
      "exclude on an ebs-volume policy",
      (c) => Object.assign(c.policies[0], { exclude: { bootVolume: true } }),
      "policies[0].exclude",
      /exclude applies to ec2-instance policies only/,
    ],
    [
      "an unknown volume type in exclude",
      (c) => Object.assign(c.policies[1].exclude, { volumeTypes: ["sc1", "nvme"] }),
      "policies[1].exclude.volumeTypes[1]",
      /expected one of "gp2"\|"gp3"/,
    ],
    [
      "a selector without tags",
      (c) => {
        delete c.policies[0].selector.tags;
      },
      "policies[0].selector.tags",
      /expected record/,
    ],
    [
      "a selector with an empty tag map",
      (c) => Object.assign(c.policies[2].selector, { tags: {} }),
      "policies[2].selector.tags",
      /select on at least one tag/,
    ],
    [
      "a malformed e-mail",
      (c) => Object.assign(c.alerts, { emails: ["sre-oncall@example.com", "sre-oncall"] }),
      "alerts.emails[1]",
      /must be an e-mail address/,
    ],
    [
      "maxDeletesPercent 0",
      (c) => Object.assign(c.retention, { maxDeletesPercent: 0 }),
      "retention.maxDeletesPercent",
      />0/,
    ],
    [
      "maxDeletesPercent over 100",
      (c) => Object.assign(c.retention, { maxDeletesPercent: 101 }),
      "retention.maxDeletesPercent",
      /<=100/,
    ],
    [
      "no policies",
      (c) => Object.assign(c, { policies: [] }),
      "policies",
      /define at least one backup policy/,
    ],
    [
      "a resource kind typo",
      (c) => Object.assign(c.policies[0], { resource: "ebs-volumes" }),
      "policies[0].resource",
      /expected one of "ebs-volume"\|"ec2-instance"\|"rds-instance"\|"aurora-cluster"/,
    ],
  ];

  it.each(badConfigs)("rejects %s, naming the field and what is allowed", (_label, mutate, path, message) => {
    // Prepare
    const input = exampleCopy();
    mutate(input);

    // Act
    const error = parseError(input);

    // Assess
    expect(error.issues).toContainEqual({ path, message: expect.stringMatching(message) });
    expect(error.message).toContain(`${path || "(root)"}: `);
  });

  it("reports one issue per bad Outpost, not one per policy", () => {
    // Prepare
    const input = exampleCopy();
    input.outposts[0].arn = "arn:aws:outposts:eu-west-1:123456789012:outpost/op-0a1b2c3d4e5f60718";

    // Act
    const error = parseError(input);

    // Assess
    expect(error.issues).toEqual([
      {
        path: "outposts[0].arn",
        message:
          "Outpost arn:aws:outposts:eu-west-1:123456789012:outpost/op-0a1b2c3d4e5f60718 is not in the primary Region us-west-2",
      },
    ]);
  });

  it("reports only the Region itself when the primary Region is malformed", () => {
    // Prepare
    const input = exampleCopy();
    input.regions.primary = "US-WEST-2";

    // Act
    const error = parseError(input);

    // Assess
    expect(error.issues.map((i) => i.path)).toEqual(["regions.primary"]);
  });

  it("reports every bad field at once", () => {
    // Prepare
    const input = exampleCopy();
    input.regions.dr = "us-west-2";
    // (the copy keys are in us-east-1, so each is now in the wrong Region: reported too)
    input.policies[1].name = "line-volumes";
    input.policies[2].schedules[0].retention.keepLast = 0;

    // Act
    const error = parseError(input);

    // Assess
    expect(error.issues.map((i) => i.path).sort()).toEqual([
      "policies[1].copy.kmsKeyArn",
      "policies[1].name",
      "policies[2].copy.kmsKeyArn",
      "policies[2].schedules[0].retention.keepLast",
      "policies[3].copy.kmsKeyArn",
      "policies[4].copy.kmsKeyArn",
      "regions.dr",
    ]);
  });

  it("says in its message that nothing was sent to AWS and names the source file", () => {
    // Prepare
    const input = exampleCopy();
    input.regions.dr = "us-west-2";

    // Act
    let error: unknown;
    try {
      parseConfig(input, "configs/site-a.ts");
    } catch (caught) {
      error = caught;
    }

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).name).toBe("ConfigError");
    expect((error as ConfigError).message).toMatch(/^Invalid configs\/site-a\.ts:/);
    expect((error as ConfigError).message).toContain(
      "  - regions.dr: the DR Region must differ from the primary Region",
    );
    expect((error as ConfigError).message).toContain("nothing was sent to AWS");
  });

  it("names outpost-ops.config.ts when no source is given", () => {
    // Act
    const error = parseError({});

    // Assess
    expect(error.message).toMatch(/^Invalid outpost-ops\.config\.ts:/);
    expect(error.issues.map((i) => i.path)).toEqual(
      expect.arrayContaining(["regions", "alerts", "policies"]),
    );
  });
});
