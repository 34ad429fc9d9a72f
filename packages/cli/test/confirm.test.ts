import { OutpostOpsError } from "@outpost-ops/core/errors";
import { describe, expect, it } from "vitest";
import { ConfirmationRequiredError, confirm } from "../src/confirm.ts";
import { fakeIo } from "./fake-io.ts";

const REQUEST = { action: "delete 9 snapshots in us-west-2", question: "Delete 9 snapshots in us-west-2?" };

describe("Function: confirm (before a destructive change)", () => {
  it.each([
    ["y", true],
    ["yes", true],
    ["YES", true],
    ["  y  ", true],
    ["n", false],
    ["no", false],
    ["", false],
    ["yep", false],
    ["delete them", false],
  ])("at a terminal, the answer %j means %s", async (answer, confirmed) => {
    // Prepare
    const t = fakeIo({ tty: true, answer });

    // Act
    const result = await confirm({ ...REQUEST, yes: false }, t.io);

    // Assess
    expect(result).toBe(confirmed);
    expect(t.stderr()).toBe("Delete 9 snapshots in us-west-2? [y/N] ");
    expect(t.stdout()).toBe("");
  });

  it("at a terminal, end of input (Ctrl-D) declines", async () => {
    // Prepare
    const t = fakeIo({ tty: true, answer: null });

    // Act
    const result = await confirm({ ...REQUEST, yes: false }, t.io);

    // Assess
    expect(result).toBe(false);
    expect(t.asked()).toBe(1);
  });

  it("--yes confirms without asking, with or without a terminal", async () => {
    for (const tty of [true, false]) {
      // Prepare
      const t = fakeIo({ tty });

      // Act
      const result = await confirm({ ...REQUEST, yes: true }, t.io);

      // Assess
      expect(result).toBe(true);
      expect(t.asked()).toBe(0);
      expect(t.stderr()).toBe("");
    }
  });

  it("without a terminal and without --yes, refuses: names the action, says to pass --yes or --dry-run", async () => {
    // Prepare
    const t = fakeIo({ tty: false, answer: "y" });

    // Act
    const error = await confirm({ ...REQUEST, yes: false }, t.io).catch((e: unknown) => e);

    // Assess: piped input is never read as an answer
    expect(error).toBeInstanceOf(ConfirmationRequiredError);
    expect(error).toBeInstanceOf(OutpostOpsError);
    expect((error as Error).name).toBe("ConfirmationRequiredError");
    expect((error as Error).message).toBe(
      "Refusing to delete 9 snapshots in us-west-2 without confirmation: standard input is not a terminal, so nobody can be asked. Pass --yes to go ahead, or --dry-run to see the plan. Nothing was changed.",
    );
    expect(t.asked()).toBe(0);
  });
});
