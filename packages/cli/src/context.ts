/** What every job command needs: validated config, region, clients, the evaluation time, output mode. */
import { SNSClient } from "@aws-sdk/client-sns";
import { type AlertSink, memoryAlertSink, snsAlertSink } from "@outpost-ops/core/alerts";
import { type AwsClients, createClients } from "@outpost-ops/core/aws/clients";
import type { Config } from "@outpost-ops/core/config";
import type { Sleeper } from "@outpost-ops/core/pacing";
import { noPaint, type Paint, paintFor } from "./colour.ts";
import type { CliIo } from "./io.ts";
import { loadConfig } from "./load-config.ts";
import type { ConfirmOptions, JobOptions } from "./program/options.ts";

export interface CommandContext {
  config: Config;
  region: string;
  now: Date;
  json: boolean;
  dryRun: boolean;
  /** `--yes`: destructive steps go ahead without asking. */
  yes: boolean;
  clients: AwsClients;
  alerts: AlertSink;
  clock: Sleeper;
  /** A result line on stdout. */
  out: (text: string) => void;
  /** Colour for stdout (plain when piped, with NO_COLOR, or for --json). */
  paint: Paint;
  io: CliIo;
}

export const wallClock: Sleeper = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export async function commandContext(
  options: JobOptions & ConfirmOptions,
  io: CliIo,
): Promise<CommandContext> {
  const { config } = await loadConfig(options.config);
  const region = options.region ?? io.env.AWS_REGION ?? config.regions.primary;
  const clients = createClients();
  const topic = io.env.ALERT_TOPIC_ARN;
  const json = options.json === true;
  return {
    config,
    region,
    // --at is parsed (and refused when it is not an ISO time with a zone) by its option.
    now: options.at ?? new Date(),
    json,
    dryRun: options.dryRun === true,
    yes: options.yes === true,
    clients,
    // Without a topic the CLI prints alerts instead of sending them.
    alerts: topic ? snsAlertSink(clients.get(SNSClient, region), topic) : memoryAlertSink(),
    clock: wallClock,
    out: (text) => io.stdout.write(`${text}\n`),
    paint: json ? noPaint : paintFor(io.stdout, io.env),
    io,
  };
}
