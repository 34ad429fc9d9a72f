import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import { type Alert, toSnsMessage } from "./alert.ts";

/** Where alerts go: SNS in Lambda, and the same in the CLI when ALERT_TOPIC_ARN is set. */
export interface AlertSink {
  publish(alert: Alert): Promise<void>;
}

export function snsAlertSink(sns: SNSClient, topicArn: string): AlertSink {
  return {
    async publish(alert) {
      await sns.send(new PublishCommand({ TopicArn: topicArn, ...toSnsMessage(alert) }));
    },
  };
}

/** Collects alerts in memory (CLI without a topic, dry runs, tests). */
export function memoryAlertSink(): AlertSink & { alerts: Alert[] } {
  const alerts: Alert[] = [];
  return {
    alerts,
    async publish(alert) {
      alerts.push(alert);
    },
  };
}
