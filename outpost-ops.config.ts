import { defineConfig } from "@outpost-ops/core/config";

/**
 * The example estate: two Outposts (a factory and a clinic) in us-west-2, DR in us-east-1.
 * Edit this file to describe your own; `npm test` and `sst deploy` validate it strictly.
 * Every field is documented in README.md ("Config reference").
 */
export default defineConfig({
  regions: { primary: "us-west-2", dr: "us-east-1" },
  outposts: [
    { name: "factory", arn: "arn:aws:outposts:us-west-2:123456789012:outpost/op-0a1b2c3d4e5f60718" },
    { name: "clinic", arn: "arn:aws:outposts:us-west-2:123456789012:outpost/op-0f1e2d3c4b5a69788" },
  ],
  alerts: { emails: ["sre-oncall@example.com"] },
  retention: { schedule: "cron(15 * * * ? *)", maxDeletesPerRun: 1000, maxDeletesPercent: 25 },
  policies: [
    {
      name: "line-volumes",
      description: "Production-line data volumes on the factory Outpost, kept locally and in the Region",
      resource: "ebs-volume",
      selector: { tags: { Backup: "outpost-ops" }, outposts: ["factory"] },
      placement: "outpost",
      copySourceTags: ["Application", "CostCenter"],
      schedules: [
        { name: "hourly", expression: "rate(1 hour)", retention: { keepLast: 24 } },
        {
          name: "daily",
          expression: "cron(0 0 * * ? *)",
          retention: { tiers: { daily: 7, weekly: 4, monthly: 12 }, maxAge: "400d" },
        },
      ],
    },
    {
      name: "clinic-servers",
      description: "Whole clinic instances as crash-consistent sets, boot volumes left out",
      resource: "ec2-instance",
      selector: { tags: { Backup: "outpost-ops" }, outposts: ["clinic"] },
      exclude: { bootVolume: true, volumeTypes: ["sc1"] },
      copySourceTags: true,
      schedules: [
        { name: "daily", expression: "cron(30 1 * * ? *)", retention: { keepLast: 14, maxAge: "30d" } },
      ],
    },
    {
      name: "orders-db",
      resource: "rds-instance",
      selector: { tags: { Backup: "outpost-ops" } },
      schedules: [
        { name: "every-6h", expression: "rate(6 hours)", retention: { keepLast: 8, tiers: { daily: 7 } } },
      ],
    },
    {
      name: "inventory-aurora",
      resource: "aurora-cluster",
      selector: { tags: { Backup: "outpost-ops" } },
      schedules: [
        { name: "daily", expression: "cron(0 3 * * ? *)", retention: { tiers: { daily: 7, weekly: 5 } } },
      ],
    },
  ],
});
