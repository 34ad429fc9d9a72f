import { describe, expect, it } from "vitest";
import { copyRegions, deploymentRegions, destinationsOf } from "../../src/config/regions.ts";
import { parseConfig } from "../../src/config/schema.ts";
import { ConfigError } from "../../src/errors.ts";

const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

// biome-ignore lint/suspicious/noExplicitAny: bad configs are by definition off-type
function config(policy: Record<string, any>): unknown {
  return {
    regions: { primary: "us-west-2", dr: "us-east-1" },
    outposts: [
      { name: "factory", arn: "arn:aws:outposts:us-west-2:123456789012:outpost/op-0a1b2c3d4e5f60718" },
    ],
    alerts: { emails: [] },
    policies: [
      {
        name: "vols",
        resource: "ebs-volume",
        selector: { tags: { Backup: "dr" } },
        schedules: [
          { name: "hourly", expression: "rate(1 hour)", retention: { keepLast: 24 } },
          { name: "daily", expression: "cron(0 3 * * ? *)", retention: { keepLast: 7 } },
        ],
        ...policy,
      },
    ],
  };
}

function issues(input: unknown): { path: string; message: string }[] {
  try {
    parseConfig(input);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  return [];
}

describe("Config: copy", () => {
  it("accepts a copy rule and leaves its defaults unset", () => {
    // Act
    const parsed = parseConfig(config({ copy: { rpo: "6h", kmsKeyArn: KEY } }));

    // Assess
    expect(parsed.policies[0]?.copy).toEqual({ rpo: "6h", kmsKeyArn: KEY });
  });

  it("refuses a copy of snapshots placed on an Outpost, naming the fix", () => {
    // Act
    const found = issues(config({ placement: "outpost", copy: { rpo: "6h", kmsKeyArn: KEY } }));

    // Assess
    expect(found).toHaveLength(1);
    expect(found[0]?.path).toBe("policies[0].copy");
    expect(found[0]?.message).toMatch(/cannot be copied.*second policy with placement "region"/);
  });

  it("refuses an RPO shorter than the largest gap of the most frequent copied schedule", () => {
    // Act: only the daily schedule is copied, so 6h cannot be met
    const found = issues(config({ copy: { rpo: "6h", kmsKeyArn: KEY, schedules: ["daily"] } }));

    // Assess
    expect(found).toEqual([
      expect.objectContaining({
        path: "policies[0].copy.rpo",
        message: expect.stringMatching(/every 1d \(daily\)/),
      }),
    ]);
  });

  it("measures the largest gap, not the smallest, of an uneven cron", () => {
    // Arrange: fires at 08:00 and 12:00, so the newest snapshot can be 20 hours old
    const uneven = {
      schedules: [{ name: "twice", expression: "cron(0 8,12 * * ? *)", retention: { keepLast: 4 } }],
    };

    // Act / Assess
    expect(issues(config({ ...uneven, copy: { rpo: "12h", kmsKeyArn: KEY } }))[0]?.path).toBe(
      "policies[0].copy.rpo",
    );
    expect(issues(config({ ...uneven, copy: { rpo: "21h", kmsKeyArn: KEY } }))).toEqual([]);
  });

  it("names an unknown copied schedule", () => {
    expect(issues(config({ copy: { rpo: "2h", kmsKeyArn: KEY, schedules: ["weekly"] } }))).toEqual([
      expect.objectContaining({
        path: "policies[0].copy.schedules[0]",
        message: expect.stringMatching(/unknown schedule "weekly"/),
      }),
    ]);
  });

  it("wants a key ARN (not an alias) in the DR Region", () => {
    // Act
    const alias = issues(config({ copy: { rpo: "2h", kmsKeyArn: "alias/dr" } }));
    const elsewhere = issues(
      config({ copy: { rpo: "2h", kmsKeyArn: KEY.replace("us-east-1", "eu-west-1") } }),
    );

    // Assess
    expect(alias[0]?.path).toBe("policies[0].copy.kmsKeyArn");
    expect(alias[0]?.message).toMatch(/not an alias/);
    expect(elsewhere).toEqual([
      expect.objectContaining({
        path: "policies[0].copy.kmsKeyArn",
        message: expect.stringMatching(/in eu-west-1.*us-east-1/),
      }),
    ]);
  });

  it("bounds time-based copies to CopySnapshot's range, to EBS, and to the RPO", () => {
    expect(issues(config({ copy: { rpo: "6h", kmsKeyArn: KEY, completionWithin: "10m" } }))[0]?.path).toBe(
      "policies[0].copy.completionWithin",
    );
    expect(issues(config({ copy: { rpo: "6h", kmsKeyArn: KEY, completionWithin: "3d" } }))[0]?.path).toBe(
      "policies[0].copy.completionWithin",
    );
    // hourly snapshots + a copy within 6h can be 7h old: more than the RPO
    expect(
      issues(config({ copy: { rpo: "6h", kmsKeyArn: KEY, completionWithin: "6h" } }))[0]?.message,
    ).toMatch(/can be older than the rpo/);
    expect(issues(config({ copy: { rpo: "6h", kmsKeyArn: KEY, completionWithin: "2h" } }))).toEqual([]);
    expect(
      issues(
        config({
          resource: "rds-instance",
          copy: { rpo: "6h", kmsKeyArn: KEY, completionWithin: "2h" },
        }),
      )[0]?.path,
    ).toBe("policies[0].copy.completionWithin");
  });

  it("is strict: an unknown key in copy is an error at its path", () => {
    expect(issues(config({ copy: { rpo: "6h", kmsKeyArn: KEY, region: "us-east-1" } }))[0]?.path).toBe(
      "policies[0].copy",
    );
  });
});

describe("Config: copy.retention", () => {
  it("refuses a maxAge shorter than a copied schedule's gap (its newest copy would be re-made forever)", () => {
    expect(
      issues(config({ copy: { rpo: "2h", kmsKeyArn: KEY, retention: { keepLast: 3, maxAge: "12h" } } })),
    ).toEqual([
      expect.objectContaining({
        path: "policies[0].copy.retention.maxAge",
        message: expect.stringMatching(/daily's gap of 1d/),
      }),
    ]);
    expect(issues(config({ copy: { rpo: "2h", kmsKeyArn: KEY, retention: { maxAge: "2d" } } }))).toEqual([]);
  });
});

describe("Config: copy.alsoTo (more destination Regions)", () => {
  const EU_KEY = KEY.replace("us-east-1", "eu-west-1");
  const AP_KEY = KEY.replace("us-east-1", "ap-southeast-2");

  it("accepts more Regions, each with a key of its own Region, and lists every Region to deploy", () => {
    // Act
    const parsed = parseConfig(
      config({
        copy: {
          rpo: "6h",
          kmsKeyArn: KEY,
          alsoTo: [
            { region: "eu-west-1", kmsKeyArn: EU_KEY },
            { region: "ap-southeast-2", kmsKeyArn: AP_KEY },
          ],
        },
      }),
    );

    // Assess
    const policy = parsed.policies[0];
    if (!policy) throw new Error("no policy");
    expect(destinationsOf(policy, parsed).map((d) => [d.region, d.kmsKeyArn])).toEqual([
      ["us-east-1", KEY],
      ["eu-west-1", EU_KEY],
      ["ap-southeast-2", AP_KEY],
    ]);
    expect(copyRegions(parsed)).toEqual(["us-east-1", "eu-west-1", "ap-southeast-2"]);
    expect(deploymentRegions(parsed)).toEqual(["us-west-2", "us-east-1", "eu-west-1", "ap-southeast-2"]);
  });

  it("without copy, only the primary and DR Regions are deployed and nothing is copied", () => {
    // Act
    const parsed = parseConfig(config({}));

    // Assess
    expect(copyRegions(parsed)).toEqual([]);
    expect(deploymentRegions(parsed)).toEqual(["us-west-2", "us-east-1"]);
  });

  it("refuses the primary Region, regions.dr, a Region named twice, and a key of another Region, each at its path", () => {
    // Act
    const found = issues(
      config({
        copy: {
          rpo: "6h",
          kmsKeyArn: KEY,
          alsoTo: [
            { region: "us-west-2", kmsKeyArn: KEY.replace("us-east-1", "us-west-2") },
            { region: "us-east-1", kmsKeyArn: KEY },
            { region: "eu-west-1", kmsKeyArn: EU_KEY },
            { region: "eu-west-1", kmsKeyArn: EU_KEY },
            { region: "ap-southeast-2", kmsKeyArn: EU_KEY },
          ],
        },
      }),
    );

    // Assess
    expect(found).toEqual([
      { path: "policies[0].copy.alsoTo[0].region", message: expect.stringMatching(/primary Region/) },
      { path: "policies[0].copy.alsoTo[1].region", message: expect.stringMatching(/regions\.dr/) },
      { path: "policies[0].copy.alsoTo[3].region", message: expect.stringMatching(/listed twice/) },
      {
        path: "policies[0].copy.alsoTo[4].kmsKeyArn",
        message: expect.stringMatching(/in eu-west-1.*ap-southeast-2/),
      },
    ]);
  });

  it("is strict and wants a Region code and a key ARN in each entry", () => {
    // Act
    const found = issues(
      config({
        copy: {
          rpo: "6h",
          kmsKeyArn: KEY,
          alsoTo: [{ region: "Ireland", kmsKeyArn: "alias/dr", account: "123456789012" }],
        },
      }),
    );

    // Assess
    expect(found.map((f) => f.path).sort()).toEqual([
      "policies[0].copy.alsoTo[0]",
      "policies[0].copy.alsoTo[0].kmsKeyArn",
      "policies[0].copy.alsoTo[0].region",
    ]);
  });
});
