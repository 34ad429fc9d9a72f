import { AccountRootPrincipal, PolicyDocument, PolicyStatement } from "aws-cdk-lib/aws-iam";
import { Key } from "aws-cdk-lib/aws-kms";
import { Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import type { StackContext } from "sst/constructs";
import { namePrefix, useConfig } from "./context.ts";
import type { AlertsOutput } from "./function.ts";
import { buildJob } from "./job.ts";

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

  // The alarm relay and its rule, as the alerts job declares them (packages/functions/src/jobs.ts).
  buildJob(stack, app, "alerts", alerts);

  stack.addOutputs({ AlertTopicArn: topic.topicArn });
  return alerts;
}
