/**
 * Each Lambda bundle, built as `sst deploy` builds it (bench/lib/bundle.ts), carries exactly the SDK
 * clients its function calls (its grants, which test/infra/permissions.test.ts proves are what it
 * sends). A stray import (a core module that pulls in EC2Client at top level, a value import where a
 * type one would do) adds a client's whole weight to the cold start: the EC2 client alone is
 * ~1.5 MB and ~200 ms, which the alarm relay and the failover paths must never pay.
 * esbuild builds in memory (no files, no source maps); P5 of `npm run bench` measures the sizes and times.
 */
import { AllFunctionSpecs, type FunctionName } from "@outpost-ops/functions/src/jobs.ts";
import { beforeAll, describe, expect, it } from "vitest";
import { bundle } from "../../bench/lib/bundle.ts";
import { calledClients } from "../../bench/lib/bundle-clients.ts";

const names = Object.keys(AllFunctionSpecs) as FunctionName[];
/** Functions that must start fast while a site is down, and so never load EC2 or RDS. */
const FAST_PATHS: FunctionName[] = ["alarmStateChange", "failover", "failoverReadiness"];

describe("Lambda bundles: the SDK clients each function loads", () => {
  const loaded = new Map<FunctionName, string[]>();

  beforeAll(async () => {
    await Promise.all(
      names.map(async (name) => {
        const entry = AllFunctionSpecs[name].path.replace(/\.[^./]+$/, ".ts");
        const out = `/tmp/outpost-ops-bundle-test/${name}.mjs`;
        const built = await bundle({ entry }, out, { write: false, sourcemap: false });
        loaded.set(name, built.sdkClients);
      }),
    );
  }, 60_000);

  it.each(names)("%s loads exactly the clients it calls", (name) => {
    expect(loaded.get(name)).toEqual(calledClients(name));
  });

  it.each(FAST_PATHS)("%s carries neither the EC2 nor the RDS client", (name) => {
    expect(loaded.get(name)).not.toContain("@aws-sdk/client-ec2");
    expect(loaded.get(name)).not.toContain("@aws-sdk/client-rds");
  });

  it("the relay loads SNS alone, and the check sees EC2 where it is (the copy scheduler)", () => {
    expect(loaded.get("alarmStateChange")).toEqual(["@aws-sdk/client-sns"]);
    expect(loaded.get("copySchedule")).toContain("@aws-sdk/client-ec2");
  });
});
