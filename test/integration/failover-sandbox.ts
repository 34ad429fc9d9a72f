/**
 * A sandbox for the failover commands: a zone with two configured records (an A with a DR health
 * check, a CNAME) and one record failover does not touch, the copy policy's DR key, and a config file
 * for the CLI. DR readiness comes from the copy gauges published in the DR Region, as the copy
 * scheduler publishes them.
 *
 * The CLI runs on the wall clock; Route 53 keeps a change PENDING for some seconds of sandbox time,
 * so while a run is in flight `withRoute53Time` moves the sandbox clock ahead for it to reach INSYNC.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { type AwsClients, createClients } from "@outpost-ops/core/aws/clients";
import { type Config, type ConfigInput, parseConfig } from "@outpost-ops/core/config";
import { type Sandbox, startSandbox } from "@outpost-ops/sandbox";
import { type CliRun, cliProcess } from "./cli-process.ts";
import { CREDENTIALS, REGION } from "./helpers.ts";

export const DR = "us-east-1";
export const ZONE_ID = "Z01234567ABCDEFGHIJK";
export const STATE = "_outpost-ops-failover.example.com.";
export const DR_HEALTH_CHECK = "0f1e2d3c-0000-4000-8000-00000000aaaa";
const KEY_ID = "0f1e2d3c-0000-4000-8000-000000000001";

export const INPUT: ConfigInput = {
  regions: { primary: REGION, dr: DR },
  alerts: { emails: [] },
  policies: [
    {
      name: "orders",
      resource: "rds-instance",
      selector: { tags: { Backup: "outpost-ops" } },
      schedules: [{ name: "six", expression: "rate(6 hours)", retention: { keepLast: 4 } }],
      copy: { rpo: "8h", kmsKeyArn: `arn:aws:kms:${DR}:123456789012:key/${KEY_ID}` },
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
        drHealthCheckId: DR_HEALTH_CHECK,
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

export interface FailoverSandbox {
  sb: Sandbox;
  clients: AwsClients;
  config: Config;
  /** The CLI's environment: the sandbox as its endpoint. */
  env: Record<string, string>;
  /** The CLI as a child process, with --config, while the sandbox's Route 53 time runs. */
  cli(args: string[], more?: Record<string, string>): Promise<CliRun>;
  /** What the copy scheduler publishes in the DR Region: resources without a copy, the oldest copy's age. */
  publishGauges(gauges: { withoutDrCopy: number; worstAgeHours: number }): Promise<void>;
  /** Runs while the sandbox clock moves 10x faster than the wall clock. */
  withRoute53Time<T>(run: Promise<T>): Promise<T>;
  /** A record's values now. */
  values(name: string): string[] | undefined;
  /** The state record's value now. */
  state(): string | undefined;
  close(): Promise<void>;
}

export async function startFailoverSandbox(): Promise<FailoverSandbox> {
  // Started at the wall clock's now: the CLI reads the gauges' age against its own clock.
  const sb = await startSandbox({ port: 0, startTime: new Date() });
  sb.seed({
    // The copy policy's DR key, so that status has nothing else to flag.
    kmsKeys: [{ region: DR, id: KEY_ID }],
    healthChecks: [{ id: DR_HEALTH_CHECK, healthy: true }],
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
  const clients = createClients({ endpoint: sb.endpoint, credentials: CREDENTIALS, maxAttempts: 3 });
  const dir = mkdtempSync(join(tmpdir(), "outpost-ops-failover-"));
  const configPath = join(dir, "outpost-ops.config.ts");
  writeFileSync(
    configPath,
    `import { defineConfig } from "@outpost-ops/core/config";\n\nexport default defineConfig(${JSON.stringify(INPUT, null, 2)});\n`,
  );
  const env = {
    AWS_ENDPOINT_URL: sb.endpoint,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
  };
  // Gauge timestamps: each publication a minute after the last, so the newest always wins (the
  // gauges are read per minute, Maximum), all within the 30 minutes that count as fresh.
  let published = 0;
  const withRoute53Time = async <T>(run: Promise<T>): Promise<T> => {
    const timer = setInterval(() => sb.clock.advance(1_000), 100);
    try {
      return await run;
    } finally {
      clearInterval(timer);
    }
  };
  return {
    sb,
    clients,
    config: parseConfig(INPUT),
    env,
    withRoute53Time,
    cli: (args, more = {}) =>
      withRoute53Time(cliProcess([...args, "--config", configPath], { ...env, ...more })),
    async publishGauges(gauges) {
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
    },
    values: (name) => sb.state.records(ZONE_ID).find((r) => r.name === name)?.values,
    state: () => sb.state.records(ZONE_ID).find((r) => r.name === STATE && r.type === "TXT")?.values[0],
    async close() {
      rmSync(dir, { recursive: true, force: true });
      await sb.close();
    },
  };
}
