/**
 * The drill's operator at the keyboard: `npx outpost-ops failback --stage drill --yes --json`, run in
 * this process through the CLI's own flow (runFailoverCommand: the manual event, the caller's
 * identity from STS) and its default runner (invoke.ts: Lambda Invoke of the deployed function),
 * with the operator's own credentials, against the sandbox's Lambda, which runs the DR
 * deployment's failover function registered under its deployed name.
 */
import { LambdaClient } from "@aws-sdk/client-lambda";
import { memoryAlertSink } from "@outpost-ops/core/alerts";
import { clientConfig } from "@outpost-ops/core/aws/clients";
import type { Config } from "@outpost-ops/core/config";
import { type FailoverResult, parseFailoverResult } from "@outpost-ops/core/failover/result";
import type { Sandbox } from "@outpost-ops/sandbox";
import { noPaint } from "../colour.ts";
import { runFailoverCommand } from "../commands/failover.ts";
import type { CommandContext } from "../context.ts";
import { callerArn } from "../failover/caller.ts";
import { invokeRunner } from "../failover/invoke.ts";
import { drillClients } from "./clients.ts";
import { sandboxClock } from "./wiring.ts";

/** The operator: the sandbox's STS names a caller after its access key. */
const OPERATOR_KEY = "sre-oncall";
const REASON = "primary site healthy again";

/** What the command did, as the operator saw it and as the sandbox's Lambda ran it. */
export interface CommandRun {
  command: string;
  exitCode: number;
  /** Who the CLI said asked (STS GetCallerIdentity). */
  requestedBy: string;
  /** What the sandbox's Lambda ran: the function invoked, where, with which event. */
  invocations: { functionName: string; region: string; event: unknown }[];
  /** The function's answer, as the CLI printed it with --json. */
  result?: FailoverResult;
  error?: string;
}

/**
 * @example await failBackByCommand({ sandbox, config, endpoint, at, functionName: "outpost-ops-drill-failover" })
 */
export async function failBackByCommand(input: {
  sandbox: Sandbox;
  config: Config;
  endpoint: string;
  at: Date;
  functionName: string;
}): Promise<CommandRun> {
  const region = input.config.regions.dr;
  const credentials = { accessKeyId: OPERATOR_KEY, secretAccessKey: "drill" };
  const operator = drillClients({ endpoint: input.endpoint, credentials });
  // As the CLI's failoverLambda: one attempt (a retry could start a second run), a long timeout.
  const lambda = new LambdaClient(
    clientConfig(region, { endpoint: input.endpoint, credentials, maxAttempts: 1, requestTimeoutMs: 60_000 }),
  );
  const stdout: string[] = [];
  const stderr: string[] = [];
  const ctx: CommandContext = {
    config: input.config,
    region,
    now: input.at,
    json: true,
    dryRun: false,
    yes: true,
    clients: operator,
    alerts: memoryAlertSink(),
    clock: sandboxClock(input.sandbox),
    out: (text) => stdout.push(text),
    paint: noPaint,
    io: {
      stdin: process.stdin,
      stdout: { write: (text: string) => stdout.push(text) },
      stderr: { write: (text: string) => stderr.push(text) },
      env: {},
    },
  };
  const requestedBy = await callerArn(operator, region);
  const invokedBefore = input.sandbox.lambda.invocations(input.functionName).length;
  let exitCode = -1;
  let result: FailoverResult | undefined;
  let error: string | undefined;
  try {
    exitCode = await runFailoverCommand(
      ctx,
      { target: "primary", force: false, local: false, stage: "drill", reason: REASON, requestedBy },
      invokeRunner({ lambda, region, stage: "drill" }),
      { flags: "--stage drill" },
    );
    result = parseFailoverResult(JSON.parse(stdout.join("")));
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  } finally {
    lambda.destroy();
  }
  if (!error && exitCode !== 0) error = stderr.join("").trim() || `exit ${exitCode}`;
  return {
    command: `npx outpost-ops failback --stage drill --yes --json --reason "${REASON}"`,
    exitCode,
    requestedBy,
    invocations: input.sandbox.lambda
      .invocations(input.functionName)
      .slice(invokedBefore)
      .map((i) => ({ functionName: i.functionName, region: i.region, event: i.event })),
    ...(result ? { result } : {}),
    ...(error ? { error } : {}),
  };
}
