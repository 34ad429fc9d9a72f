import { type Alert, ConsoleLinks } from "./alert.ts";

/** What an alarm's state change says, as the alarm relay reads it from EventBridge's event. */
export interface AlarmStateChange {
  alarmName: string;
  state: "OK" | "ALARM" | "INSUFFICIENT_DATA";
  previousState?: string;
  reason?: string;
  description?: string;
  region: string;
  /** When the state changed (the event's `time`). */
  at: Date;
  /** The alarm's ARN(s). */
  resources: string[];
}

/**
 * Which job an alarm speaks for, by its name (packages/functions/src/jobs.ts names them), so a
 * subscription filter on `job` catches the copy job's RPO and KMS alarms; the rest are the platform's.
 * @example alarmJob("outpost-ops-prod-rpo-orders-db") // "copy"
 */
export function alarmJob(alarmName: string): Alert["job"] {
  return /-rpo-|-copy-kms-|-copy-schedule-/.test(alarmName) ? "copy" : "platform";
}

/**
 * Whether a state change is news for people. Every new alarm (each deploy, each new policy) goes from
 * INSUFFICIENT_DATA to OK on its first evaluation: that is not a recovery, and an "is OK" mail for
 * each one would teach people to ignore the real ones.
 * @example isAlertWorthy({ state: "OK", previousState: "INSUFFICIENT_DATA", ... }) // false
 */
export function isAlertWorthy(change: Pick<AlarmStateChange, "state" | "previousState">): boolean {
  return !(change.state === "OK" && change.previousState === "INSUFFICIENT_DATA");
}

/**
 * What one of our alarms going to ALARM (critical) or back to OK (info) means for a user, by name.
 * @example alarmAlert({ alarmName: "outpost-ops-prod-snapshot-work-dead-letters", state: "ALARM", ... })
 */
export function alarmAlert(change: AlarmStateChange): Omit<Alert, "stage"> {
  const deadLetters = change.alarmName.endsWith("-dead-letters");
  const firing = change.state === "ALARM";
  const body = [
    change.description ?? "",
    deadLetters && firing
      ? "Work items failed 10 times and were set aside in a dead-letter queue: some snapshots were not taken or not deleted. Inspect the messages, fix the cause (often IAM or a quota), then redrive them from the SQS console."
      : "",
    `State: ${change.previousState ?? "?"} -> ${change.state}.`,
    change.reason ? `Reason: ${change.reason}` : "",
  ].filter(Boolean);
  return {
    severity: firing ? "critical" : "info",
    job: alarmJob(change.alarmName),
    title: `${change.alarmName} is ${change.state}`,
    body: body.join("\n"),
    region: change.region,
    at: change.at,
    resourceIds: change.resources,
    links: [ConsoleLinks.alarm(change.region, change.alarmName)],
  };
}
