/**
 * The `outpost-ops` command: every job runs here with the same core code as the Lambdas, against
 * whatever endpoint the SDK resolves (AWS_PROFILE/AWS_REGION, or AWS_ENDPOINT_URL for a sandbox).
 */
import { parseArgs } from "node:util";
import { ConfigError, OutpostOpsError } from "@outpost-ops/core/errors";
import { planRetention, runRetention } from "./commands/retention.ts";
import { planSnapshot, runSnapshot } from "./commands/snapshot.ts";
import { validateOutput } from "./commands/validate.ts";
import { commandContext } from "./context.ts";
import { loadConfig } from "./load-config.ts";

export const USAGE = `Usage: outpost-ops <command> [options]

Commands:
  plan snapshot|retention   Show what the job would do now (or --at), with a reason per decision
  run snapshot|retention    Do it (--dry-run: plan only); progress on stderr
  drill                     Offline DR drill: sandbox + example estate + the real handlers over weeks
  validate                  Check the config; nothing reaches AWS

Options:
  --config PATH    Config file (default ./outpost-ops.config.ts)
  --at ISO-TIME    Evaluate as of this time (default: now)
  --dry-run        Plan and report; change nothing
  --json           Machine-readable output on stdout
  --region REGION  Region to act in (default: AWS_REGION, else the config's primary Region)
  --days N         drill: simulated days (default 21)
  -h, --help       This help

Environment: AWS_PROFILE / AWS_REGION / AWS_ENDPOINT_URL as for the AWS CLI; ALERT_TOPIC_ARN to send
alerts to SNS (otherwise they are printed).`;

const OPTIONS = {
  config: { type: "string" },
  at: { type: "string" },
  json: { type: "boolean" },
  "dry-run": { type: "boolean" },
  region: { type: "string" },
  days: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: OPTIONS,
    allowPositionals: true,
    strict: true,
  });
  const [command, job] = positionals;
  if (values.help || command === undefined) {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined && !values.help ? 2 : 0;
  }
  if (command === "validate") {
    const { config, path } = await loadConfig(values.config);
    process.stdout.write(`${validateOutput(config, path, values.json === true)}\n`);
    return 0;
  }
  if (command === "drill") {
    // Before the handlers load: their logger and metrics read these once, as in Lambda.
    process.env.POWERTOOLS_LOG_LEVEL ??= "SILENT";
    process.env.POWERTOOLS_METRICS_DISABLED ??= "true";
    // The SDK's notice that it will need Node 22 in 2027 says nothing about an offline drill.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
    const { drill } = await import("./commands/drill.ts");
    return drill({ json: values.json === true, days: values.days, config: values.config });
  }
  if (command === "plan" || command === "run") {
    const actions: Record<string, (ctx: Awaited<ReturnType<typeof commandContext>>) => Promise<number>> = {
      "plan snapshot": planSnapshot,
      "plan retention": planRetention,
      "run snapshot": runSnapshot,
      "run retention": runRetention,
    };
    const action = actions[`${command} ${job}`];
    if (!action)
      throw new OutpostOpsError(`"${command}" takes a job: snapshot or retention (got "${job ?? ""}").`);
    return action(await commandContext(values));
  }
  throw new OutpostOpsError(`Unknown command "${command}". Run outpost-ops --help.`);
}

/** An AWS or credentials error, said so that a user knows what to fix; undefined for anything else. */
export function awsProblem(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  if (error.name === "CredentialsProviderError") {
    return `No AWS credentials found (${error.message}). Set AWS_PROFILE, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY; for a local endpoint also AWS_ENDPOINT_URL.`;
  }
  if (!("$metadata" in error)) return undefined;
  const denied =
    /AccessDenied|UnauthorizedOperation|AuthFailure|InvalidClientTokenId|UnrecognizedClient|ExpiredToken/.test(
      error.name,
    );
  const hint = denied
    ? "The credentials in use lack a permission outpost-ops needs (README, section IAM), or have expired."
    : "Nothing after this call was done; run the command again, or with --dry-run to see the plan.";
  return `AWS refused a call: ${error.name}: ${error.message}\n${hint}`;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof OutpostOpsError) process.stderr.write(`${error.message}\n`);
    else if (awsProblem(error)) process.stderr.write(`${awsProblem(error)}\n`);
    else if (error instanceof Error && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS")) {
      process.stderr.write(`${error.message}\n\n${USAGE}\n`);
    } else
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    const usage =
      error instanceof Error && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS");
    process.exitCode = error instanceof ConfigError ? 3 : error instanceof OutpostOpsError || usage ? 2 : 1;
  },
);
