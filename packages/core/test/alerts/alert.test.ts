import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
// Types for the matchers test/setup.ts registers.
import type {} from "aws-sdk-client-mock-vitest/extend";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { type Alert, ConsoleLinks, toSnsMessage } from "../../src/alerts/alert.ts";
import { memoryAlertSink, snsAlertSink } from "../../src/alerts/publish.ts";

const AT = new Date("2024-05-14T10:00:00.000Z");
const TOPIC = "arn:aws:sns:us-west-2:123456789012:outpost-ops-alerts";

function alert(more: Partial<Alert> = {}): Alert {
  return {
    severity: "warning",
    job: "retention",
    title: "Deletion cap exceeded",
    body: "Retention planned 2000 deletions.\nNothing was deleted.\n",
    region: "us-west-2",
    at: AT,
    resourceIds: ["snap-0123456789abcdef0", "snap-0fedcba9876543210"],
    links: [{ label: "Logs", url: "https://us-west-2.console.aws.amazon.com/cloudwatch/home" }],
    ...more,
  };
}

describe("Function: toSnsMessage", () => {
  it("puts severity, job and title in the subject", () => {
    // Act
    const message = toSnsMessage(alert());

    // Assess
    expect(message.Subject).toBe("[WARNING] outpost-ops retention: Deletion cap exceeded");
  });

  it("cuts a long subject to 100 characters ending in an ellipsis", () => {
    // Prepare
    const title = `Outpost op-0a1b2c3d4e5f60718 ${"x".repeat(200)}`;

    // Act
    const message = toSnsMessage(alert({ severity: "critical", job: "capacity", title }));

    // Assess
    expect(message.Subject).toHaveLength(100);
    expect(
      message.Subject.startsWith("[CRITICAL] outpost-ops capacity: Outpost op-0a1b2c3d4e5f60718 x"),
    ).toBe(true);
    expect(message.Subject.endsWith("...")).toBe(true);
  });

  it("keeps a subject of exactly 100 characters whole", () => {
    // Prepare
    const prefix = "[INFO] outpost-ops snapshot: ";
    const title = "y".repeat(100 - prefix.length);

    // Act
    const message = toSnsMessage(alert({ severity: "info", job: "snapshot", title }));

    // Assess
    expect(message.Subject).toBe(`${prefix}${title}`);
  });

  it("replaces non-ASCII characters in the subject and turns line breaks into spaces", () => {
    // Act
    const message = toSnsMessage(alert({ title: "Café on Outpost\n  “factory”\tfull" }));

    // Assess
    expect(message.Subject).toBe("[WARNING] outpost-ops retention: Caf? on Outpost ?factory? full");
  });

  it("always yields a subject SNS accepts: printable ASCII, at most 100 characters", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme", maxLength: 300 }),
        fc.constantFrom("info", "warning", "critical" as const),
        (title, severity) => {
          // Act
          const { Subject } = toSnsMessage(alert({ title, severity }));

          // Assess
          expect(Subject.length).toBeLessThanOrEqual(100);
          expect(Subject).toMatch(/^[\x20-\x7e]+$/);
          expect(Subject).toContain(`[${severity.toUpperCase()}]`);
        },
      ),
    );
  });

  it("writes title, body, severity, job, region, time, resources and links into the body", () => {
    // Act
    const { Message } = toSnsMessage(alert({ stage: "prod" }));

    // Assess
    expect(Message.split("\n")).toEqual([
      "Deletion cap exceeded",
      "",
      "Retention planned 2000 deletions.",
      "Nothing was deleted.",
      "",
      "Severity: warning",
      "Job:      retention",
      "Region:   us-west-2",
      "When:     2024-05-14T10:00:00.000Z",
      "Stage:    prod",
      "",
      "Resources:",
      "  - snap-0123456789abcdef0",
      "  - snap-0fedcba9876543210",
      "",
      "Links:",
      "  Logs: https://us-west-2.console.aws.amazon.com/cloudwatch/home",
      "",
      "-- outpost-ops",
    ]);
  });

  it("leaves out the resource and link sections when there are none", () => {
    // Act
    const { Message } = toSnsMessage(alert({ resourceIds: [], links: [] }));

    // Assess
    expect(Message).not.toContain("Resources:");
    expect(Message).not.toContain("Links:");
    expect(Message).not.toContain("Stage:");
  });

  it("lists the first 20 resources and counts the rest", () => {
    // Prepare
    const ids = Array.from({ length: 73 }, (_, i) => `snap-${String(i).padStart(17, "0")}`);

    // Act
    const { Message } = toSnsMessage(alert({ resourceIds: ids }));

    // Assess
    const listed = Message.split("\n").filter((line) => line.startsWith("  - "));
    expect(listed).toHaveLength(20);
    expect(listed[0]).toBe(`  - ${ids[0]}`);
    expect(listed[19]).toBe(`  - ${ids[19]}`);
    expect(Message).not.toContain(ids[20]);
    expect(Message).toContain("  ... and 53 more");
  });

  it("lists exactly 20 resources without an 'and more' line", () => {
    // Prepare
    const ids = Array.from({ length: 20 }, (_, i) => `vol-${String(i).padStart(17, "0")}`);

    // Act
    const { Message } = toSnsMessage(alert({ resourceIds: ids }));

    // Assess
    expect(Message.split("\n").filter((line) => line.startsWith("  - "))).toHaveLength(20);
    expect(Message).not.toContain("more");
  });

  it("sets String message attributes severity, job and region for subscription filters", () => {
    // Act
    const { MessageAttributes } = toSnsMessage(
      alert({ severity: "critical", job: "failover", region: "us-east-1" }),
    );

    // Assess
    expect(MessageAttributes).toEqual({
      severity: { DataType: "String", StringValue: "critical" },
      job: { DataType: "String", StringValue: "failover" },
      region: { DataType: "String", StringValue: "us-east-1" },
    });
  });

  it("adds a stage attribute when the alert has a stage", () => {
    // Act
    const { MessageAttributes } = toSnsMessage(alert({ stage: "prod" }));

    // Assess
    expect(MessageAttributes.stage).toEqual({ DataType: "String", StringValue: "prod" });
  });

  it("uses a given subject verbatim, without the generic prefix", () => {
    // Act
    const message = toSnsMessage(
      alert({
        severity: "critical",
        subject: "[CRITICAL] factory Outpost: m5.large capacity 96 %, full in ~4 days",
      }),
    );

    // Assess
    expect(message.Subject).toBe("[CRITICAL] factory Outpost: m5.large capacity 96 %, full in ~4 days");
    expect(message.Message.split("\n")[0]).toBe("Deletion cap exceeded");
  });

  it("still makes a given subject ASCII, one line and at most 100 characters", () => {
    // Act
    const message = toSnsMessage(alert({ subject: `[INFO] Outpost “café”:\nR² ${"z".repeat(120)}` }));

    // Assess
    expect(message.Subject.startsWith("[INFO] Outpost ?caf??: R? zzz")).toBe(true);
    expect(message.Subject).toHaveLength(100);
    expect(message.Subject.endsWith("...")).toBe(true);
  });

  it("adds the alert's extra attributes, never over severity, job, region or stage", () => {
    // Act
    const { MessageAttributes } = toSnsMessage(
      alert({
        severity: "warning",
        stage: "prod",
        attributes: {
          outpost: "factory",
          metric: "instance-type",
          band: "warning",
          severity: "info",
          empty: "",
        },
      }),
    );

    // Assess
    expect(MessageAttributes).toEqual({
      outpost: { DataType: "String", StringValue: "factory" },
      metric: { DataType: "String", StringValue: "instance-type" },
      band: { DataType: "String", StringValue: "warning" },
      severity: { DataType: "String", StringValue: "warning" },
      job: { DataType: "String", StringValue: "retention" },
      region: { DataType: "String", StringValue: "us-west-2" },
      stage: { DataType: "String", StringValue: "prod" },
    });
  });
});

describe("Function: ConsoleLinks", () => {
  it("links to the snapshots outpost-ops manages in the alert's Region", () => {
    // Act
    const link = ConsoleLinks.managedSnapshots("us-west-2");

    // Assess
    expect(link.url).toBe(
      "https://us-west-2.console.aws.amazon.com/ec2/home?region=us-west-2#Snapshots:tag:outpost-ops:managed=true",
    );
  });

  it("URL-encodes an alarm name", () => {
    // Act
    const link = ConsoleLinks.alarm("us-west-2", "outpost-ops dead letters");

    // Assess
    expect(link.url.endsWith("#alarmsV2:alarm/outpost-ops%20dead%20letters")).toBe(true);
  });
});

const sns = mockClient(SNSClient);

describe("Function: snsAlertSink", () => {
  afterEach(() => {
    sns.reset();
  });

  it("publishes the rendered alert to the topic with its attributes", async () => {
    // Prepare
    sns.on(PublishCommand).resolves({ MessageId: "m-1" });
    const sink = snsAlertSink(new SNSClient({ region: "us-west-2" }), TOPIC);
    const rendered = toSnsMessage(alert());

    // Act
    await sink.publish(alert());

    // Assess
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: TOPIC,
      Subject: rendered.Subject,
      Message: rendered.Message,
      MessageAttributes: rendered.MessageAttributes,
    });
  });

  it("lets a failed publish reach the caller", async () => {
    // Prepare
    sns.on(PublishCommand).rejects(new Error("AuthorizationError"));
    const sink = snsAlertSink(new SNSClient({ region: "us-west-2" }), TOPIC);

    // Act & Assess
    await expect(sink.publish(alert())).rejects.toThrow("AuthorizationError");
  });
});

describe("Function: memoryAlertSink", () => {
  it("collects alerts in order", async () => {
    // Prepare
    const sink = memoryAlertSink();

    // Act
    await sink.publish(alert({ title: "one" }));
    await sink.publish(alert({ title: "two" }));

    // Assess
    expect(sink.alerts.map((a) => a.title)).toEqual(["one", "two"]);
  });
});
