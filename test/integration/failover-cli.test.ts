/**
 * `outpost-ops failover|failback --local` against the sandbox's Route 53 and CloudWatch: the CLI runs
 * as a child process (pipes, no terminal) with the sandbox as its endpoint, except the confirmation
 * test, which needs a terminal and so calls the command in-process with a fake one. DR readiness
 * comes from the copy gauges published in the DR Region, as the copy scheduler publishes them.
 *
 * The runs use the wall clock (as the CLI does); Route 53 keeps a change PENDING for 5 s of sandbox
 * time, so while a run is in flight the sandbox clock is moved ahead for it to reach INSYNC.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { type AwsClients, createClients } from "@outpost-ops/core/aws/clients";
import { type ConfigInput, parseConfig } from "@outpost-ops/core/config";
import type { FailoverResult } from "@outpost-ops/core/failover/result";
import { type Sandbox, startSandbox } from "@outpost-ops/sandbox";
import { noPaint } from "outpost-ops/src/colour.ts";
import { failover } from "outpost-ops/src/commands/failover.ts";
import { type CommandContext, wallClock } from "outpost-ops/src/context.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fakeIo } from "../../packages/cli/test/fake-io.ts";
import { cliProcess } from "./cli-process.ts";
import { CREDENTIALS, REGION } from "./helpers.ts";

const DR = "us-east-1";
const ZONE_ID = "Z01234567ABCDEFGHIJK";
const STATE = "_outpost-ops-failover.example.com.";
const KEY = "arn:aws:kms:us-east-1:123456789012:key/0f1e2d3c-0000-4000-8000-000000000001";

const INPUT: ConfigInput = {
  regions: { primary: REGION, dr: DR },
  alerts: { emails: [] },
  policies: [
    {
      name: "orders",
      resource: "rds-instance",
      selector: { tags: { Backup: "outpost-ops" } },
      schedules: [{ name: "six", expression: "rate(6 hours)", retention: { keepLast: 4 } }],
      copy: { rpo: "8h", kmsKeyArn: KEY },
    },
  ],
  failover: {
    hostedZone: { name: "example.com" },
    records: [
      {
        name: "app.example.com",
        type: "A",
        primary: { values: ["10.0.0.10"] },
        dr: { values: ["10.1.0.10"] },
        drHealthCheckId: "0f1e2d3c-0000-4000-8000-00000000aaaa",
      },
      {
        name: "api.example.com",
        type: "CNAME",
        primary: { values: ["api-primary.example.net"] },
        dr: { values: ["api-dr.example.net"] },
      },
    ],
  },
};

describe("Integration: outpost-ops failover and failback --local against the sandbox", () => {
  let sb: Sandbox;
  let clients: AwsClients;
  let dir: string;
  let configPath: string;
  let env: Record<string, string>;
  /** Gauge timestamps: each publication a minute after the last, so the newest always wins. */
  let published = 0;

  /** What the copy scheduler publishes in the DR Region: resources without a copy, the oldest copy's age. */
  async function publishGauges(gauges: { withoutDrCopy: number; worstAgeHours: number }): Promise<void> {
    const at = new Date(Date.now() - 25 * 60_000 + published++ * 60_000);
    await clients.get(CloudWatchClient, DR).send(
      new PutMetricDataCommand({
        Namespace: "OutpostOps",
        MetricData: [
          {
            MetricName: "ResourcesWithoutDrCopy",
            Dimensions: [{ Name: "policy", Value: "orders" }],
            Value: gauges.withoutDrCopy,
            Unit: "Count",
            Timestamp: at,
          },
          {
            MetricName: "WorstRecoveryPointAge",
            Dimensions: [
              { Name: "policy", Value: "orders" },
              { Name: "location", Value: "dr" },
            ],
            Value: gauges.worstAgeHours * 3600,
            Unit: "Seconds",
            Timestamp: at,
          },
        ],
      }),
    );
  }

  /** Runs while the sandbox clock moves 10x faster than the wall clock (Route 53's PENDING → INSYNC). */
  async function withRoute53Time<T>(run: Promise<T>): Promise<T> {
    const timer = setInterval(() => sb.clock.advance(1_000), 100);
    try {
      return await run;
    } finally {
      clearInterval(timer);
    }
  }

  const cli = (args: string[]) => withRoute53Time(cliProcess([...args, "--config", configPath], env));

  const values = (name: string) => sb.state.records(ZONE_ID).find((r) => r.name === name)?.values;
  const stateRecord = () => sb.state.records(ZONE_ID).find((r) => r.name === STATE && r.type === "TXT");

  beforeAll(async () => {
    sb = await startSandbox({ port: 0, startTime: new Date() });
    sb.seed({
      // The copy policy's DR key, so that status has nothing else to flag.
      kmsKeys: [{ region: DR, id: "0f1e2d3c-0000-4000-8000-000000000001" }],
      hostedZones: [
        {
          id: ZONE_ID,
          name: "example.com",
          records: [
            { name: "app.example.com", type: "A", ttl: 60, values: ["10.0.0.10"] },
            { name: "api.example.com", type: "CNAME", ttl: 60, values: ["api-primary.example.net"] },
            { name: "www.example.com", type: "A", ttl: 300, values: ["10.0.0.99"] },
          ],
        },
      ],
    });
    clients = createClients({ endpoint: sb.endpoint, credentials: CREDENTIALS, maxAttempts: 3 });
    dir = mkdtempSync(join(tmpdir(), "outpost-ops-failover-"));
    configPath = join(dir, "outpost-ops.config.ts");
    writeFileSync(
      configPath,
      `import { defineConfig } from "@outpost-ops/core/config";\n\nexport default defineConfig(${JSON.stringify(INPUT, null, 2)});\n`,
    );
    env = {
      AWS_ENDPOINT_URL: sb.endpoint,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    };
  });

  afterAll(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    await sb?.close();
  });

  it("failover --local --dry-run shows the preflight and the records' moves, and changes nothing (exit 0)", async () => {
    // Prepare
    await publishGauges({ withoutDrCopy: 0, worstAgeHours: 1 });

    // Act
    const run = await cli(["failover", "--local", "--dry-run"]);

    // Assess
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("Failover to the DR site (dry run: nothing is changed)");
    expect(run.stdout).toMatch(/✓ recovery-points\s+orders: every DR copy within 8h 0m/);
    expect(run.stdout).toMatch(
      /✓ health\s+health check 0f1e2d3c-0000-4000-8000-00000000aaaa: 1 of 1 checkers/,
    );
    expect(run.stdout).toMatch(/app\.example\.com\. A\s+10\.0\.0\.10 \(TTL 60\) → 10\.1\.0\.10 \(TTL 60\)/);
    expect(run.stdout).toContain("api-primary.example.net (TTL 60) → api-dr.example.net (TTL 60)");
    expect(run.stdout).toContain("Decision: move 2 record(s) to the DR site");
    expect(run.stderr).toContain("Preflight locally");
    expect(run.stderr).not.toContain("Submitting");
    expect(values("app.example.com.")).toEqual(["10.0.0.10"]);
    expect(stateRecord()).toBeUndefined();
  });

  it("status adds a Failover readiness section: READY, and exits 0", async () => {
    // Act
    const text = await cli(["status"]);
    const json = await cli(["status", "--json"]);

    // Assess
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(
      "Failover readiness (DNS to the DR site; the function runs in us-east-1): READY",
    );
    expect(text.stdout).toMatch(/✓ recovery-points\s+orders: every DR copy within 8h 0m/);
    expect(text.stdout).toContain("app.example.com. A: primary, 10.0.0.10 (TTL 60)");
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as {
      needsAttention: boolean;
      withinRpo: boolean;
      failover: { state: string };
    };
    expect(report).toMatchObject({
      needsAttention: false,
      withinRpo: true,
      failover: { state: "ready", region: DR },
    });
    expect(values("app.example.com.")).toEqual(["10.0.0.10"]);
  });

  it("stale DR data refuses with the reasons and names --force (exit 2); nothing is changed", async () => {
    // Prepare
    await publishGauges({ withoutDrCopy: 0, worstAgeHours: 20 });

    // Act
    const run = await cli(["failover", "--local", "--yes"]);

    // Assess
    expect(run.code, run.stderr).toBe(2);
    expect(run.stdout).toContain("Refused (dr-behind-rpo)");
    expect(run.stdout).toMatch(
      /- recovery-points: orders: its oldest DR copy is 20h \d+m old, more than the RPO of 8h 0m/,
    );
    expect(run.stdout).toContain("--force overrides recovery-points");
    expect(run.stdout).toContain("npx outpost-ops failover --local --force");
    expect(values("app.example.com.")).toEqual(["10.0.0.10"]);
    expect(stateRecord()).toBeUndefined();
  });

  it("status says a failover would be refused on stale DR data, and needs attention (exit 4)", async () => {
    // Act: the DR data is as stale as in the test before
    const json = await cli(["status", "--json"]);

    // Assess
    expect(json.code, json.stderr).toBe(4);
    const report = JSON.parse(json.stdout) as { needsAttention: boolean; withinRpo: boolean };
    expect(report).toMatchObject({
      needsAttention: true,
      // Still true: no resource is behind in the copies' own report; failover reads the gauges.
      withinRpo: true,
      failover: { state: "refused", code: "dr-behind-rpo" },
    });
  });

  it("a DR copy missing altogether refuses too, as JSON when asked", async () => {
    // Prepare
    await publishGauges({ withoutDrCopy: 2, worstAgeHours: 1 });

    // Act
    const run = await cli(["failover", "--local", "--dry-run", "--json"]);

    // Assess
    expect(run.code).toBe(2);
    const result = JSON.parse(run.stdout) as FailoverResult;
    expect(result).toMatchObject({
      outcome: "refused",
      decision: "refused",
      code: "dr-behind-rpo",
      target: "dr",
    });
    expect(result.items.find((i) => i.check === "recovery-points")?.detail).toContain(
      "2 resource(s) have no DR copy at all",
    );
  });

  it("without --yes at a terminal it shows the plan and asks; answering no changes nothing (exit 2)", async () => {
    // Prepare: DR ready again; a person at a terminal who answers "no"
    await publishGauges({ withoutDrCopy: 0, worstAgeHours: 1 });
    const t = fakeIo({ tty: true, answer: "no" });
    const ctx: CommandContext = {
      config: parseConfig(INPUT),
      region: REGION,
      now: new Date(),
      json: false,
      dryRun: false,
      yes: false,
      clients,
      alerts: { publish: async () => {} } as unknown as CommandContext["alerts"],
      clock: wallClock,
      out: (text) => t.io.stdout.write(`${text}\n`),
      paint: noPaint,
      io: t.io,
    };
    const changes = sb.requests.count("ChangeResourceRecordSets");

    // Act
    const code = await withRoute53Time(failover(ctx, { target: "dr", force: false, local: true }));

    // Assess
    expect(code).toBe(2);
    expect(t.asked()).toBe(1);
    expect(t.stdout()).toContain("Decision: move 2 record(s) to the DR site");
    expect(t.stderr()).toContain("Fail over 2 record(s) to the DR site? [y/N] ");
    expect(t.stderr()).toContain("Declined: nothing was changed.");
    expect(values("app.example.com.")).toEqual(["10.0.0.10"]);
    expect(stateRecord()).toBeUndefined();
    // Only the preflight's permission probe, which cannot apply.
    expect(sb.requests.count("ChangeResourceRecordSets") - changes).toBe(1);
  });

  it("without --yes and without a terminal it refuses, telling to pass --yes (exit 2)", async () => {
    // Act
    const run = await cli(["failover", "--local"]);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stdout).toContain("Failover to the DR site (the plan: nothing is changed unless you confirm)");
    expect(run.stdout).toContain("Decision: move 2 record(s) to the DR site");
    expect(run.stderr).toContain("Refusing to fail over 2 record(s) to the DR site without confirmation");
    expect(run.stderr).toContain("Pass --yes");
    expect(values("app.example.com.")).toEqual(["10.0.0.10"]);
  });

  it("failover --local --yes moves every record and writes the state record in one change, and waits for INSYNC", async () => {
    // Act
    const run = await cli(["failover", "--local", "--yes", "--json", "--reason", "factory link down"]);

    // Assess
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as FailoverResult;
    expect(result).toMatchObject({ outcome: "changed", decision: "change", forced: false });
    expect(result.pending).toBeUndefined();
    expect(result.changeId).toMatch(/^C/);
    expect(Date.parse(result.timeline.inSyncAt ?? "")).toBeGreaterThanOrEqual(
      Date.parse(result.timeline.submittedAt ?? ""),
    );
    expect(values("app.example.com.")).toEqual(["10.1.0.10"]);
    expect(values("api.example.com.")).toEqual(["api-dr.example.net"]);
    expect(values("www.example.com.")).toEqual(["10.0.0.99"]);
    const state = stateRecord()?.values[0] ?? "";
    expect(state).toContain('"site=dr"');
    expect(state).toContain('"reason=factory link down"');
    expect(state).toContain('"forced=no"');
    expect(state).toMatch(/"by=manual:[^"]+"/);
  });

  it("status after a failover says DNS is on DR, since when and by whom (exit 0)", async () => {
    // Act
    const text = await cli(["status"]);

    // Assess
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(
      /Failover readiness \(DNS to the DR site; the function runs in us-east-1\): ON DR: DNS points at the DR site since \S+ \(by manual:\S+: factory link down\)/,
    );
    expect(text.stdout).toContain("app.example.com. A: dr, 10.1.0.10 (TTL 60)");
  });

  it("a second failover when DNS is already on DR says there is nothing to do (exit 0)", async () => {
    // Prepare
    const changes = sb.requests.count("ChangeResourceRecordSets");
    const before = stateRecord()?.values;

    // Act
    const run = await cli(["failover", "--local", "--yes"]);

    // Assess
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Nothing to do: DNS already points at the DR site \(since \d{4}-/);
    expect(run.stdout).toContain("Last change: the DR site since");
    expect(run.stderr).not.toContain("Submitting");
    // Only the preflight's permission probe, which cannot apply; the state record is as it was.
    expect(sb.requests.count("ChangeResourceRecordSets") - changes).toBe(1);
    expect(stateRecord()?.values).toEqual(before);
  });

  it("failback --local --yes moves the records back and prints the outcome with its timeline", async () => {
    // Act
    const run = await cli(["failback", "--local", "--yes", "--reason", "factory back"]);

    // Assess
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("Failback to the primary site");
    expect(run.stdout).not.toContain("recovery-points");
    expect(run.stdout).toMatch(
      /Done: DNS points at the primary site: 2 record\(s\) moved in change C\w+, INSYNC\./,
    );
    expect(run.stdout).toMatch(
      /Timeline:\n {2}received\s+\S+\n {2}decided\s+\S+ {2}\+\d+ ms\n {2}submitted\s+\S+ {2}\+[\d.]+ m?s\n {2}INSYNC /,
    );
    expect(run.stdout).toMatch(/to submit \(the tool's own time\); [\d.]+ s to INSYNC/);
    expect(run.stderr).toContain("Change submitted; waiting for INSYNC");
    expect(values("app.example.com.")).toEqual(["10.0.0.10"]);
    expect(values("api.example.com.")).toEqual(["api-primary.example.net"]);
    expect(stateRecord()?.values[0]).toContain('"site=primary"');
  });

  it("--force fails over over stale DR data, and the state record says forced=yes", async () => {
    // Prepare
    await publishGauges({ withoutDrCopy: 0, worstAgeHours: 20 });

    // Act
    const run = await cli(["failover", "--local", "--yes", "--force", "--reason", "drill, forced"]);

    // Assess
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(
      "Forced: recovery-points failed and --force overrides it (recorded as forced=yes",
    );
    expect(run.stdout).toContain("Done: DNS points at the DR site");
    expect(values("app.example.com.")).toEqual(["10.1.0.10"]);
    expect(stateRecord()?.values[0]).toContain('"forced=yes"');
  });
});
