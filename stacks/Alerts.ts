import { Jobs } from "@outpost-ops/functions/src/jobs.ts";
import { Match, Rule } from "aws-cdk-lib/aws-events";
import { LambdaFunction } from "aws-cdk-lib/aws-events-targets";
import { AccountRootPrincipal, PolicyDocument, PolicyStatement } from "aws-cdk-lib/aws-iam";
import { Key } from "aws-cdk-lib/aws-kms";
import { Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import { Duration } from "aws-cdk-lib/core";
import type { StackContext } from "sst/constructs";
import { namePrefix, useConfig } from "./context.ts";
import { type AlertsOutput, handlerFunction } from "./function.ts";

/*
 * One topic for every alert, encrypted with our own key. Alarms never publish to it directly: their
 * state changes reach the alarm handler through EventBridge, which formats them in the one alert schema.
 */

/**
 * The account may administer and use the key through IAM, listed action by action: the CDK default
 * (`kms:*` for the account) is the service-wide wildcard outpost-ops never grants.
 */
const ACCOUNT_KEY_ACTIONS = [
  "kms:Create*",
  "kms:Describe*",
  "kms:Enable*",
  "kms:List*",
  "kms:Put*",
  "kms:Update*",
  "kms:Revoke*",
  "kms:Disable*",
  "kms:Get*",
  "kms:Delete*",
  "kms:TagResource",
  "kms:UntagResource",
  "kms:ScheduleKeyDeletion",
  "kms:CancelKeyDeletion",
  "kms:Encrypt",
  "kms:Decrypt",
  "kms:ReEncrypt*",
  "kms:GenerateDataKey*",
];

export function Alerts({ stack, app }: StackContext): AlertsOutput {
  const config = useConfig(app);
  const prefix = namePrefix(app);

  /*
   * Only the account, through IAM. Who uses the key: our functions, when they publish (SNS calls KMS
   * as the publisher, so each function's role gets kms:GenerateDataKey* and kms:Decrypt from
   * grantPublish); email delivery needs no key permission. A service principal needs the key only
   * when that service itself publishes to the topic (a CloudWatch alarm action, an EventBridge rule
   * target; "Key management", https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html).
   * None does: alarms reach the alarm handler through an EventBridge rule whose target is the
   * function, and no alarm has actions. So no service principal is named here; one that starts
   * publishing directly must be added with an aws:SourceArn condition for exactly its resource.
   */
  const policy = new PolicyDocument({
    statements: [
      new PolicyStatement({
        sid: "AccountAdministersAndUsesKeyThroughIam",
        principals: [new AccountRootPrincipal()],
        actions: ACCOUNT_KEY_ACTIONS,
        resources: ["*"],
      }),
    ],
  });
  const key = new Key(stack, "AlertKey", {
    description: `outpost-ops ${app.stage}: encrypts the alert topic`,
    enableKeyRotation: true,
    policy,
  });

  const topic = new Topic(stack, "AlertTopic", {
    topicName: `${prefix}-alerts`,
    displayName: `outpost-ops ${app.stage}`,
    masterKey: key,
    enforceSSL: true,
  });
  for (const email of config.alerts.emails) {
    topic.addSubscription(new EmailSubscription(email));
  }

  const alerts: AlertsOutput = { topic, key };

  const spec = Jobs.alerts.functions.alarmStateChange;
  const alarmHandler = handlerFunction(stack, "AlarmStateChange", "alarmStateChange", {
    description: spec.description,
    timeoutSeconds: spec.timeoutSeconds,
    environment: { ALERT_TOPIC_ARN: topic.topicArn },
    alerts,
  });
  new Rule(stack, "AlarmStateChangeRule", {
    description: `State changes of alarms named ${prefix}-*, to the alarm handler`,
    eventPattern: {
      source: ["aws.cloudwatch"],
      detailType: ["CloudWatch Alarm State Change"],
      detail: {
        alarmName: Match.prefix(`${prefix}-`),
        state: { value: ["ALARM", "OK"] },
      },
    },
    targets: [new LambdaFunction(alarmHandler, { retryAttempts: 8, maxEventAge: Duration.hours(2) })],
  });

  stack.addOutputs({ AlertTopicArn: topic.topicArn });
  return alerts;
}
