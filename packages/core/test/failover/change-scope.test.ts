import { describe, expect, it } from "vitest";
import { changeScope, normalizedRecordName } from "../../src/failover/change-scope.ts";
import { failoverConfig } from "./fixtures.ts";

describe("Function: normalizedRecordName", () => {
  it("lower-cases, drops the final dot and escapes what is not a-z, 0-9, -, _ or . in octal, as Route 53 does", () => {
    expect(normalizedRecordName("App.Example.COM.")).toBe("app.example.com");
    expect(normalizedRecordName("*.example.com")).toBe("\\052.example.com");
    expect(normalizedRecordName("_outpost-ops-failover.example.com.")).toBe(
      "_outpost-ops-failover.example.com",
    );
  });
});

describe("Function: changeScope", () => {
  it("with the zone named: the zone `*`, the records and the one state record, their types and TXT", () => {
    // Act
    const scope = changeScope(failoverConfig());

    // Assess
    expect(scope).toEqual({
      zone: "*",
      recordNames: ["_outpost-ops-failover.example.com", "api.example.com", "app.example.com"],
      recordTypes: ["A", "TXT"],
    });
  });

  it("with the zone's id only: the state record of every zone the records can be in, still exact names", () => {
    // Arrange
    const failover = failoverConfig({
      hostedZone: { id: "Z0123456789ABCDEFGHIJ" },
      records: [
        {
          name: "app.eu.Example.com",
          type: "A",
          primary: { values: ["10.0.0.1"] },
          dr: { values: ["10.1.0.1"] },
        },
        {
          name: "api.eu.example.com.",
          type: "CNAME",
          primary: { values: ["lb.primary.example.net"] },
          dr: { values: ["lb.dr.example.net"] },
        },
      ],
    });

    // Act
    const scope = changeScope(failover);

    // Assess
    expect(scope.zone).toBe("Z0123456789ABCDEFGHIJ");
    expect(scope.recordNames).toEqual([
      "_outpost-ops-failover.com",
      "_outpost-ops-failover.eu.example.com",
      "_outpost-ops-failover.example.com",
      "api.eu.example.com",
      "app.eu.example.com",
    ]);
    expect(scope.recordTypes).toEqual(["A", "CNAME", "TXT"]);
    expect(scope.recordNames.some((n) => n.includes("*"))).toBe(false);
  });

  it("an apex record can be the zone itself", () => {
    const failover = failoverConfig({
      hostedZone: { id: "Z0123456789ABCDEFGHIJ" },
      records: [
        {
          name: "example.com",
          type: "AAAA",
          primary: { values: ["2001:db8::1"] },
          dr: { values: ["2001:db8::2"] },
        },
      ],
    });
    expect(changeScope(failover).recordNames).toEqual([
      "_outpost-ops-failover.com",
      "_outpost-ops-failover.example.com",
      "example.com",
    ]);
  });
});
