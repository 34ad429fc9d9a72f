import { describe, expect, it } from "vitest";
import { OutpostOpsError, TimeFormatError } from "../src/errors.ts";
import { ISO_TIME_ACCEPTED, isIsoTime, parseIsoTime } from "../src/time.ts";

describe("Function: parseIsoTime (event times and the CLI's --at)", () => {
  it.each([
    ["2024-05-14T10:00:00Z", "2024-05-14T10:00:00.000Z"],
    ["2024-05-14T10:00:00.123Z", "2024-05-14T10:00:00.123Z"],
    ["2024-05-14T12:00:00+02:00", "2024-05-14T10:00:00.000Z"],
    ["2024-05-14T12:00:00+0200", "2024-05-14T10:00:00.000Z"],
    ["2024-05-14T10:00Z", "2024-05-14T10:00:00.000Z"],
  ])("accepts %s as %s", (text, instant) => {
    // Act
    const at = parseIsoTime(text, "--at");

    // Assess
    expect(at.toISOString()).toBe(instant);
    expect(isIsoTime(text)).toBe(true);
  });

  it.each([
    ["a date without a time", "2024-05-14"],
    ["a space instead of T, no zone", "2024-05-14 10:00"],
    ["a time without a zone (read in the machine's zone)", "2024-05-14T10:00:00"],
    ["RFC 1123", "Tue, 14 May 2024 10:00:00 GMT"],
    ["a bare number", "1"],
    ["month 13", "2024-13-01T00:00:00Z"],
    ["an empty string", ""],
  ])("rejects %s (%s) with TimeFormatError naming the field and what is accepted", (_label, text) => {
    // Act
    const error = (() => {
      try {
        parseIsoTime(text, "--at");
      } catch (e) {
        return e;
      }
      throw new Error("expected parseIsoTime to throw");
    })();

    // Assess
    expect(error).toBeInstanceOf(TimeFormatError);
    expect(error).toBeInstanceOf(OutpostOpsError);
    expect(error).toMatchObject({ name: "TimeFormatError", field: "--at", text });
    expect((error as Error).message).toBe(`--at "${text}" is not ${ISO_TIME_ACCEPTED}.`);
    expect(isIsoTime(text)).toBe(false);
  });
});
