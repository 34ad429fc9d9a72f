import { parseConfig } from "@outpost-ops/core/config";
import { describe, expect, it } from "vitest";
import { renderConfigSummary } from "../src/commands/validate.ts";

describe("Function: renderConfigSummary", () => {
  it("names the one deploy command and the sst deploy it runs for each Region, in order", () => {
    // Prepare
    const key = (region: string) =>
      `arn:aws:kms:${region}:123456789012:key/0f1e2d3c-0000-4000-8000-000000000001`;
    const config = parseConfig({
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
            kmsKeyArn: key("us-east-1"),
            alsoTo: [{ region: "eu-west-1", kmsKeyArn: key("eu-west-1") }],
          },
        },
      ],
    });

    // Act
    const text = renderConfigSummary(config, "outpost-ops.config.ts");

    // Assess
    expect(text.split("\n")[1]).toBe(
      "Deploy: npx outpost-ops deploy --stage NAME, which runs npx sst deploy --stage NAME --region us-west-2, then npx sst deploy --stage NAME --region us-east-1, then npx sst deploy --stage NAME --region eu-west-1.",
    );
  });
});
