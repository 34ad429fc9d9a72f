import { describe, expect, it } from "vitest";
import { localStorageFloor, outpostsNeedingStorage } from "../../src/capacity/placement.ts";
import { capacityConfig, FACTORY_2_ARN, FACTORY_ARN } from "./fixtures.ts";

const config = capacityConfig();
const [flexible, strict, second, regional] = config.policies;
if (!flexible || !strict || !second || !regional) throw new Error("fixture policies");

describe("Function: localStorageFloor", () => {
  const at = (freeBytes: number, totalBytes = 1000) => ({ outpost: "factory", freeBytes, totalBytes });

  it("keeps local placement at or above the floor, and where storage is unknown", () => {
    expect(localStorageFloor(config, flexible, at(100))).toEqual({ local: true });
    expect(localStorageFloor(config, flexible, undefined)).toEqual({ local: true });
    expect(localStorageFloor(config, flexible, at(0, 0))).toEqual({ local: true });
  });

  it("moves a flexible policy to the Region below the floor, rounding the free percent down", () => {
    expect(localStorageFloor(config, flexible, at(99))).toEqual({
      local: false,
      note: {
        code: "local-storage-low",
        reason:
          "regional snapshot instead: Outpost factory's local snapshot storage is 9 % free, below the 10 % floor",
      },
    });
  });

  it("keeps a strict policy local below the floor, with the strict note", () => {
    expect(localStorageFloor(config, strict, at(0))).toMatchObject({
      local: true,
      note: { code: "local-storage-low-strict" },
    });
  });

  it("never moves a regional policy", () => {
    expect(localStorageFloor(config, regional, at(0))).toEqual({ local: true });
  });
});

describe("Function: outpostsNeedingStorage", () => {
  it("lists the Outposts of the policies placed on an Outpost, once, in config order", () => {
    expect(outpostsNeedingStorage(config, [second, flexible, strict])).toEqual([FACTORY_ARN, FACTORY_2_ARN]);
    expect(outpostsNeedingStorage(config, [flexible])).toEqual([FACTORY_ARN]);
  });

  it("lists none for regional policies, and every Outpost for a local policy selecting none", () => {
    expect(outpostsNeedingStorage(config, [regional])).toEqual([]);
    expect(
      outpostsNeedingStorage(config, [{ placement: "outpost", selector: { tags: { Backup: "yes" } } }]),
    ).toEqual([FACTORY_ARN, FACTORY_2_ARN]);
  });
});
