import { describe, expect, it } from "vitest";
import { colourEnabled, paintFor } from "../src/colour.ts";

describe("Function: colourEnabled", () => {
  it.each([
    [true, {}, true],
    [false, {}, false],
    [true, { NO_COLOR: "1" }, false],
    [true, { NO_COLOR: "" }, true],
    [false, { FORCE_COLOR: "1" }, true],
    [true, { FORCE_COLOR: "0" }, false],
    [true, { FORCE_COLOR: "false" }, false],
    [false, { FORCE_COLOR: "1", NO_COLOR: "1" }, false],
  ])("a stream with isTTY %s and env %j has colour: %s", (isTTY, env, expected) => {
    // Act
    const enabled = colourEnabled({ isTTY }, env);

    // Assess
    expect(enabled).toBe(expected);
  });

  it("paints with ANSI codes only when enabled", () => {
    // Act
    const tty = paintFor({ isTTY: true }, {});
    const piped = paintFor({ isTTY: false }, {});

    // Assess
    expect(tty.red("failed 2")).toBe("\x1b[31mfailed 2\x1b[39m");
    expect(tty.bold("Usage:")).toBe("\x1b[1mUsage:\x1b[22m");
    expect(piped.red("failed 2")).toBe("failed 2");
    expect(piped.yellow("cap")).toBe("cap");
  });
});
