/** Environment, read and validated once per container (on first use, so importing a handler is free). */
import { EnvironmentError } from "@outpost-ops/core/errors";

export interface Env {
  region: string;
  stage: string;
  alertTopicArn: string;
  snapshotQueueUrl?: string;
  retentionQueueUrl?: string;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new EnvironmentError(name, "is not set");
  return value;
}

function optionalUrl(name: string): string | undefined {
  const value = process.env[name];
  if (value === undefined) return undefined;
  if (!/^https?:\/\//.test(value)) throw new EnvironmentError(name, `must be a queue URL, got "${value}"`);
  return value;
}

export function readEnv(): Env {
  const alertTopicArn = required("ALERT_TOPIC_ARN");
  if (!alertTopicArn.startsWith("arn:"))
    throw new EnvironmentError("ALERT_TOPIC_ARN", `must be an SNS topic ARN, got "${alertTopicArn}"`);
  const snapshotQueueUrl = optionalUrl("SNAPSHOT_QUEUE_URL");
  const retentionQueueUrl = optionalUrl("RETENTION_QUEUE_URL");
  return {
    region: required("AWS_REGION"),
    stage: process.env.OUTPOST_OPS_STAGE ?? "default",
    alertTopicArn,
    ...(snapshotQueueUrl ? { snapshotQueueUrl } : {}),
    ...(retentionQueueUrl ? { retentionQueueUrl } : {}),
  };
}
