/** What every command needs: validated config, region, clients, the evaluation time, output mode. */
import { SNSClient } from "@aws-sdk/client-sns";
import { type AlertSink, memoryAlertSink, snsAlertSink } from "@outpost-ops/core/alerts";
import { type AwsClients, createClients } from "@outpost-ops/core/aws/clients";
import type { Config } from "@outpost-ops/core/config";
import { OutpostOpsError } from "@outpost-ops/core/errors";
import type { Sleeper } from "@outpost-ops/core/pacing";
import { loadConfig } from "./load-config.ts";

export interface CommonOptions {
  config?: string;
  at?: string;
  json?: boolean;
  "dry-run"?: boolean;
  region?: string;
}

export interface CommandContext {
  config: Config;
  region: string;
  now: Date;
  json: boolean;
  dryRun: boolean;
  clients: AwsClients;
  alerts: AlertSink;
  clock: Sleeper;
  out: (text: string) => void;
}

export const wallClock: Sleeper = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export function parseAt(at: string | undefined): Date {
  if (at === undefined) return new Date();
  const t = new Date(at);
  if (Number.isNaN(t.getTime()))
    throw new OutpostOpsError(`--at "${at}" is not an ISO time; write e.g. 2024-05-14T10:00:00Z.`);
  return t;
}

export async function commandContext(options: CommonOptions): Promise<CommandContext> {
  const { config } = await loadConfig(options.config);
  const region = options.region ?? process.env.AWS_REGION ?? config.regions.primary;
  const clients = createClients();
  const topic = process.env.ALERT_TOPIC_ARN;
  return {
    config,
    region,
    now: parseAt(options.at),
    json: options.json === true,
    dryRun: options["dry-run"] === true,
    clients,
    // Without a topic the CLI prints alerts instead of sending them.
    alerts: topic ? snsAlertSink(clients.get(SNSClient, region), topic) : memoryAlertSink(),
    clock: wallClock,
    out: (text) => process.stdout.write(`${text}\n`),
  };
}
