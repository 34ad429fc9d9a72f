import { type ConfigInput, parseConfig } from "@outpost-ops/core/config";
import { describe, expect, it } from "vitest";
import { commandLine, DeployArgumentError, deploySteps } from "../src/commands/deploy.ts";

const key = (region: string, n: number) =>
  `arn:aws:kms:${region}:123456789012:key/0f1e2d3c-0000-4000-8000-00000000000${n}`;

/** Primary us-west-2, DR us-east-1, and one policy also copying to eu-west-1. */
function threeRegions(): ConfigInput {
  return {
    regions: { primary: "us-west-2", dr: "us-east-1" },
    alerts: { emails: [] },
    policies: [
      {
        name: "db",
        resource: "rds-instance",
        selector: { tags: { Backup: "yes" } },
        schedules: [{ name: "daily", expression: "cron(0 0 * * ? *)", retention: { keepLast: 4 } }],
        copy: {
          rpo: "26h",
          kmsKeyArn: key("us-east-1", 1),
          alsoTo: [{ region: "eu-west-1", kmsKeyArn: key("eu-west-1", 2) }],
        },
      },
    ],
  };
}

describe("Function: deploySteps", () => {
  it("deploys the primary first, then regions.dr, then each copy.alsoTo Region, each with --stage and --region", () => {
    // Act
    const steps = deploySteps(parseConfig(threeRegions()), "prod", []);

    // Assess
    expect(steps.map((s) => [s.region, s.role])).toEqual([
      ["us-west-2", "primary"],
      ["us-east-1", "DR"],
      ["eu-west-1", "copy.alsoTo"],
    ]);
    expect(steps.map(commandLine)).toEqual([
      "npx sst deploy --stage prod --region us-west-2",
      "npx sst deploy --stage prod --region us-east-1",
      "npx sst deploy --stage prod --region eu-west-1",
    ]);
  });

  it("runs the given binary instead of npx sst, and passes the extra arguments to every deploy", () => {
    // Act
    const steps = deploySteps(parseConfig(threeRegions()), "dev", ["--verbose"], "/opt/sst");

    // Assess
    expect(steps[0]).toMatchObject({
      command: "/opt/sst",
      args: ["deploy", "--stage", "dev", "--region", "us-west-2", "--verbose"],
    });
    expect(steps.every((s) => s.args.at(-1) === "--verbose")).toBe(true);
  });

  it("a config without copies deploys two Regions", () => {
    // Prepare
    const input = threeRegions();
    const { copy: _copy, ...policy } = input.policies[0] as NonNullable<ConfigInput["policies"][number]>;

    // Act
    const steps = deploySteps(parseConfig({ ...input, policies: [policy] }), "prod", []);

    // Assess
    expect(steps.map((s) => s.region)).toEqual(["us-west-2", "us-east-1"]);
  });

  it.each([["--region"], ["--region=eu-central-1"], ["--stage"], ["--stage=other"]])(
    "refuses %s among the extra arguments: deploy sets it itself",
    (argument) => {
      // Act
      const act = () => deploySteps(parseConfig(threeRegions()), "prod", ["--verbose", argument]);

      // Assess
      expect(act).toThrow(DeployArgumentError);
      expect(act).toThrow(`${argument} cannot be passed to sst here`);
    },
  );

  it("quotes an argument a shell would split", () => {
    // Act
    const line = commandLine({ command: "npx", args: ["sst", "deploy", "--profile", "it's mine"] });

    // Assess
    expect(line).toBe("npx sst deploy --profile 'it'\\''s mine'");
  });
});
