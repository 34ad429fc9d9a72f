/**
 * P4 failover: the tool's own time, at time scale 1 (wall time) with AWS's throttling buckets on,
 * so Route 53's 5 requests/s per account applies to every call the run makes.
 *
 * The estate is the drill's (failover-estate.ts) for the example config (outpost-ops.config.ts): the
 * hosted zone with every configured record at the primary site, the health checks healthy, and the
 * DR Region's copy gauges as the copy scheduler publishes them, every policy in scope within its RPO,
 * so each run is a real, ready failover that changes DNS.
 *
 * - Alarm path: the trigger alarm's "CloudWatch Alarm State Change" event, as the DR Region's rule
 *   delivers it, into a fresh container of the deployed failover function (live.invoke).
 *   alarm-to-change = the event reaching the handler → the ChangeResourceRecordSets that Route 53
 *   accepted reaching the sandbox (its change history's submittedAt, on the sandbox clock that
 *   follows the scaled clock). insync-to-detection = the change turning INSYNC (submittedAt +
 *   the propagation time) → the handler learning it (its timeline's inSyncAt).
 * - CLI path: `outpost-ops failover --stage bench --yes --json` in this process (the CLI's own flow,
 *   runFailoverCommand with its default runner: Lambda Invoke of the deployed function through the
 *   sandbox's Lambda, which runs a fresh container of the same handler). cli-to-change = the command
 *   starting (STS caller identity, then the invoke) → the change reaching the sandbox;
 *   cli-insync-to-detection = INSYNC → the command having the function's answer.
 *
 * AWS sets no floor on our own time: each figure's floor is 0 and its goal is on the value (s).
 * Each run starts on a fresh zone (reseeded: no state record, so no cooldown) after the Route 53
 * bucket has refilled. Medians of the runs; the max is in the note.
 */
import { CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { memoryAlertSink } from "@outpost-ops/core/alerts";
import { type Config, parseConfig } from "@outpost-ops/core/config";
import { METRICS_NAMESPACE } from "@outpost-ops/core/copy/metrics";
import { type FailoverResult, parseFailoverResult } from "@outpost-ops/core/failover/result";
import { policiesInScope } from "@outpost-ops/core/jobs/failover";
import { type Sandbox, startSandbox } from "@outpost-ops/sandbox";
import exampleConfig from "../outpost-ops.config.ts";
import { noPaint } from "../packages/cli/src/colour.ts";
import { failover } from "../packages/cli/src/commands/failover.ts";
import type { CommandContext } from "../packages/cli/src/context.ts";
import { drillClients } from "../packages/cli/src/drill/clients.ts";
import { type FailoverEstate, failoverEstate } from "../packages/cli/src/drill/failover-estate.ts";
import { failoverFunctionName } from "../packages/cli/src/failover/invoke.ts";
import { type Benchmark, type Figure, figure } from "./lib/figure.ts";
import { LiveDeployment, standardBackoff, wallSleep } from "./lib/live.ts";
import { ScaledTime } from "./lib/scaled-time.ts";

const SCALE = 1;
const STAGE = "bench";
/** Wall time between runs: Route 53's bucket (5 requests, 5/s) refills in a second. */
const REFILL_MS = 1_200;
const GOAL_TO_CHANGE_S = 1;
const GOAL_DETECTION_S = 5;

/** One run's times (ms, scaled = wall at scale 1). */
interface Sample {
  toChangeMs: number;
  detectionMs: number;
  /** Route 53 requests the run made (throttled ones included): up to the change (itself included), and in all. */
  route53Before: number;
  route53Total: number;
}

const ROUTE53_OPS = [
  "GetHostedZone",
  "ListHostedZonesByName",
  "ListResourceRecordSets",
  "ChangeResourceRecordSets",
  "GetChange",
  "GetHealthCheckStatus",
];

export const run: Benchmark = async ({ size, progress }) => {
  const runs = size === "small" ? 2 : 5;
  const propagationMs = size === "small" ? 2_000 : 3_000;
  const scale = { size: `${size} (${runs} runs, propagation ${propagationMs / 1000} s)`, timeScale: SCALE };
  const start = new Date("2026-11-02T10:00:00.000Z");
  const sandbox = await startSandbox({
    startTime: start,
    throttling: { timeScale: SCALE },
    route53PropagationMs: propagationMs,
  });
  const time = new ScaledTime(SCALE, start);
  const stopDrive = time.drive(sandbox);
  try {
    const config = parseConfig(exampleConfig);
    const estate = failoverEstate(config);
    if (!estate || estate.alarms.length === 0)
      throw new Error("P4: the example config has no failover section with a trigger alarm");
    const dr = config.regions.dr;
    const live = await LiveDeployment.create({ sandbox, config, time, regions: [dr] });
    const bench = new FailoverBench(sandbox, config, estate, live, propagationMs);

    const alarm: Sample[] = [];
    for (let i = 0; i < runs; i++) {
      alarm.push(await bench.alarmRun());
      progress(`alarm run ${i + 1}/${runs}: ${describe(alarm.at(-1) as Sample)}`);
    }
    const cli: Sample[] = [];
    for (let i = 0; i < runs; i++) {
      cli.push(await bench.cliRun());
      progress(`CLI run ${i + 1}/${runs}: ${describe(cli.at(-1) as Sample)}`);
    }
    const calls = (s: Sample[]) =>
      `Route 53 calls up to the change (itself included) ${median(s.map((x) => x.route53Before))}, in all ${median(s.map((x) => x.route53Total))}` +
      " (throttled requests and the SDK's retries of them included)";
    return {
      "P4.alarm-to-change": ownTime(
        alarm.map((s) => s.toChangeMs),
        GOAL_TO_CHANGE_S,
        scale,
        `alarm event at the handler → ChangeResourceRecordSets at Route 53 (sandbox); ${calls(alarm)}`,
      ),
      "P4.insync-to-detection": ownTime(
        alarm.map((s) => s.detectionMs),
        GOAL_DETECTION_S,
        scale,
        "the change turning INSYNC (sandbox) → the handler's GetChange seeing it (timeline.inSyncAt)",
      ),
      "P4.cli-to-change": ownTime(
        cli.map((s) => s.toChangeMs),
        GOAL_TO_CHANGE_S,
        scale,
        `\`failover --stage --yes\` starting in-process (STS, Lambda Invoke) → ChangeResourceRecordSets at Route 53; ${calls(cli)}`,
      ),
      "P4.cli-insync-to-detection": ownTime(
        cli.map((s) => s.detectionMs),
        GOAL_DETECTION_S,
        scale,
        "the change turning INSYNC → the CLI holding the function's answer (Invoke returned)",
      ),
    };
  } finally {
    stopDrive();
    await sandbox.close();
  }
};

class FailoverBench {
  private readonly dr: string;
  private readonly functionName = failoverFunctionName(STAGE);

  constructor(
    private readonly sandbox: Sandbox,
    private readonly config: Config,
    private readonly estate: FailoverEstate,
    private readonly live: LiveDeployment,
    private readonly propagationMs: number,
  ) {
    this.dr = config.regions.dr;
    // The deployed function under its deployed name: each Invoke runs a fresh container of it.
    sandbox.lambda.register(
      this.functionName,
      async (event) => (await live.invoke(this.dr, "failover", event)).result,
      { region: this.dr, timeoutMs: 5 * 60_000 },
    );
  }

  private get time(): ScaledTime {
    return this.live.time;
  }

  /**
   * The zone as the application team had it (every record at the primary site, no state record:
   * no cooldown), the health checks healthy, the DR copy gauges within the RPO as the copy
   * scheduler last published them a minute ago; then a pause for Route 53's bucket to refill.
   */
  private async reset(): Promise<void> {
    this.sandbox.seed(this.estate.seed);
    const at = new Date(this.time.now() - 60_000);
    const policies = policiesInScope(this.config);
    const cloudwatch = this.live.clients.get(CloudWatchClient, this.dr);
    for (const { policy, rpoMs } of policies)
      await cloudwatch.send(
        new PutMetricDataCommand({
          Namespace: METRICS_NAMESPACE,
          MetricData: [
            {
              MetricName: "ResourcesWithoutDrCopy",
              Dimensions: [{ Name: "policy", Value: policy }],
              Value: 0,
              Unit: "Count",
              Timestamp: at,
            },
            {
              MetricName: "WorstRecoveryPointAge",
              Dimensions: [
                { Name: "policy", Value: policy },
                { Name: "location", Value: "dr" },
              ],
              Value: Math.round(rpoMs / 2 / 1000),
              Unit: "Seconds",
              Timestamp: at,
            },
          ],
        }),
      );
    await wallSleep(REFILL_MS);
    this.sandbox.requests.reset();
  }

  /** The trigger alarm's state change to ALARM, as CloudWatch sends it and the rules deliver it. */
  private alarmEvent(): Record<string, unknown> {
    const alarm = this.estate.alarms[0] as FailoverEstate["alarms"][number];
    const now = new Date(this.time.now());
    const stamp = now.toISOString().replace("Z", "+0000");
    const state = (value: string, timestamp: string) => ({
      reason: `Threshold Crossed: 1 out of the last 1 datapoints was ${value === "ALARM" ? "" : "not "}less than the threshold (1.0)`,
      reasonData: "{}",
      timestamp,
      value,
    });
    return {
      version: "0",
      id: crypto.randomUUID(),
      "detail-type": "CloudWatch Alarm State Change",
      source: "aws.cloudwatch",
      account: "123456789012",
      time: now.toISOString().replace(/\.\d+Z$/, "Z"),
      region: alarm.region,
      resources: [`arn:aws:cloudwatch:${alarm.region}:123456789012:alarm:${alarm.name}`],
      detail: {
        alarmName: alarm.name,
        configuration: {
          metrics: [
            {
              id: crypto.randomUUID(),
              metricStat: {
                metric: {
                  dimensions: { OutpostId: alarm.outpostId },
                  name: "ConnectedStatus",
                  namespace: "AWS/Outposts",
                },
                period: 60,
                stat: "Minimum",
              },
              returnData: true,
            },
          ],
        },
        previousState: state("OK", new Date(now.getTime() - 3_600_000).toISOString().replace("Z", "+0000")),
        state: state("ALARM", stamp),
      },
    };
  }

  /** The change the run made: accepted once, at the sandbox. */
  private change(): { submittedMs: number; insyncMs: number } {
    const changes = this.sandbox.state.route53Changes(this.estate.zone.id);
    if (changes.length !== 1)
      throw new Error(`P4: expected one change batch, Route 53 has ${changes.length}`);
    const submittedMs = (changes[0] as { submittedAt: Date }).submittedAt.getTime();
    return { submittedMs, insyncMs: submittedMs + this.propagationMs };
  }

  /** Route 53 requests of the run (throttled ones and the SDK's retries included). */
  private calls(): Pick<Sample, "route53Before" | "route53Total"> {
    const total = ROUTE53_OPS.reduce((n, op) => n + this.sandbox.requests.count(op), 0);
    return { route53Before: total - this.sandbox.requests.count("GetChange"), route53Total: total };
  }

  async alarmRun(): Promise<Sample> {
    await this.reset();
    const invocation = await this.live.invoke(this.dr, "failover", this.alarmEvent());
    const result = this.checked(invocation.result);
    const { submittedMs, insyncMs } = this.change();
    const detectedMs = Date.parse(result.timeline.inSyncAt ?? "");
    return {
      toChangeMs: submittedMs - invocation.startMs,
      detectionMs: detectedMs - insyncMs,
      ...this.calls(),
    };
  }

  async cliRun(): Promise<Sample> {
    await this.reset();
    const { stdout, startMs, endMs } = await this.cli();
    this.checked(JSON.parse(stdout));
    const { submittedMs, insyncMs } = this.change();
    return {
      toChangeMs: submittedMs - startMs,
      detectionMs: endMs - insyncMs,
      ...this.calls(),
    };
  }

  /** The run moved DNS and followed it to INSYNC, or the benchmark measured nothing. */
  private checked(answer: unknown): FailoverResult {
    const result = parseFailoverResult(answer);
    if (result.outcome !== "changed" || !result.timeline.inSyncAt)
      throw new Error(
        `P4: the failover did not change DNS and reach INSYNC: ${result.outcome} (${result.code}); ${result.items
          .filter((i) => !i.ok)
          .map((i) => i.detail)
          .join("; ")}`,
      );
    return result;
  }

  /**
   * `npx outpost-ops failover --stage bench --yes --json`: the command itself (commands/failover.ts:
   * the caller's identity from STS, then runFailoverCommand with the default runner, Lambda Invoke
   * of the deployed function through failoverLambda), with an operator's own credentials. Its Lambda
   * client is the CLI's own, configured as in a shell: AWS_ENDPOINT_URL and the operator's keys in
   * the environment (restored after).
   */
  private async cli(): Promise<{ stdout: string; startMs: number; endMs: number }> {
    const region = this.dr;
    const credentials = { accessKeyId: "sre-oncall", secretAccessKey: "bench" };
    const operator = drillClients({
      endpoint: this.sandbox.endpoint,
      credentials,
      backoffMs: standardBackoff(SCALE),
    });
    const stdout: string[] = [];
    const stderr: string[] = [];
    const ctx: CommandContext = {
      config: this.config,
      region,
      now: new Date(this.time.now()),
      json: true,
      dryRun: false,
      yes: true,
      clients: operator,
      alerts: memoryAlertSink(),
      clock: this.time,
      out: (text) => stdout.push(text),
      paint: noPaint,
      io: {
        stdin: process.stdin,
        stdout: { write: (text: string) => stdout.push(text) },
        stderr: { write: (text: string) => stderr.push(text) },
        env: {},
      },
    };
    const shell = {
      AWS_ENDPOINT_URL: this.sandbox.endpoint,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    };
    const saved = Object.fromEntries(Object.keys(shell).map((k) => [k, process.env[k]]));
    Object.assign(process.env, shell);
    try {
      const startMs = this.time.now();
      const code = await failover(ctx, { target: "dr", force: false, local: false, stage: STAGE });
      const endMs = this.time.now();
      if (code !== 0) throw new Error(`P4: the CLI exited ${code}: ${stderr.join("").trim()}`);
      return { stdout: stdout.join(""), startMs, endMs };
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  }
}

function describe(s: Sample): string {
  return `to change ${Math.round(s.toChangeMs)} ms (${s.route53Before} Route 53 calls with it), INSYNC → detection ${Math.round(s.detectionMs)} ms`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Our own time: no AWS floor (0); the goal is on the value itself, in seconds. */
function ownTime(samplesMs: number[], goalS: number, scale: Figure["scale"], what: string): Figure {
  const value = median(samplesMs) / 1000;
  return figure({
    value,
    floor: 0,
    ratio: value,
    goal: ["<=", goalS],
    unit: "s",
    scale,
    note: `median of ${samplesMs.length}, max ${(Math.max(...samplesMs) / 1000).toFixed(3)} s; ${what}; floor 0: AWS sets none on our own time, the goal is on the value`,
  });
}
