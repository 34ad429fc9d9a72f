import type { Config, ConfigInput } from "../../src/config/schema.ts";
import { parseConfig } from "../../src/config/schema.ts";

export const PREFIX = "outpost-ops-prod";
export const FACTORY_ARN = "arn:aws:outposts:us-west-2:123456789012:outpost/op-0a1b2c3d4e5f60718";
export const FACTORY_2_ARN = "arn:aws:outposts:us-west-2:123456789012:outpost/op-0f1e2d3c4b5a69788";
export const AT = new Date("2024-05-14T10:00:00.000Z");

const schedule = { name: "hourly", expression: "rate(1 hour)", retention: { keepLast: 3 } };

/** Two Outposts, one name a prefix of the other, and policies placed on each. */
export function capacityConfig(more: Partial<ConfigInput> = {}): Config {
  return parseConfig({
    regions: { primary: "us-west-2", dr: "us-east-1" },
    outposts: [
      { name: "factory", arn: FACTORY_ARN },
      { name: "factory-2", arn: FACTORY_2_ARN },
    ],
    alerts: { emails: [] },
    policies: [
      {
        name: "line-volumes",
        resource: "ebs-volume",
        selector: { tags: { Backup: "yes" }, outposts: ["factory"] },
        placement: "outpost",
        schedules: [schedule],
      },
      {
        name: "line-strict",
        resource: "ec2-instance",
        selector: { tags: { Backup: "yes" }, outposts: ["factory"] },
        placement: "outpost",
        residency: "strict",
        schedules: [schedule],
      },
      {
        name: "second-site",
        resource: "ebs-volume",
        selector: { tags: { Backup: "yes" }, outposts: ["factory-2"] },
        placement: "outpost",
        schedules: [schedule],
      },
      {
        name: "regional",
        resource: "ebs-volume",
        selector: { tags: { Backup: "yes" } },
        schedules: [schedule],
      },
    ],
    ...more,
  });
}
