/**
 * `outpost-ops failover|failback --local` against the sandbox's Route 53 and CloudWatch, and the
 * Failover readiness section of `status`: the CLI runs as a child process (pipes, no terminal) with
 * the sandbox as its endpoint, except the confirmation test, which needs a terminal and so calls the
 * command in-process with a fake one. The tests run in order, each from where the last left DNS.
 */
import { memoryAlertSink } from "@outpost-ops/core/alerts";
import type { FailoverResult } from "@outpost-ops/core/failover/result";
import { noPaint } from "outpost-ops/src/colour.ts";
import { failover } from "outpost-ops/src/commands/failover.ts";
import { type CommandContext, wallClock } from "outpost-ops/src/context.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fakeIo } from "../../packages/cli/test/fake-io.ts";
import { DR, type FailoverSandbox, startFailoverSandbox } from "./failover-sandbox.ts";
import { REGION } from "./helpers.ts";

describe("Integration: outpost-ops failover and failback --local against the sandbox", () => {
  let f: FailoverSandbox;
  const cli = (args: string[]) => f.cli(args);
  const values = (name: string) => f.values(name);
  const publishGauges = (g: { withoutDrCopy: number; worstAgeHours: number }) => f.publishGauges(g);

  beforeAll(async () => {
    f = await startFailoverSandbox();
  });

  afterAll(async () => {
    await f?.close();
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
      /✓ health\s+health check 0f1e2d3c-0000-4000-8000-00000000aaaa: (\d+) of \1 checkers report healthy/,
    );
    expect(run.stdout).toMatch(/app\.example\.com\. A\s+10\.0\.0\.10 \(TTL 60\) → 10\.1\.0\.10 \(TTL 60\)/);
    expect(run.stdout).toContain("api-primary.example.net (TTL 60) → api-dr.example.net (TTL 60)");
    expect(run.stdout).toContain("Decision: move 2 record(s) to the DR site");
    expect(run.stderr).toContain("Preflight locally");
    expect(run.stderr).not.toContain("Submitting");
    expect(values("app.example.com.")).toEqual(["10.0.0.10"]);
    expect(f.state()).toBeUndefined();
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
    expect(f.state()).toBeUndefined();
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
      config: f.config,
      region: REGION,
      now: new Date(),
      json: false,
      dryRun: false,
      yes: false,
      clients: f.clients,
      alerts: memoryAlertSink(),
      clock: wallClock,
      out: (text) => t.io.stdout.write(`${text}\n`),
      paint: noPaint,
      io: t.io,
    };
    const changes = f.sb.requests.count("ChangeResourceRecordSets");

    // Act
    const code = await f.withRoute53Time(failover(ctx, { target: "dr", force: false, local: true }));

    // Assess
    expect(code).toBe(2);
    expect(t.asked()).toBe(1);
    expect(t.stdout()).toContain("Decision: move 2 record(s) to the DR site");
    expect(t.stderr()).toContain("Fail over 2 record(s) to the DR site? [y/N] ");
    expect(t.stderr()).toContain("Declined: nothing was changed.");
    expect(values("app.example.com.")).toEqual(["10.0.0.10"]);
    expect(f.state()).toBeUndefined();
    // Only the preflight's permission probe, which cannot apply.
    expect(f.sb.requests.count("ChangeResourceRecordSets") - changes).toBe(1);
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
    const state = f.state() ?? "";
    expect(state).toContain('"site=dr"');
    expect(state).toContain('"reason=factory link down"');
    expect(state).toContain('"forced=no"');
    // The caller, from STS GetCallerIdentity (the sandbox names a user after the access key id).
    expect(state).toContain('"by=manual:arn:aws:iam::123456789012:user/test"');
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
    const changes = f.sb.requests.count("ChangeResourceRecordSets");
    const before = f.state();

    // Act
    const run = await cli(["failover", "--local", "--yes"]);

    // Assess
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Nothing to do: DNS already points at the DR site \(since \d{4}-/);
    expect(run.stdout).toContain("Last change: the DR site since");
    expect(run.stderr).not.toContain("Submitting");
    // No change batch at all: a run that would submit sends no permission probe (the change checks
    // it), and there was nothing to change; the state record is as it was.
    expect(f.sb.requests.count("ChangeResourceRecordSets") - changes).toBe(0);
    expect(f.state()).toEqual(before);
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
    expect(f.state()).toContain('"site=primary"');
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
    expect(f.state()).toContain('"forced=yes"');
  });
});
