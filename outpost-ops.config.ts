import { defineConfig } from "@outpost-ops/core/config";

/**
 * The example estate: two Outposts (a factory and a clinic) in us-west-2, DR in us-east-1.
 * Edit this file to describe your own; `npm test` and `sst deploy` validate it strictly.
 * Every field is documented in README.md ("Config reference").
 *
 * DR copies (`copy`): the copy job runs in the DR Region (regions.dr) and copies the newest completed
 * regional snapshot of every resource there, re-encrypted with a KMS key of that Region (a key ARN,
 * not an alias). `rpo` is the promise: the newest DR copy of each resource is never older than this;
 * it must cover the schedule's largest gap plus the copy time (copies often take an hour or more).
 */
const DR_KEY = "arn:aws:kms:us-east-1:123456789012:key/0d3f5c1e-7a2b-4c9d-8e6f-1a2b3c4d5e6f";
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
      // A daily set, copied when it completes: a day between sets plus two hours to copy them.
      copy: { rpo: "26h", kmsKeyArn: DR_KEY },
    },
    {
      name: "orders-db",
      resource: "rds-instance",
      selector: { tags: { Backup: "outpost-ops" } },
      schedules: [
        { name: "every-6h", expression: "rate(6 hours)", retention: { keepLast: 8, tiers: { daily: 7 } } },
      ],
      // Every snapshot copied: six hours between them, two for the copy. The copies keep one a day for
      // two weeks and the last four (copy.retention; without it they keep the schedule's own retention).
      copy: { rpo: "8h", kmsKeyArn: DR_KEY, retention: { keepLast: 4, tiers: { daily: 14 } } },
    },
    {
      name: "inventory-aurora",
      resource: "aurora-cluster",
      selector: { tags: { Backup: "outpost-ops" } },
      schedules: [
        { name: "daily", expression: "cron(0 3 * * ? *)", retention: { tiers: { daily: 7, weekly: 5 } } },
      ],
      copy: { rpo: "26h", kmsKeyArn: DR_KEY },
    },
    {
      // line-volumes snapshots locally on the factory Outpost, and local snapshots cannot be copied to
      // another Region (the config refuses copy there). So the same volumes get a second, regional
      // snapshot once a day, and that one is copied to DR. A few are enough here: the hourly local
      // snapshots are the fast restore, these are for losing the site.
      name: "line-volumes-dr",
      description: "The factory line volumes once a day in the Region, for their DR copies",
      resource: "ebs-volume",
      selector: { tags: { Backup: "outpost-ops" }, outposts: ["factory"] },
      placement: "region",
      copySourceTags: ["Application", "CostCenter"],
      schedules: [{ name: "daily", expression: "cron(30 2 * * ? *)", retention: { keepLast: 3 } }],
      copy: { rpo: "26h", kmsKeyArn: DR_KEY },
    },
  ],
  // Capacity (these are the defaults, spelled out): the monitor reconciles the per-type alarms every
  // 5 minutes, the weekly report goes out Monday 08:00 UTC, each utilization alarms at a warning and a
  // critical band, and below 10 % free local snapshot storage line-volumes snapshots in the Region.
  capacity: {
    schedule: "rate(5 minutes)",
    report: { schedule: "cron(0 8 ? * MON *)" },
    thresholds: {
      instanceType: { warning: 80, critical: 95 },
      volumeType: { warning: 80, critical: 95 },
      snapshotStorage: { warning: 80, critical: 95 },
      cpu: { warning: 80, critical: 95 },
    },
    localSnapshots: { minFreePercent: 10 },
  },
  // DNS failover to the DR site: when the factory Outpost's service link alarm fires, the two
  // records move to DR, after a preflight that checks, among others, that every copy policy's DR
  // copies are within its RPO. `api` is a Route 53 failover pair, so DNS also moves by Route 53's
  // own health checks when no change can be made (README, "Failover").
  failover: {
    hostedZone: { name: "example.com" },
    records: [
      {
        name: "app.example.com",
        type: "A",
        primary: { values: ["10.0.0.10"] },
        dr: { values: ["10.1.0.10"] },
        drHealthCheckId: "0f1e2d3c-0000-4000-8000-00000000d001",
      },
      {
        name: "api.example.com",
        type: "A",
        routing: "failover",
        primary: { values: ["10.0.0.20"] },
        dr: { values: ["10.1.0.20"] },
        primaryHealthCheckId: "0f1e2d3c-0000-4000-8000-00000000a001",
        drHealthCheckId: "0f1e2d3c-0000-4000-8000-00000000d002",
      },
    ],
    // The factory Outpost's ConnectedStatus alarm (yours, in the primary Region).
    alarms: ["factory-service-link"],
    mode: "automatic",
    cooldown: "1h",
    operators: ["arn:aws:iam::123456789012:role/sre-oncall"],
  },
});
