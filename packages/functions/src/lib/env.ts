/**
 * Environment, read and validated once per container (on first use, so importing a handler is free).
 * The drill reads the same variables from the values the stacks would set, through the same code.
 */
import { EnvironmentError } from "@outpost-ops/core/errors";

export interface Env {
  region: string;
  stage: string;
  /**
   * The deployment's name prefix, `outpost-ops-<stage>` (stacks/context.ts namePrefix): the names of
   * the alarms, queues and topic the stacks create, which handlers match (capacity alarms).
   */
  prefix: string;
  alertTopicArn: string;
  /** The event bus of the event stream (EVENT_BUS_NAME; the Region's default bus). */
  eventBusName: string;
  snapshotQueueUrl?: string;
  retentionQueueUrl?: string;
}

/**
 * The names the stacks give a stage's resources start with this (stacks/context.ts namePrefix; the
 * stacks set OUTPOST_OPS_STAGE to the app's stage, so the two agree).
 * @example deploymentPrefix("prod") // "outpost-ops-prod"
 */
export function deploymentPrefix(stage: string): string {
  return `outpost-ops-${stage}`;
}

export type Variables = Record<string, string | undefined>;

function required(vars: Variables, name: string): string {
  const value = vars[name];
  if (!value) throw new EnvironmentError(name, "is not set");
  return value;
}

function optionalUrl(vars: Variables, name: string): string | undefined {
  const value = vars[name];
  if (value === undefined) return undefined;
  if (!/^https?:\/\//.test(value)) throw new EnvironmentError(name, `must be a queue URL, got "${value}"`);
  return value;
}

/**
 * @example readEnv({ AWS_REGION: "us-west-2", ALERT_TOPIC_ARN: "arn:aws:sns:us-west-2:123456789012:alerts" })
 */
export function readEnv(vars: Variables = process.env): Env {
  const alertTopicArn = required(vars, "ALERT_TOPIC_ARN");
  if (!alertTopicArn.startsWith("arn:"))
    throw new EnvironmentError("ALERT_TOPIC_ARN", `must be an SNS topic ARN, got "${alertTopicArn}"`);
  const snapshotQueueUrl = optionalUrl(vars, "SNAPSHOT_QUEUE_URL");
  const retentionQueueUrl = optionalUrl(vars, "RETENTION_QUEUE_URL");
  const stage = vars.OUTPOST_OPS_STAGE ?? "default";
  return {
    region: required(vars, "AWS_REGION"),
    stage,
    prefix: deploymentPrefix(stage),
    alertTopicArn,
    eventBusName: vars.EVENT_BUS_NAME || "default",
    ...(snapshotQueueUrl ? { snapshotQueueUrl } : {}),
    ...(retentionQueueUrl ? { retentionQueueUrl } : {}),
  };
}
