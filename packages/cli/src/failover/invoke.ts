/**
 * The default runner: invoke the deployed failover function (`outpost-ops-<stage>-failover` in the DR
 * Region) with the documented manual event and read its FailoverResult back. The function has its
 * own role limited to the hosted zone; operators need only `lambda:InvokeFunction` on it (config
 * `failover.operators`), and it keeps working when the primary Region is gone.
 */
import { InvokeCommand, type InvokeCommandOutput, LambdaClient } from "@aws-sdk/client-lambda";
import { clientConfig } from "@outpost-ops/core/aws/clients";
import { errorCode, errorMessage } from "@outpost-ops/core/aws/errors";
import { OutpostOpsError } from "@outpost-ops/core/errors";
import { parseFailoverResult } from "@outpost-ops/core/failover/result";
import type { FailoverRunner } from "./runner.ts";

/** The function's name in every stage, as the Failover stack names it (`<prefix>-failover`). */
export const failoverFunctionName = (stage: string) => `outpost-ops-${stage}-failover`;

/**
 * Lambda runs a function for at most 15 minutes; the failover function follows its change to INSYNC
 * within that, so the call waits as long (the SDK's 20 s default would give up mid-change).
 */
const INVOKE_TIMEOUT_MS = 15 * 60_000 + 30_000;

/** The invocation could not run, or the function failed; the message says what to do. */
export class FailoverInvokeError extends OutpostOpsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "FailoverInvokeError";
  }
}

/**
 * One attempt, never retried by the SDK: a retry after a timeout would start a second run while the
 * first may still be following its change. Running the command again is safe instead (the second run
 * finds DNS moved and says nothing to do).
 */
export function failoverLambda(region: string): LambdaClient {
  return new LambdaClient(clientConfig(region, { maxAttempts: 1, requestTimeoutMs: INVOKE_TIMEOUT_MS }));
}

export function invokeRunner(input: { lambda: LambdaClient; region: string; stage: string }): FailoverRunner {
  const functionName = failoverFunctionName(input.stage);
  const where = `${functionName} in ${input.region}`;
  const checkWhere = `npx outpost-ops failover --dry-run --stage ${input.stage}`;
  return {
    where,
    async run(event, onStep) {
      onStep("invoke");
      let out: InvokeCommandOutput;
      try {
        out = await input.lambda.send(
          new InvokeCommand({
            FunctionName: functionName,
            InvocationType: "RequestResponse",
            Payload: new TextEncoder().encode(JSON.stringify(event)),
          }),
        );
      } catch (error) {
        throw invokeProblem(error, { functionName, region: input.region, stage: input.stage });
      }
      const text = out.Payload ? new TextDecoder().decode(out.Payload) : "";
      if (out.FunctionError) {
        const failure = functionFailure(text);
        throw new FailoverInvokeError(
          `The failover function ${where} failed: ${failure}.${
            event.dryRun
              ? ""
              : ` If it got as far as submitting the change, DNS may have moved: \`${checkWhere}\` shows where it points now.`
          }`,
        );
      }
      let payload: unknown;
      try {
        payload = JSON.parse(text);
      } catch {
        throw new FailoverInvokeError(
          `The failover function ${where} answered with something that is not JSON (${text.slice(0, 200) || "nothing"}). Check its logs; \`${checkWhere}\` shows where DNS points now.`,
        );
      }
      return parseFailoverResult(payload);
    },
  };
}

/** `errorType: errorMessage` from the payload Lambda returns for a failed invocation. */
function functionFailure(text: string): string {
  try {
    const body = JSON.parse(text) as { errorType?: unknown; errorMessage?: unknown };
    const type = typeof body.errorType === "string" ? body.errorType : "Error";
    if (typeof body.errorMessage === "string") return `${type}: ${body.errorMessage}`;
  } catch {
    // Not JSON: show the text itself.
  }
  return text.slice(0, 500) || "no error message";
}

/** The invoke call's own errors, told in the operator's terms; other errors go on unchanged. */
function invokeProblem(error: unknown, at: { functionName: string; region: string; stage: string }): unknown {
  const code = errorCode(error);
  if (/AccessDenied/.test(code))
    return new FailoverInvokeError(
      `You may not invoke ${at.functionName} in ${at.region} (${code}: ${errorMessage(error)}). Operators need lambda:InvokeFunction on that function: add your role's ARN to failover.operators in the config and deploy the DR Region (npx outpost-ops deploy --stage ${at.stage}), or run with --local to use your own Route 53 permissions.`,
      { cause: error },
    );
  if (code === "ResourceNotFoundException")
    return new FailoverInvokeError(
      `There is no function ${at.functionName} in ${at.region}: is the stage right (--stage ${at.stage}), and is the DR Region deployed with a failover section (npx outpost-ops deploy --stage ${at.stage})? --local runs the same code without it.`,
      { cause: error },
    );
  return error;
}
