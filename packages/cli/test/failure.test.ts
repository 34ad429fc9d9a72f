import { EnqueueError } from "@outpost-ops/core/aws/queue";
import { DeadlineError } from "@outpost-ops/core/deadline";
import { ConfigError, ConfigLoadError, OutpostOpsError } from "@outpost-ops/core/errors";
import { CommanderError } from "commander";
import { describe, expect, it } from "vitest";
import { ConfirmationRequiredError } from "../src/confirm.ts";
import { awsProblem, reportFailure } from "../src/failure.ts";
import { fakeIo } from "./fake-io.ts";

function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });
}

describe("Function: reportFailure (exit codes and messages)", () => {
  it.each([
    [
      "an invalid config",
      new ConfigError([{ path: "regions.primary", message: "Required" }], "/etc/x.ts"),
      3,
    ],
    ["a config that cannot be loaded", new ConfigLoadError("/etc/x.ts", "no such file."), 3],
    ["no confirmation", new ConfirmationRequiredError("delete 9 snapshots in us-west-2"), 2],
    ["any other refusal", new OutpostOpsError("--days must be a whole number"), 2],
    ["a run stopped before it finished", new DeadlineError("listing volumes", 3), 1],
    ["work SQS would not take", new EnqueueError([{ id: "a/b/c", code: "InternalError" }]), 1],
    ["an AWS error", awsError("ThrottlingException", "Rate exceeded"), 1],
    ["a bug", new TypeError("x is undefined"), 1],
  ])("%s exits %i", (_label, error, code) => {
    // Prepare
    const t = fakeIo();

    // Act
    const exit = reportFailure(error, t.io);

    // Assess
    expect(exit).toBe(code);
    expect(t.stderr()).toContain((error as Error).message);
    expect(t.stdout()).toBe("");
  });

  it("prints a stack only for a bug, never for an error the user can act on", () => {
    // Prepare
    const user = fakeIo();
    const bug = fakeIo();

    // Act
    reportFailure(new ConfigLoadError("/etc/x.ts", "it threw Error: boom."), user.io);
    reportFailure(new TypeError("x is undefined"), bug.io);

    // Assess
    expect(user.stderr()).not.toMatch(/^\s+at /m);
    expect(bug.stderr()).toMatch(/^\s+at /m);
  });

  it("leaves commander's own errors to commander: help 0, usage errors 2", () => {
    // Act & Assess
    expect(reportFailure(new CommanderError(0, "commander.helpDisplayed", "(outputHelp)"), fakeIo().io)).toBe(
      0,
    );
    expect(reportFailure(new CommanderError(1, "commander.unknownOption", "error"), fakeIo().io)).toBe(2);
    expect(reportFailure(new CommanderError(1, "commander.help", "(outputHelp)"), fakeIo().io)).toBe(2);
  });
});

describe("Function: awsProblem", () => {
  it("says what to do about missing credentials, a denied call and any other AWS error", () => {
    // Act
    const credentials = awsProblem(
      Object.assign(new Error("Could not load credentials from any providers"), {
        name: "CredentialsProviderError",
      }),
    );
    const denied = awsProblem(awsError("UnauthorizedOperation", "You are not authorized"));
    const other = awsProblem(awsError("InternalError", "oops"));

    // Assess
    expect(credentials).toMatch(/^No AWS credentials found .*Set AWS_PROFILE/);
    expect(denied).toContain("lack a permission outpost-ops needs");
    expect(other).toContain("run the command again, or with --dry-run");
    expect(awsProblem(new Error("not AWS"))).toBeUndefined();
  });
});
