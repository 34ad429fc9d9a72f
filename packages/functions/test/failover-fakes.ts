/**
 * Route 53 and CloudWatch as the failover handlers see them, on aws-sdk-client-mock: a zone with the
 * configured record at one site (and the state record once a change wrote it), the permission
 * probe refused as Route 53 refuses it, a change that is INSYNC at once, healthy checks, and the DR
 * copy scheduler's gauges (and the last FailoverReady) as given.
 */
import { CloudWatchClient, GetMetricDataCommand, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import {
  ChangeResourceRecordSetsCommand,
  type ChangeResourceRecordSetsCommandInput,
  GetChangeCommand,
  GetHealthCheckStatusCommand,
  GetHostedZoneCommand,
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
  Route53Client,
} from "@aws-sdk/client-route-53";
import { memoryAlertSink } from "@outpost-ops/core/alerts";
import { createClients } from "@outpost-ops/core/aws/clients";
import { type Config, parseConfig } from "@outpost-ops/core/config";
import { memoryEventSink } from "@outpost-ops/core/events/publish";
import { unpaced } from "@outpost-ops/core/pacing";
import { mockClient } from "aws-sdk-client-mock";
import type { Runtime } from "../src/lib/runtime.ts";
import { lambdaTestContext } from "./lambda-context.ts";

export const NOW = new Date("2024-05-14T12:00:00Z");
export const DR = "us-east-1";
export const PRIMARY = "us-west-2";
export const ZONE_ID = "Z0FAILOVER000000000001";
export const OPERATOR = "arn:aws:iam::123456789012:user/ops";
const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

export const route53Mock = mockClient(Route53Client);
export const cloudwatchMock = mockClient(CloudWatchClient);

export function failoverConfig(mode: "automatic" | "alert-only" = "automatic"): Config {
  return parseConfig({
    regions: { primary: PRIMARY, dr: DR },
    alerts: { emails: [] },
    policies: [
      {
        name: "orders-db",
        resource: "rds-instance",
        selector: { tags: { Backup: "dr" } },
        schedules: [{ name: "hourly", expression: "rate(1 hour)", retention: { keepLast: 24 } }],
        copy: { rpo: "6h", kmsKeyArn: KEY },
      },
    ],
    failover: {
      hostedZone: { id: ZONE_ID },
      records: [
        {
          name: "app.example.com",
          type: "A",
          primary: { values: ["10.0.0.10"] },
          dr: { values: ["10.1.0.10"] },
        },
      ],
      alarms: ["factory-connected", `arn:aws:cloudwatch:${DR}:123456789012:alarm:dr-app-health`],
      mode,
    },
  });
}

export function runtime(config: Config = failoverConfig()) {
  const alerts = memoryAlertSink();
  const events = memoryEventSink();
  let now = NOW.getTime();
  const value: Runtime = {
    config,
    env: {
      region: DR,
      stage: "test",
      prefix: "outpost-ops-test",
      alertTopicArn: "arn:aws:sns:us-east-1:123456789012:outpost-ops-test-alerts",
      eventBusName: "default",
    },
    clients: createClients({
      endpoint: "http://127.0.0.1:9",
      credentials: { accessKeyId: "x", secretAccessKey: "x" },
      maxAttempts: 1,
    }),
    alerts,
    events,
    pacer: unpaced,
    // Each reading of the clock is 100 ms later: the timeline has steps that take time.
    clock: {
      now: () => {
        now += 100;
        return now;
      },
      sleep: async (ms) => {
        now += ms;
      },
    },
  };
  return { runtime: () => value, alerts, events };
}

export const context = lambdaTestContext("failover", DR, 300_000);

function awsError(name: string, message = `${name}: from AWS`): Error {
  const error = new Error(message);
  error.name = name;
  return Object.assign(error, { $metadata: { httpStatusCode: 400 } });
}

const appAt = (value: string): ResourceRecordSet => ({
  Name: "app.example.com.",
  Type: "A",
  TTL: 60,
  ResourceRecords: [{ Value: value }],
});

export interface FakeZone {
  /** The batches Route 53 accepted (the probe is refused, so never here). */
  changes: ChangeResourceRecordSetsCommandInput[];
}

/**
 * The zone with app.example.com at `site`; an accepted change moves it (and writes the state).
 * `during` runs while the change propagates (GetChange: to see what was published meanwhile).
 */
export function fakeZone(site: "primary" | "dr", during?: () => void): FakeZone {
  const zone: FakeZone = { changes: [] };
  let sets: ResourceRecordSet[] = [appAt(site === "primary" ? "10.0.0.10" : "10.1.0.10")];
  route53Mock
    .on(GetHostedZoneCommand)
    .resolves({ HostedZone: { Id: `/hostedzone/${ZONE_ID}`, Name: "example.com.", CallerReference: "x" } });
  route53Mock
    .on(ListResourceRecordSetsCommand)
    .callsFake(() => ({ ResourceRecordSets: sets, IsTruncated: false }));
  route53Mock
    .on(ChangeResourceRecordSetsCommand)
    .callsFake(async (input: ChangeResourceRecordSetsCommandInput) => {
      if (input.ChangeBatch?.Comment?.includes("probe"))
        throw awsError("InvalidChangeBatch", "Tried to delete resource record set but it was not found");
      zone.changes.push(input);
      for (const c of input.ChangeBatch?.Changes ?? []) {
        const set = c.ResourceRecordSet as ResourceRecordSet;
        sets = sets.filter((s) => !(s.Name === set.Name && s.Type === set.Type));
        if (c.Action === "CREATE") sets.push(set);
      }
      return { ChangeInfo: { Id: "/change/C0123456789ABCDEF", Status: "PENDING", SubmittedAt: NOW } };
    });
  route53Mock.on(GetChangeCommand).callsFake(async () => {
    await new Promise((resolve) => setTimeout(resolve, 10));
    during?.();
    return { ChangeInfo: { Id: "C0123456789ABCDEF", Status: "INSYNC", SubmittedAt: NOW } };
  });
  route53Mock.on(GetHealthCheckStatusCommand).resolves({
    HealthCheckObservations: [{ StatusReport: { Status: "Success: HTTP Status Code 200, OK" } }],
  });
  return zone;
}

/**
 * The DR gauges: orders-db's oldest DR copy `worstAgeSeconds` old (undefined: the scheduler is
 * silent), and the last FailoverReady (`previous`, undefined: none in two hours).
 */
export function fakeGauges(worstAgeSeconds: number | undefined, previous?: number): void {
  cloudwatchMock.on(GetMetricDataCommand).callsFake((input) => {
    const [first] = input.MetricDataQueries ?? [];
    const at = new Date(NOW.getTime() - 5 * 60_000);
    if (first?.Id === "ready")
      return {
        MetricDataResults: [
          previous === undefined
            ? { Id: "ready", Timestamps: [], Values: [] }
            : { Id: "ready", Timestamps: [new Date(NOW.getTime() - 30 * 60_000)], Values: [previous] },
        ],
      };
    if (worstAgeSeconds === undefined) return { MetricDataResults: [] };
    return {
      MetricDataResults: [
        { Id: "worst0", Timestamps: [at], Values: [worstAgeSeconds] },
        { Id: "without0", Timestamps: [at], Values: [0] },
      ],
    };
  });
  cloudwatchMock.on(PutMetricDataCommand).resolves({});
}

export function resetFakes(): void {
  route53Mock.reset();
  cloudwatchMock.reset();
}

/** Every command either client received. */
export const allCalls = () => [...route53Mock.calls(), ...cloudwatchMock.calls()];

/** An EventBridge alarm state change, as a rule delivers it. */
export function alarmEvent(alarmName: string, options: { region?: string; state?: string } = {}) {
  const region = options.region ?? PRIMARY;
  return {
    version: "0",
    id: "c4c1c1c9-6542-e61b-6ef0-8c4d36933a92",
    "detail-type": "CloudWatch Alarm State Change",
    source: "aws.cloudwatch",
    account: "123456789012",
    time: "2024-05-14T11:59:41Z",
    region,
    resources: [`arn:aws:cloudwatch:${region}:123456789012:alarm:${alarmName}`],
    detail: {
      alarmName,
      state: {
        value: options.state ?? "ALARM",
        reason: "Threshold Crossed: 1 out of the last 1 datapoints was less than the threshold (1.0)",
        timestamp: "2024-05-14T11:59:40.989+0000",
      },
      previousState: { value: "OK", reason: "", timestamp: "2024-05-14T11:00:00.000+0000" },
    },
  };
}
