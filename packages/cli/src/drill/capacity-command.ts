/**
 * The drill's operator asks for the capacity view at the moment the weekly report runs:
 * `npx outpost-ops capacity --at <the report's time>`, as text and with `--json`, run in this
 * process through the CLI's own command (commands/capacity.ts: readCapacityView, rendered by core's
 * renderer), with the operator's own clients, against the sandbox.
 */
import { memoryAlertSink } from "@outpost-ops/core/alerts";
import type { CapacityView } from "@outpost-ops/core/capacity/model";
import { renderOutpostView } from "@outpost-ops/core/capacity/report";
import type { Config } from "@outpost-ops/core/config";
import type { Sandbox } from "@outpost-ops/sandbox";
import { noPaint } from "../colour.ts";
import { capacity } from "../commands/capacity.ts";
import type { CommandContext } from "../context.ts";
import { drillClients } from "./clients.ts";
import { sandboxClock } from "./wiring.ts";

/** The operator: the sandbox's STS names a caller after its access key. */
const OPERATOR_KEY = "sre-oncall";

/** What the command printed, as the operator saw it. */
export interface CapacityCommandRun {
  command: string;
  exitCode: number;
  /** Its text output (the view, Outpost by Outpost). */
  text: string;
  /** Per Outpost name, its section re-rendered from the `--json` output with the report's renderer. */
  fromJson: Record<string, string>;
  error?: string;
}

async function run(
  input: { sandbox: Sandbox; config: Config; endpoint: string; at: Date },
  json: boolean,
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const region = input.config.regions.primary;
  const credentials = { accessKeyId: OPERATOR_KEY, secretAccessKey: "drill" };
  const stdout: string[] = [];
  const stderr: string[] = [];
  const ctx: CommandContext = {
    config: input.config,
    region,
    now: input.at,
    json,
    dryRun: false,
    yes: false,
    clients: drillClients({ endpoint: input.endpoint, credentials }),
    alerts: memoryAlertSink(),
    clock: sandboxClock(input.sandbox),
    out: (text) => stdout.push(`${text}\n`),
    paint: noPaint,
    io: {
      stdin: process.stdin,
      stdout: { write: (text: string) => stdout.push(text) },
      stderr: { write: (text: string) => stderr.push(text) },
      env: {},
    },
  };
  const exitCode = await capacity(ctx);
  return { exitCode, stdout: stdout.join(""), stderr: stderr.join("") };
}

/**
 * @example const cli = await capacityByCommand({ sandbox, config, endpoint, at: reportTime })
 */
export async function capacityByCommand(input: {
  sandbox: Sandbox;
  config: Config;
  endpoint: string;
  at: Date;
}): Promise<CapacityCommandRun> {
  const at = input.at.toISOString();
  const command = `npx outpost-ops capacity --at ${at} [--json]`;
  try {
    const text = await run(input, false);
    const json = await run(input, true);
    const exitCode = text.exitCode !== 0 ? text.exitCode : json.exitCode;
    const view = JSON.parse(json.stdout) as CapacityView;
    const fromJson = Object.fromEntries(
      view.outposts.map((o) => [o.outpost, renderOutpostView(o).join("\n")]),
    );
    return {
      command,
      exitCode,
      text: text.stdout,
      fromJson,
      ...(exitCode !== 0 ? { error: (text.stderr || json.stderr).trim() || `exit ${exitCode}` } : {}),
    };
  } catch (e) {
    return {
      command,
      exitCode: -1,
      text: "",
      fromJson: {},
      error: e instanceof Error ? e.message : String(e),
    };
  }
}
