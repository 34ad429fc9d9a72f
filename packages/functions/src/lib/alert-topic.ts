/**
 * The deployed alert sink: the stack's SNS topic (ALERT_TOPIC_ARN). Only the handlers that alert
 * import this, so only their bundles carry the SNS client (the capacity monitor's findings are
 * alarms, and it publishes nothing).
 */
import { SNSClient } from "@aws-sdk/client-sns";
import { type AlertSink, snsAlertSink } from "@outpost-ops/core/alerts";
import type { AwsClients } from "@outpost-ops/core/aws/clients";
import type { Env } from "./env.ts";

export function topicAlerts(clients: AwsClients, env: Env): AlertSink {
  return snsAlertSink(clients.get(SNSClient, env.region), env.alertTopicArn);
}
