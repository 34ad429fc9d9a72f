import { describe, expect, it } from "vitest";
import { firstFailuresAlert } from "../../src/jobs/failure-alerts.ts";
import type { ItemOutcome } from "../../src/jobs/outcome.ts";

const AT = new Date("2024-05-14T10:00:00Z");
const failed = (key: string): ItemOutcome => ({
  key,
  status: "failed",
  code: "access-denied",
  snapshotIds: [],
  detail: "UnauthorizedOperation: not allowed",
});

describe("Function: firstFailuresAlert", () => {
  it("is nothing for no failures", () => {
    expect(firstFailuresAlert([], { job: "snapshot", region: "us-west-2", at: AT })).toBeUndefined();
  });

  it("lists ten failures, counts the rest and says what to check", () => {
    const failures = Array.from({ length: 12 }, (_, i) => failed(`item-${i}`));
    const alert = firstFailuresAlert(failures, { job: "retention", region: "us-west-2", at: AT });
    expect(alert).toMatchObject({
      severity: "warning",
      job: "retention",
      title: "12 snapshot(s) could not be deleted",
      region: "us-west-2",
      at: AT,
    });
    expect(alert?.resourceIds).toHaveLength(12);
    expect(alert?.body).toContain("missing permission (access-denied), 12:");
    expect(alert?.body).toContain("item-9: UnauthorizedOperation: not allowed");
    expect(alert?.body).not.toContain("item-10:");
    expect(alert?.body).toContain("... and 2 more");
    expect(alert?.body).toContain("check the function's IAM role");
  });

  it("groups failures by reason code, with advice only where it applies", () => {
    const other: ItemOutcome = { ...failed("item-x"), code: "aws-error", detail: "IncorrectState: busy" };
    const alert = firstFailuresAlert([failed("item-1"), other], {
      job: "snapshot",
      region: "us-west-2",
      at: AT,
    });
    const body = alert?.body ?? "";
    expect(body.indexOf("missing permission (access-denied), 1:")).toBeLessThan(body.indexOf("item-1:"));
    expect(body).toContain("AWS refused the call (aws-error), 1:\n  item-x: IncorrectState: busy");
    expect(body.match(/IAM role/g)).toHaveLength(1);
  });
});
