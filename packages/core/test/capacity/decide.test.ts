import { describe, expect, it } from "vitest";
import { decideCapacityAlert } from "../../src/capacity/decide.ts";

const T0 = new Date("2024-05-14T10:00:00.000Z");
const T1 = new Date("2024-05-14T10:01:00.000Z");

describe("Function: decideCapacityAlert", () => {
  describe("a band going into ALARM", () => {
    it("alerts at its band when no higher band is in ALARM", () => {
      expect(
        decideCapacityAlert({
          band: "warning",
          state: "ALARM",
          previousState: "OK",
          siblings: [{ band: "critical", state: "OK" }],
        }),
      ).toEqual({ kind: "alert", band: "warning" });
    });

    it("alerts again when it worsens to critical", () => {
      expect(
        decideCapacityAlert({
          band: "critical",
          state: "ALARM",
          previousState: "OK",
          siblings: [{ band: "warning", state: "ALARM" }],
        }),
      ).toEqual({ kind: "alert", band: "critical" });
    });

    it("is silent for a band already covered by a higher one (a jump straight to critical)", () => {
      // Critical fired first; warning's own ALARM arrives after.
      expect(
        decideCapacityAlert({
          band: "warning",
          state: "ALARM",
          previousState: "OK",
          siblings: [{ band: "critical", state: "ALARM" }],
        }),
      ).toEqual({ kind: "silent", why: "the critical alarm is in ALARM: it has spoken" });
    });

    it("is silent for a repeated ALARM of the same alarm", () => {
      expect(
        decideCapacityAlert({ band: "warning", state: "ALARM", previousState: "ALARM", siblings: [] }).kind,
      ).toBe("silent");
    });

    it("lists the changed alarm among its siblings without confusing itself with a higher band", () => {
      expect(
        decideCapacityAlert({
          band: "critical",
          state: "ALARM",
          previousState: "OK",
          siblings: [
            { band: "warning", state: "ALARM" },
            { band: "critical", state: "ALARM" },
          ],
        }),
      ).toEqual({ kind: "alert", band: "critical" });
    });
  });

  describe("a band going OK", () => {
    it("eases critical to warning when warning is still in ALARM", () => {
      expect(
        decideCapacityAlert({
          band: "critical",
          state: "OK",
          previousState: "ALARM",
          siblings: [{ band: "warning", state: "ALARM" }],
        }),
      ).toEqual({ kind: "eased", to: "warning" });
    });

    it("resolves when the lowest band goes OK and no band is in ALARM", () => {
      expect(
        decideCapacityAlert({
          band: "warning",
          state: "OK",
          previousState: "ALARM",
          siblings: [{ band: "critical", state: "OK" }],
        }),
      ).toEqual({ kind: "resolved" });
    });

    it("is silent when the lowest band goes OK while a higher one is still in ALARM", () => {
      expect(
        decideCapacityAlert({
          band: "warning",
          state: "OK",
          previousState: "ALARM",
          siblings: [{ band: "critical", state: "ALARM" }],
        }),
      ).toMatchObject({ kind: "silent" });
    });

    it("is silent when critical goes OK and warning is OK too (warning's OK says resolved)", () => {
      expect(
        decideCapacityAlert({
          band: "critical",
          state: "OK",
          previousState: "ALARM",
          siblings: [{ band: "warning", state: "OK" }],
        }),
      ).toEqual({ kind: "silent", why: "the lowest band's alarm says resolved" });
    });

    describe("both bands going OK within a minute, with the alarms' timestamps", () => {
      it("resolves on critical's OK when warning went OK first (its OK was silenced by critical)", () => {
        expect(
          decideCapacityAlert({
            band: "critical",
            state: "OK",
            previousState: "ALARM",
            at: T1,
            siblings: [{ band: "warning", state: "OK", since: T0 }],
          }),
        ).toEqual({ kind: "resolved" });
      });

      it("leaves it to critical when warning's handler reads after critical went OK too", () => {
        expect(
          decideCapacityAlert({
            band: "warning",
            state: "OK",
            previousState: "ALARM",
            at: T0,
            siblings: [{ band: "critical", state: "OK", since: T1 }],
          }),
        ).toMatchObject({
          kind: "silent",
          why: "the critical alarm went OK after this one: it says resolved",
        });
      });

      it("resolves once on a tie: the lowest band speaks", () => {
        const warning = decideCapacityAlert({
          band: "warning",
          state: "OK",
          previousState: "ALARM",
          at: T0,
          siblings: [{ band: "critical", state: "OK", since: T0 }],
        });
        const critical = decideCapacityAlert({
          band: "critical",
          state: "OK",
          previousState: "ALARM",
          at: T0,
          siblings: [{ band: "warning", state: "OK", since: T0 }],
        });
        expect([warning.kind, critical.kind]).toEqual(["resolved", "silent"]);
      });
    });
  });

  describe("INSUFFICIENT_DATA", () => {
    it("is silent going into it", () => {
      expect(
        decideCapacityAlert({
          band: "warning",
          state: "INSUFFICIENT_DATA",
          previousState: "OK",
          siblings: [],
        }).kind,
      ).toBe("silent");
    });

    it("is silent for OK from it: a new alarm's first evaluation", () => {
      expect(
        decideCapacityAlert({
          band: "warning",
          state: "OK",
          previousState: "INSUFFICIENT_DATA",
          siblings: [],
        }),
      ).toMatchObject({ kind: "silent", why: expect.stringMatching(/first evaluation/) });
      expect(
        decideCapacityAlert({ state: "OK", previousState: "INSUFFICIENT_DATA", siblings: [] }).kind,
      ).toBe("silent");
    });

    it("alerts for ALARM from it (a new alarm that starts out breaching)", () => {
      expect(
        decideCapacityAlert({
          band: "critical",
          state: "ALARM",
          previousState: "INSUFFICIENT_DATA",
          siblings: [],
        }),
      ).toEqual({ kind: "alert", band: "critical" });
    });
  });

  describe("single-alarm kinds", () => {
    it("alert on ALARM and resolve on OK from ALARM", () => {
      expect(decideCapacityAlert({ state: "ALARM", previousState: "OK", siblings: [] })).toEqual({
        kind: "alert",
      });
      expect(decideCapacityAlert({ state: "OK", previousState: "ALARM", siblings: [] })).toEqual({
        kind: "resolved",
      });
    });
  });
});
