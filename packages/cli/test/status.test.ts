import { EC2Client } from "@aws-sdk/client-ec2";
import type { AwsClients } from "@outpost-ops/core/aws/clients";
import { type Config, type ConfigInput, parseConfig } from "@outpost-ops/core/config";
import { copyTags } from "@outpost-ops/core/copy/lineage";
import { planCopies } from "@outpost-ops/core/copy/plan";
import type { SnapshotRecord } from "@outpost-ops/core/inventory";
import { type CopyState, recoveryOf } from "@outpost-ops/core/jobs/copy";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { noPaint } from "../src/colour.ts";
import { renderStatus, StatusExit, status, statusAwsProblem, statusReport } from "../src/commands/status.ts";
import type { CommandContext } from "../src/context.ts";
import { fakeIo } from "./fake-io.ts";

const NOW = new Date("2024-05-14T12:00:00Z");
const KEY = "arn:aws:kms:us-east-1:123456789012:key/0f1e2d3c-0000-4000-8000-000000000001";
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000);

function config(copy = true): Config {
  const input: ConfigInput = {
    regions: { primary: "us-west-2", dr: "us-east-1" },
    alerts: { emails: [] },
    policies: [
      {
        name: "vols",
        resource: "ebs-volume",
        selector: { tags: { Backup: "yes" } },
        schedules: [{ name: "six", expression: "rate(6 hours)", retention: { keepLast: 4 } }],
        ...(copy ? { copy: { rpo: "8h", kmsKeyArn: KEY } } : {}),
      },
      {
        name: "db",
        resource: "rds-instance",
        selector: { tags: { Backup: "yes" } },
        schedules: [{ name: "daily", expression: "cron(0 0 * * ? *)", retention: { keepLast: 4 } }],
        ...(copy ? { copy: { rpo: "26h", kmsKeyArn: KEY } } : {}),
      },
    ],
  };
  return parseConfig(input);
}

function tags(policy: string, schedule: string, source: string): Record<string, string> {
  return {
    "outpost-ops:managed": "true",
    "outpost-ops:policy": policy,
    "outpost-ops:schedule": schedule,
    "outpost-ops:source": source,
  };
}

function ebsSource(n: number, at: Date): SnapshotRecord {
  const volume = `vol-${String(n).padStart(17, "0")}`;
  return {
    kind: "ebs",
    id: `snap-${String(n).padStart(17, "0")}`,
    sourceId: volume,
    createdAt: at,
    state: "completed",
    tags: tags("vols", "six", volume),
    awsBackup: false,
  };
}

function copyOf(source: SnapshotRecord, id: string, state: SnapshotRecord["state"]): SnapshotRecord {
  return {
    ...source,
    id,
    createdAt: new Date(source.createdAt.getTime() + 600_000),
    state,
    tags: Object.fromEntries(copyTags(source, "us-west-2").map((t) => [t.Key, t.Value])),
  };
}

/** A state as readCopyState returns it, planned by the real planner. */
function stateOf(cfg: Config, sources: SnapshotRecord[], copies: SnapshotRecord[]): CopyState {
  const keys = new Map([[KEY, { arn: KEY, usable: true }]]);
  const plan = planCopies({
    sources,
    copies,
    policies: cfg.policies,
    sourceRegion: "us-west-2",
    destination: "us-east-1",
    keys,
    now: NOW,
  });
  return { at: NOW, sourceRegion: "us-west-2", destination: "us-east-1", sources, copies, keys, plan };
}

function context(cfg: Config, clients: AwsClients, json = false) {
  const t = fakeIo();
  const ctx: CommandContext = {
    config: cfg,
    region: "us-west-2",
    now: NOW,
    json,
    dryRun: false,
    yes: false,
    clients,
    alerts: { publish: async () => {} } as unknown as CommandContext["alerts"],
    clock: { now: () => NOW.getTime(), sleep: async () => {} },
    out: (text) => t.io.stdout.write(`${text}\n`),
    paint: noPaint,
    io: t.io,
  };
  return { ctx, t };
}

/** Real SDK clients (the paginators insist), every EC2 call answered with `error`. */
const ec2 = mockClient(EC2Client);
afterEach(() => ec2.reset());
function refusing(error: Error): AwsClients {
  ec2.rejects(error);
  return {
    get: (Class, where) =>
      new Class({ region: where, credentials: { accessKeyId: "test", secretAccessKey: "test" } }),
  };
}

function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 403 } });
}

describe("Function: statusReport", () => {
  it("counts copies in flight, ready and queued per service, and says a ready copy waits for the scheduler", () => {
    // Prepare: 20 EBS copies in flight fill EBS's slots, so two more volumes queue; the DB copy has a slot
    const cfg = config();
    const busy = Array.from({ length: 20 }, (_, n) => ebsSource(n, hoursAgo(6)));
    const waiting = [ebsSource(20, hoursAgo(6)), ebsSource(21, hoursAgo(5))];
    const db: SnapshotRecord = {
      kind: "rds",
      id: "oo-daily-orders-20240514t0000",
      sourceId: "orders",
      createdAt: hoursAgo(12),
      state: "completed",
      tags: tags("db", "daily", "orders"),
      awsBackup: false,
      arn: "arn:aws:rds:us-west-2:123456789012:snapshot:oo-daily-orders-20240514t0000",
    };
    const copies = busy.map((s, n) => copyOf(s, `snap-1${String(n).padStart(16, "0")}`, "pending"));
    const state = stateOf(cfg, [...busy, ...waiting, db], copies);

    // Act
    const report = statusReport(cfg, state, recoveryOf(state, cfg));

    // Assess
    expect(report.copies).toEqual({
      ebs: { limit: 20, inFlight: 20, ready: 0, queued: 2, blocked: 0, exhausted: 0 },
      rds: { limit: 20, inFlight: 0, ready: 1, queued: 0, blocked: 0, exhausted: 0 },
    });
    const byResource = new Map(report.resources.map((r) => [r.resource, r]));
    expect(byResource.get(waiting[1]?.sourceId ?? "")).toMatchObject({
      code: "copy-queued",
      reason: expect.stringContaining("queued behind 1 other(s) for an EBS copy slot"),
    });
    expect(byResource.get("orders")).toMatchObject({
      code: "copy-started",
      reason: `no DR copy yet; a copy slot is free for ${db.id}: the copy scheduler starts it`,
    });
    expect(report).toMatchObject({ withinRpo: false, needsAttention: true });
    expect(renderStatus(report)).toContain("  EBS: 20/20 in flight, 0 ready to start, 2 queued");
    expect(renderStatus(report)).toContain("  RDS/Aurora: 0/20 in flight, 1 ready to start, 0 queued");
  });

  it("a copy that failed on every attempt is counted and explained with AWS's reason", () => {
    // Prepare
    const cfg = config();
    const source = ebsSource(1, hoursAgo(6));
    const failed = [1, 2, 3].map((n) => ({
      ...copyOf(source, `snap-2${String(n).padStart(16, "0")}`, "failed"),
      stateMessage: "Snapshot copy failed: internal error",
    }));
    const state = stateOf(cfg, [source], failed);

    // Act
    const report = statusReport(cfg, state, recoveryOf(state, cfg));

    // Assess
    expect(report.copies.ebs.exhausted).toBe(1);
    expect(report.resources[0]).toMatchObject({
      code: "copy-retries-exhausted",
      reason: expect.stringContaining("failed 3 times: Snapshot copy failed: internal error"),
    });
    expect(renderStatus(report)).toContain("1 failed 3 times (not retried)");
  });
});

describe("Function: status (the command)", () => {
  it("a config without copy policies prints so and exits 0 without any AWS call", async () => {
    // Prepare
    let calls = 0;
    const clients: AwsClients = {
      get: () => {
        calls += 1;
        return {} as never;
      },
    };
    const { ctx, t } = context(config(false), clients);

    // Act
    const code = await status(ctx);

    // Assess
    expect(code).toBe(StatusExit.ok);
    expect(calls).toBe(0);
    expect(t.stdout()).toMatch(/^No policy in the config copies to the DR Region/);
  });

  it("an AWS refusal exits 1 with the permissions status needs, no stack and nothing on stdout", async () => {
    // Prepare
    const { ctx, t } = context(
      config(),
      refusing(awsError("UnauthorizedOperation", "You are not authorized to perform this operation.")),
    );

    // Act
    const code = await status(ctx);

    // Assess
    expect(code).toBe(1);
    expect(t.stdout()).toBe("");
    expect(t.stderr()).toContain(
      "AWS refused a call: UnauthorizedOperation: You are not authorized to perform this operation.",
    );
    expect(t.stderr()).toContain("status needs ec2:DescribeSnapshots");
    expect(t.stderr()).not.toMatch(/^\s+at /m);
  });

  it("a bug is not dressed up as an AWS problem: it propagates (reportFailure prints its stack)", async () => {
    // Prepare
    const { ctx } = context(config(), refusing(new TypeError("x is undefined")));

    // Act & Assess
    await expect(status(ctx)).rejects.toThrow(TypeError);
  });
});

describe("Function: statusAwsProblem", () => {
  it.each([
    [awsError("AccessDenied", "denied"), /status needs ec2:DescribeSnapshots .* kms:DescribeKey/],
    [
      awsError("ThrottlingException", "Rate exceeded"),
      /status only reads, so nothing was changed; run it again/,
    ],
    [
      Object.assign(new Error("Could not load credentials from any providers"), {
        name: "CredentialsProviderError",
      }),
      /No AWS credentials found .*Set AWS_PROFILE/,
    ],
  ])("%s", (error, message) => {
    // Act & Assess
    expect(statusAwsProblem(error)).toMatch(message);
    expect(statusAwsProblem(error)).not.toContain("--dry-run");
  });

  it("is undefined for anything that is not AWS's", () => {
    // Act & Assess
    expect(statusAwsProblem(new TypeError("x"))).toBeUndefined();
  });
});
