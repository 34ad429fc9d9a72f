/**
 * One alert schema for every job. An alert renders to an SNS message that reads well in an e-mail
 * inbox (subject + plain-text body) and carries message attributes (severity, job, region) so
 * subscribers can filter, e.g. page only on `severity = critical`.
 */
import type { MessageAttributeValue } from "@aws-sdk/client-sns";

export type Severity = "info" | "warning" | "critical";
export type Job = "snapshot" | "retention" | "copy" | "capacity" | "failover" | "platform";

export interface Alert {
  severity: Severity;
  job: Job;
  title: string;
  /** Plain text, several lines allowed: what happened, what it means, what to do. */
  body: string;
  region: string;
  /** When it happened (event time or --at), not when it was sent. */
  at: Date;
  resourceIds: string[];
  links: { label: string; url: string }[];
  stage?: string;
  /**
   * The e-mail subject as a person should read it, used instead of the generic
   * `[SEVERITY] outpost-ops <job>: <title>` (still made ASCII, one line, at most 100 characters).
   */
  subject?: string;
  /** More SNS message attributes for subscription filters (capacity: outpost, metric, band). */
  attributes?: Record<string, string>;
}

export interface SnsAlertMessage {
  Subject: string;
  Message: string;
  MessageAttributes: Record<string, MessageAttributeValue>;
}

/** SNS subjects: ASCII, no line breaks, at most 100 characters. */
function subject(alert: Alert): string {
  const text = (alert.subject ?? `[${alert.severity.toUpperCase()}] outpost-ops ${alert.job}: ${alert.title}`)
    // Whitespace first: line breaks and tabs are outside printable ASCII and would become "?".
    .replace(/\s+/g, " ")
    .replace(/[^\x20-\x7e]/g, "?");
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}

/** Enough to act on from an inbox; the rest is counted (and in the logs and the CLI's plan). */
const MAX_IDS_IN_BODY = 20;

/**
 * Renders an alert as an SNS message.
 * @example toSnsMessage({ severity: "warning", job: "retention", title: "Deletion cap exceeded", ... })
 */
export function toSnsMessage(alert: Alert): SnsAlertMessage {
  const ids = alert.resourceIds.slice(0, MAX_IDS_IN_BODY);
  const more = alert.resourceIds.length - ids.length;
  const lines = [
    alert.title,
    "",
    alert.body.trim(),
    "",
    `Severity: ${alert.severity}`,
    `Job:      ${alert.job}`,
    `Region:   ${alert.region}`,
    `When:     ${alert.at.toISOString()}`,
    ...(alert.stage ? [`Stage:    ${alert.stage}`] : []),
  ];
  if (ids.length > 0) {
    lines.push("", "Resources:", ...ids.map((id) => `  - ${id}`));
    if (more > 0) lines.push(`  ... and ${more} more`);
  }
  if (alert.links.length > 0) lines.push("", "Links:", ...alert.links.map((l) => `  ${l.label}: ${l.url}`));
  lines.push("", "-- outpost-ops");
  const attr = (value: string): MessageAttributeValue => ({ DataType: "String", StringValue: value });
  return {
    Subject: subject(alert),
    Message: lines.join("\n"),
    MessageAttributes: {
      // Ours last: an extra attribute cannot relabel the severity, job, region or stage filters key on.
      ...Object.fromEntries(
        Object.entries(alert.attributes ?? {})
          // SNS refuses an attribute with an empty value.
          .filter(([, value]) => value !== "")
          .map(([key, value]) => [key, attr(value)]),
      ),
      severity: attr(alert.severity),
      job: attr(alert.job),
      region: attr(alert.region),
      ...(alert.stage ? { stage: attr(alert.stage) } : {}),
    },
  };
}

/** Console links users can click from the e-mail. */
export const ConsoleLinks = {
  managedSnapshots: (region: string) => ({
    label: "Snapshots outpost-ops manages",
    url: `https://${region}.console.aws.amazon.com/ec2/home?region=${region}#Snapshots:tag:outpost-ops:managed=true`,
  }),
  alarm: (region: string, name: string) => ({
    label: "Alarm",
    url: `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#alarmsV2:alarm/${encodeURIComponent(name)}`,
  }),
};
