import { describe, expect, it } from "vitest";
import { type ItemOutcome, needsRedelivery } from "../../src/jobs/outcome.ts";
import type { ReasonCode } from "../../src/reasons.ts";

const outcome = (status: ItemOutcome["status"], code: ReasonCode): ItemOutcome => ({
  key: "k",
  status,
  code,
  snapshotIds: [],
  detail: "",
});

describe("Function: needsRedelivery", () => {
  it.each([
    ["retry", "rate-limited", true],
    ["created", "not-yet-visible", true],
    ["failed", "access-denied", true],
    ["failed", "aws-error", true],
    ["failed", "quota-exceeded", false],
    ["created", "created", false],
    ["exists", "already-exists", false],
    ["skipped", "source-not-found", false],
    ["deleted", "deleted", false],
    ["gone", "already-deleted", false],
  ] as const)("%s with %s: %s", (status, code, expected) => {
    // Act
    const again = needsRedelivery(outcome(status, code));

    // Assess
    expect(again).toBe(expected);
  });
});
