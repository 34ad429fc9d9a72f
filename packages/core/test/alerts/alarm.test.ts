import { describe, expect, it } from "vitest";
import { alarmAlert, alarmJob, isAlertWorthy } from "../../src/alerts/alarm.ts";

const base = {
  alarmName: "outpost-ops-prod-snapshot-work-dead-letters",
  region: "us-west-2",
  at: new Date("2024-05-14T10:00:00Z"),
  resources: ["arn:aws:cloudwatch:us-west-2:123456789012:alarm:outpost-ops-prod-snapshot-work-dead-letters"],
};

describe("Function: alarmAlert", () => {
  it("a dead-letters alarm going to ALARM is critical and says how to redrive", () => {
    const alert = alarmAlert({ ...base, state: "ALARM", previousState: "OK", reason: "Threshold Crossed" });
    expect(alert).toMatchObject({
      severity: "critical",
      job: "platform",
      title: "outpost-ops-prod-snapshot-work-dead-letters is ALARM",
      resourceIds: base.resources,
    });
    expect(alert.body).toContain("redrive them from the SQS console");
    expect(alert.body).toContain("State: OK -> ALARM.");
    expect(alert.body).toContain("Reason: Threshold Crossed");
    expect(alert.links[0]?.url).toContain("alarmsV2:alarm/outpost-ops-prod-snapshot-work-dead-letters");
  });

  it("back to OK is info, without the redrive advice", () => {
    const alert = alarmAlert({ ...base, state: "OK", previousState: "ALARM" });
    expect(alert.severity).toBe("info");
    expect(alert.body).not.toContain("redrive");
  });
});

describe("Function: isAlertWorthy and alarmJob", () => {
  it("does not relay a new alarm's first OK, but does relay a recovery from ALARM", () => {
    expect(isAlertWorthy({ state: "OK", previousState: "INSUFFICIENT_DATA" })).toBe(false);
    expect(isAlertWorthy({ state: "OK", previousState: "ALARM" })).toBe(true);
    expect(isAlertWorthy({ state: "ALARM", previousState: "INSUFFICIENT_DATA" })).toBe(true);
  });

  it("files the copy job's alarms under job copy, the rest under platform", () => {
    expect(alarmJob("outpost-ops-prod-rpo-orders-db")).toBe("copy");
    expect(alarmJob("outpost-ops-prod-copy-kms-1234abcd")).toBe("copy");
    expect(alarmJob("outpost-ops-prod-snapshot-work-dead-letters")).toBe("platform");
  });
});
