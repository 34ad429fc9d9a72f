/**
 * `outpost-ops failover|failback` by default: the CLI (a child process) invokes
 * `outpost-ops-<stage>-failover` in the DR Region through the sandbox's Lambda Invoke, and renders
 * what it answers. The function is the deployed handler (packages/functions/src/failover), wired as
 * the DR deployment wires it and registered in-process, so these tests cover both sides of the wire:
 * the event the CLI sends, who it says is asking, the answer it reads, and how it tells a failed or
 * refused invocation.
 */
import { jobsIn } from "@outpost-ops/functions/src/jobs.ts";
import { wallClock } from "outpost-ops/src/context.ts";
import { lambdaContext } from "outpost-ops/src/drill/lambda.ts";
import { createInfrastructure, drillHandlers } from "outpost-ops/src/drill/wiring.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DR, type FailoverSandbox, startFailoverSandbox } from "./failover-sandbox.ts";

const CALLER = "arn:aws:iam::123456789012:user/test";

describe("Integration: outpost-ops failover and failback invoking the failover function", () => {
  let f: FailoverSandbox;

  beforeAll(async () => {
    f = await startFailoverSandbox();
    await f.publishGauges({ withoutDrCopy: 0, worstAgeHours: 1 });
    // The deployed handler itself, wired as the DR deployment wires it (drill wiring).
    const infra = await createInfrastructure(f.clients, DR, jobsIn(DR, f.config), f.config);
    const handlers = drillHandlers(f.config, f.clients, infra, wallClock);
    f.sb.lambda.register(
      "outpost-ops-prod-failover",
      (event, context) => handlers.failover(event, lambdaContext(context.functionName)),
      { region: DR, timeoutMs: 30_000 },
    );
    f.sb.lambda.register(
      "outpost-ops-broken-failover",
      () => {
        throw Object.assign(new Error("Invalid failover event: reason: Too big"), {
          name: "ManualEventError",
        });
      },
      { region: DR },
    );
  });

  afterAll(async () => {
    await f?.close();
  });

  it("--dry-run invokes the stage's function in the DR Region with the manual event and the caller; changes nothing", async () => {
    // Act
    const run = await f.cli(["failover", "--stage", "prod", "--dry-run", "--reason", "drill"]);

    // Assess
    expect(run.code, run.stderr).toBe(0);
    const invoked = f.sb.lambda.invocations("outpost-ops-prod-failover");
    expect(invoked).toHaveLength(1);
    expect(invoked[0]).toMatchObject({
      region: DR,
      invocationType: "RequestResponse",
      event: { "outpost-ops": "failover", dryRun: true, force: false, reason: "drill", requestedBy: CALLER },
    });
    expect(run.stderr).toContain(
      "Invoking outpost-ops-prod-failover in us-east-1 (dry run: preflight only)…",
    );
    expect(run.stdout).toContain("Failover to the DR site (dry run: nothing is changed)");
    expect(run.stdout).toContain("10.0.0.10 (TTL 60) → 10.1.0.10 (TTL 60)");
    expect(f.values("app.example.com.")).toEqual(["10.0.0.10"]);
  });

  it("--yes --json: the function moves DNS; its answer is the JSON on stdout; the state record names the caller", async () => {
    // Act
    const run = await f.cli(["failover", "--stage", "prod", "--yes", "--json"]);

    // Assess
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ outcome: "changed", target: "dr", forced: false });
    expect(f.sb.lambda.invocations("outpost-ops-prod-failover").at(-1)?.event).toMatchObject({
      dryRun: false,
    });
    expect(f.values("app.example.com.")).toEqual(["10.1.0.10"]);
    expect(f.state()).toContain(`"by=manual:${CALLER}"`);
  });

  it("failback with OUTPOST_OPS_STAGE for --stage moves DNS back", async () => {
    // Act
    const run = await f.cli(["failback", "--yes"], { OUTPOST_OPS_STAGE: "prod" });

    // Assess
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("Done: DNS points at the primary site");
    expect(f.sb.lambda.invocations("outpost-ops-prod-failover").at(-1)?.event).toMatchObject({
      "outpost-ops": "failback",
    });
    expect(f.values("app.example.com.")).toEqual(["10.0.0.10"]);
  });

  it("a function that fails: exit 1 with its error, and where to see whether DNS moved", async () => {
    // Act
    const run = await f.cli(["failover", "--stage", "broken", "--yes"]);

    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      "The failover function outpost-ops-broken-failover in us-east-1 failed: ManualEventError: Invalid failover event: reason: Too big.",
    );
    expect(run.stderr).toContain("npx outpost-ops failover --dry-run --stage broken");
    expect(run.stdout).toBe("");
  });

  it("AccessDenied on Invoke: exit 1, naming lambda:InvokeFunction, failover.operators and --local", async () => {
    // Prepare
    f.sb.faults.set({ service: "lambda", error: { code: "AccessDeniedException" } });

    // Act
    const run = await f.cli(["failover", "--stage", "prod", "--dry-run"]).finally(() => f.sb.faults.clear());

    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      "You may not invoke outpost-ops-prod-failover in us-east-1 (AccessDeniedException",
    );
    expect(run.stderr).toContain(
      "Operators need lambda:InvokeFunction on that function: add your role's ARN to failover.operators",
    );
    expect(run.stderr).toContain("or run with --local");
  });

  it("a stage without the function: exit 1, naming the function and the deploy command", async () => {
    // Act
    const run = await f.cli(["failover", "--stage", "staging", "--dry-run"]);

    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("There is no function outpost-ops-staging-failover in us-east-1");
    expect(run.stderr).toContain("npx outpost-ops deploy --stage staging");
  });
});
