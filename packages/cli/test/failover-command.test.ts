/**
 * `failover`/`failback` through the deployed function: Lambda and STS are mocked (aws-sdk-client-mock),
 * the function's answers are real FailoverResults (failover-fixtures.ts). What is checked: the event
 * sent and to which function, the flow (dry run, confirmation, --yes, --json), the rendering, and
 * how each way the invocation can fail is told.
 */
import {
  InvokeCommand,
  type InvokeCommandInput,
  type InvokeCommandOutput,
  LambdaClient,
} from "@aws-sdk/client-lambda";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { memoryAlertSink } from "@outpost-ops/core/alerts";
import { createClients } from "@outpost-ops/core/aws/clients";
import type { Config } from "@outpost-ops/core/config";
import type { FailoverResult } from "@outpost-ops/core/failover/result";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { noPaint } from "../src/colour.ts";
import { exitOf, type FailoverOptions, failover } from "../src/commands/failover.ts";
import { ConfirmationRequiredError } from "../src/confirm.ts";
import type { CommandContext } from "../src/context.ts";
import { changed, failoverConfig, OPERATOR, plan, result, staleReadiness } from "./failover-fixtures.ts";
import { type FakeIo, fakeIo } from "./fake-io.ts";

const lambda = mockClient(LambdaClient);
const sts = mockClient(STSClient);

const FAILOVER: FailoverOptions = { target: "dr", force: false, local: false, stage: "prod" };

function context(
  t: FakeIo,
  flags: { yes?: boolean; dryRun?: boolean; json?: boolean } = {},
  config: Config = failoverConfig(),
): CommandContext {
  return {
    config,
    region: "us-west-2",
    now: new Date(),
    json: flags.json === true,
    dryRun: flags.dryRun === true,
    yes: flags.yes === true,
    clients: createClients({ credentials: { accessKeyId: "test", secretAccessKey: "test" } }),
    alerts: memoryAlertSink(),
    clock: { now: () => Date.now(), sleep: async () => {} },
    out: (text) => t.io.stdout.write(`${text}\n`),
    paint: noPaint,
    io: t.io,
  };
}

/** A Payload as the SDK hands it over (its blob adapter is a Uint8Array with helpers the CLI does not use). */
const encode = (value: unknown) =>
  new TextEncoder().encode(JSON.stringify(value)) as unknown as InvokeCommandOutput["Payload"];

/** The events the function received, in order. */
function events(): Record<string, unknown>[] {
  return lambda
    .commandCalls(InvokeCommand)
    .map((c) => JSON.parse(new TextDecoder().decode(c.args[0].input.Payload as Uint8Array)));
}

/** The function: a dry run answers `dry`, a real run `real`. */
function answering(dry: FailoverResult, real: FailoverResult = changed()): void {
  lambda.on(InvokeCommand).callsFake((input: InvokeCommandInput) => {
    const event = JSON.parse(new TextDecoder().decode(input.Payload as Uint8Array)) as { dryRun: boolean };
    return { StatusCode: 200, Payload: encode(event.dryRun ? dry : real) };
  });
}

beforeEach(() => {
  lambda.reset();
  sts.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Arn: OPERATOR, Account: "123456789012" });
});

describe("Function: failover, invoking the deployed function", () => {
  it("--yes invokes outpost-ops-<stage>-failover in the DR Region once, with the manual event, and prints plan and outcome", async () => {
    // Prepare
    answering(result("dry-run"));
    const t = fakeIo();

    // Act
    const code = await failover(context(t, { yes: true }), { ...FAILOVER, reason: "factory link down" });

    // Assess
    expect(code).toBe(0);
    const calls = lambda.commandCalls(InvokeCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toMatchObject({
      FunctionName: "outpost-ops-prod-failover",
      InvocationType: "RequestResponse",
    });
    const client = calls[0]?.thisValue as LambdaClient | undefined;
    expect(await client?.config.region()).toBe("us-east-1");
    expect(events()).toEqual([
      {
        "outpost-ops": "failover",
        dryRun: false,
        force: false,
        reason: "factory link down",
        requestedBy: OPERATOR,
      },
    ]);
    expect(t.asked()).toBe(0);
    expect(t.stdout()).toContain("Failover to the DR site\n");
    expect(t.stdout()).toContain(
      "Done: DNS points at the DR site: 1 record(s) moved in change C0123456789ABCDEF, INSYNC.",
    );
    expect(t.stdout()).toContain("npx outpost-ops failback --stage prod");
    expect(t.stderr()).toContain(
      "Invoking outpost-ops-prod-failover in us-east-1: preflight, change, then waiting for INSYNC",
    );
  });

  it("without --yes: a dry run first, the plan, the question; on yes the real run, and the outcome", async () => {
    // Prepare
    answering(result("dry-run"));
    const t = fakeIo({ tty: true, answer: "y" });

    // Act
    const code = await failover(context(t), FAILOVER);

    // Assess
    expect(code).toBe(0);
    expect(events().map((e) => e.dryRun)).toEqual([true, false]);
    expect(t.asked()).toBe(1);
    expect(t.stderr()).toContain("Fail over 1 record(s) to the DR site? [y/N] ");
    const out = t.stdout();
    expect(out.indexOf("10.0.0.10 (TTL 60) → 10.1.0.10 (TTL 60)")).toBeLessThan(out.indexOf("Done:"));
    // The plan is shown once: the real run's is the same.
    expect(out.match(/Preflight:/g)).toHaveLength(1);
  });

  it("without --yes, answering no: only the dry run was invoked, exit 2", async () => {
    // Prepare
    answering(result("dry-run"));
    const t = fakeIo({ tty: true, answer: "n" });

    // Act
    const code = await failover(context(t), FAILOVER);

    // Assess
    expect(code).toBe(2);
    expect(events().map((e) => e.dryRun)).toEqual([true]);
    expect(t.stderr()).toContain("Declined: nothing was changed.");
  });

  it("without --yes and without a terminal: the plan, then the refusal to go on unconfirmed", async () => {
    // Prepare
    answering(result("dry-run"));
    const t = fakeIo({ tty: false });

    // Act
    const error = await failover(context(t), FAILOVER).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ConfirmationRequiredError);
    expect((error as Error).message).toContain(
      "Refusing to fail over 1 record(s) to the DR site without confirmation",
    );
    expect(events().map((e) => e.dryRun)).toEqual([true]);
  });

  it("a refusal found by the dry run stops there: no question, exit 2", async () => {
    // Prepare
    answering(result("refused", plan("primary", { readiness: staleReadiness })));
    const t = fakeIo({ tty: true, answer: "y" });

    // Act
    const code = await failover(context(t), FAILOVER);

    // Assess
    expect(code).toBe(2);
    expect(t.asked()).toBe(0);
    expect(events()).toHaveLength(1);
    expect(t.stdout()).toContain("npx outpost-ops failover --stage prod --force");
  });

  it("a refusal at the real run after a yes (the data went stale in between) shows the new plan, exit 2", async () => {
    // Prepare
    answering(result("dry-run"), result("refused", plan("primary", { readiness: staleReadiness })));
    const t = fakeIo({ tty: true, answer: "yes" });

    // Act
    const code = await failover(context(t), FAILOVER);

    // Assess
    expect(code).toBe(2);
    expect(t.stdout().match(/Preflight:/g)).toHaveLength(2);
    expect(t.stdout()).toContain("Refused (dr-behind-rpo)");
  });

  it("--dry-run --json: one dry-run invocation, its result as the one JSON object on stdout", async () => {
    // Prepare
    const dry = result("dry-run");
    answering(dry);
    const t = fakeIo();

    // Act
    const code = await failover(context(t, { dryRun: true, json: true }), { ...FAILOVER, force: true });

    // Assess
    expect(code).toBe(0);
    expect(events()).toEqual([expect.objectContaining({ dryRun: true, force: true })]);
    expect(JSON.parse(t.stdout())).toEqual(dry);
    expect(t.stderr()).toBe("");
  });

  it("failback sends failback and, without STS, records the caller as unknown", async () => {
    // Prepare
    sts
      .on(GetCallerIdentityCommand)
      .rejects(Object.assign(new Error("no STS here"), { name: "InvalidClientTokenId" }));
    answering(result("dry-run"));
    const t = fakeIo();

    // Act
    await failover(context(t, { dryRun: true }), { ...FAILOVER, target: "primary" });

    // Assess
    expect(events()).toEqual([
      expect.objectContaining({ "outpost-ops": "failback", requestedBy: "unknown" }),
    ]);
  });

  it("a function error exits 1 with its message, and says DNS may have moved when it was a real run", async () => {
    // Prepare
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      FunctionError: "Unhandled",
      Payload: encode({ errorType: "Error", errorMessage: "Task timed out after 300.00 seconds" }),
    });
    const t = fakeIo();

    // Act
    const code = await failover(context(t, { yes: true }), FAILOVER);

    // Assess
    expect(code).toBe(1);
    expect(t.stderr()).toContain(
      "The failover function outpost-ops-prod-failover in us-east-1 failed: Error: Task timed out after 300.00 seconds.",
    );
    expect(t.stderr()).toContain("DNS may have moved: `npx outpost-ops failover --dry-run --stage prod`");
    expect(t.stdout()).toBe("");
  });

  it("AccessDenied on Invoke names lambda:InvokeFunction on the function, failover.operators and --local (exit 1)", async () => {
    // Prepare
    lambda.on(InvokeCommand).rejects(
      Object.assign(
        new Error(
          "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: lambda:InvokeFunction",
        ),
        {
          name: "AccessDeniedException",
          $metadata: { httpStatusCode: 403 },
        },
      ),
    );
    const t = fakeIo();

    // Act
    const code = await failover(context(t, { dryRun: true }), FAILOVER);

    // Assess
    expect(code).toBe(1);
    const err = t.stderr();
    expect(err).toContain("You may not invoke outpost-ops-prod-failover in us-east-1 (AccessDeniedException");
    expect(err).toContain("Operators need lambda:InvokeFunction on that function");
    expect(err).toContain("failover.operators");
    expect(err).toContain("--local");
  });

  it("a function that does not exist: names the stage and the deploy command (exit 1)", async () => {
    // Prepare
    lambda
      .on(InvokeCommand)
      .rejects(
        Object.assign(new Error("Function not found"), { name: "ResourceNotFoundException", $metadata: {} }),
      );
    const t = fakeIo();

    // Act
    const code = await failover(context(t, { dryRun: true }), { ...FAILOVER, stage: "staging" });

    // Assess
    expect(code).toBe(1);
    expect(t.stderr()).toContain("There is no function outpost-ops-staging-failover in us-east-1");
    expect(t.stderr()).toContain("npx outpost-ops deploy --stage staging");
  });

  it("an answer that is not a failover result is an error (exit 1), not a guess", async () => {
    // Prepare
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: encode({ ok: true }) });
    const t = fakeIo();

    // Act
    const code = await failover(context(t, { dryRun: true }), FAILOVER);

    // Assess
    expect(code).toBe(1);
    expect(t.stderr()).toContain("The failover function's answer is not a failover result: outcome:");
  });

  it("a config without a failover section exits 3 and invokes nothing", async () => {
    // Prepare
    const t = fakeIo();

    // Act
    const code = await failover(context(t, { yes: true }, failoverConfig(false)), FAILOVER);

    // Assess
    expect(code).toBe(3);
    expect(t.stderr()).toContain("The config has no `failover` section");
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
  });
});

describe("Function: exitOf", () => {
  it.each([
    ["changed", 0],
    ["raced", 0],
    ["nothing-to-do", 0],
    ["dry-run", 0],
    ["refused", 2],
    ["alert-only", 2],
    ["failed", 1],
  ] as const)("%s exits %d", (outcome, code) => {
    // Act & Assess
    expect(exitOf({ outcome })).toBe(code);
  });
});
