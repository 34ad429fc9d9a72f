import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/schema.ts";
import { copyView } from "../../src/copy/destinations.ts";

const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const EU_KEY = KEY.replace("us-east-1", "eu-west-1");

const hourly = [{ name: "hourly", expression: "rate(1 hour)", retention: { keepLast: 24 } }];
const config = parseConfig({
  regions: { primary: "us-west-2", dr: "us-east-1" },
  alerts: { emails: [] },
  policies: [
    {
      name: "everywhere",
      resource: "ebs-volume",
      selector: { tags: { Backup: "a" } },
      schedules: hourly,
      copy: { rpo: "6h", kmsKeyArn: KEY, alsoTo: [{ region: "eu-west-1", kmsKeyArn: EU_KEY }] },
    },
    {
      name: "dr-only",
      resource: "ebs-volume",
      selector: { tags: { Backup: "b" } },
      schedules: hourly,
      copy: { rpo: "6h", kmsKeyArn: KEY },
    },
    { name: "local", resource: "ebs-volume", selector: { tags: { Backup: "c" } }, schedules: hourly },
  ],
});

const copying = (region: string) =>
  copyView(config, region).policies.flatMap((p) => (p.copy ? [[p.name, p.copy.kmsKeyArn]] : []));

describe("copyView", () => {
  it("keeps copy on the policies copying to the destination, with that destination's key", () => {
    expect(copying("us-east-1")).toEqual([
      ["everywhere", KEY],
      ["dr-only", KEY],
    ]);
    expect(copying("eu-west-1")).toEqual([["everywhere", EU_KEY]]);
  });

  it("leaves nothing to copy in a Region no policy copies to, and every policy in place", () => {
    expect(copying("ap-south-1")).toEqual([]);
    expect(copyView(config, "eu-west-1").policies.map((p) => p.name)).toEqual([
      "everywhere",
      "dr-only",
      "local",
    ]);
  });

  it("keeps the rest of the copy rule (rpo, schedules) and of the config", () => {
    const view = copyView(config, "eu-west-1");
    expect(view.regions).toEqual(config.regions);
    expect(view.policies[0]?.copy?.rpo).toBe("6h");
    expect(view.policies[0]?.schedules).toEqual(config.policies[0]?.schedules);
  });
});
