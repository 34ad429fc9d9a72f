/**
 * `outpost-ops deploy` runs `sst deploy` once per Region, in order, and stops at the first failure:
 * checked with a fake sst (OUTPOST_OPS_SST_BIN) that logs each call and fails for one Region.
 */
import { execFile } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliProcess } from "./cli-process.ts";

const key = (region: string, n: number) =>
  `arn:aws:kms:${region}:123456789012:key/0f1e2d3c-0000-4000-8000-00000000000${n}`;

const CONFIG = {
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

/** Logs its arguments, one call a line; exits FAKE_SST_CODE when its --region is FAKE_SST_FAIL_REGION. */
const FAKE_SST = `#!/usr/bin/env node
const { appendFileSync } = require("node:fs");
const args = process.argv.slice(2);
appendFileSync(process.env.FAKE_SST_LOG, JSON.stringify(args) + "\\n");
const region = args[args.indexOf("--region") + 1];
console.log("fake sst deployed " + region);
process.exit(region === process.env.FAKE_SST_FAIL_REGION ? Number(process.env.FAKE_SST_CODE) : 0);
`;

describe("Integration: outpost-ops deploy", () => {
  let dir: string;
  let log: string;
  let env: Record<string, string>;

  const calls = (): string[][] =>
    existsSync(log)
      ? readFileSync(log, "utf8")
          .trim()
          .split("\n")
          .filter(Boolean)
          .map((line) => JSON.parse(line) as string[])
      : [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "outpost-ops-deploy-"));
    writeFileSync(
      join(dir, "outpost-ops.config.ts"),
      `import { defineConfig } from "@outpost-ops/core/config";\n\nexport default defineConfig(${JSON.stringify(CONFIG)});\n`,
    );
    // CommonJS, whatever package.json is above the temporary folder.
    const bin = join(dir, "fake-sst.cjs");
    writeFileSync(bin, FAKE_SST);
    chmodSync(bin, 0o755);
    log = join(dir, "calls.log");
    env = { OUTPOST_OPS_SST_BIN: bin, FAKE_SST_LOG: log };
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const deploy = (args: string[], more: Record<string, string> = {}) => {
    rmSync(log, { force: true });
    return cliProcess(["deploy", ...args], { ...env, ...more }, { cwd: dir });
  };

  it("deploys the primary, then the DR Region, then the copy.alsoTo Region, passing the arguments after --", async () => {
    // Act
    const run = await deploy(["--stage", "prod", "--", "--verbose"]);

    // Assess
    expect(run.code, run.stderr).toBe(0);
    expect(calls()).toEqual(
      ["us-west-2", "us-east-1", "eu-west-1"].map((r) => [
        "deploy",
        "--stage",
        "prod",
        "--region",
        r,
        "--verbose",
      ]),
    );
    expect(run.stderr).toContain("[1/3] us-west-2 (primary):");
    expect(run.stderr).toContain("[2/3] us-east-1 (DR):");
    expect(run.stderr).toContain("[3/3] eu-west-1 (copy.alsoTo):");
    // sst's own output comes through as it runs.
    expect(run.stdout).toContain("fake sst deployed us-east-1");
    expect(run.stdout).toContain("Deployed stage prod to us-west-2, us-east-1, eu-west-1.");
  });

  it("stops at the first Region that fails, with its exit code, and says what is and is not deployed", async () => {
    // Act
    const run = await deploy(["--stage", "prod"], { FAKE_SST_FAIL_REGION: "us-east-1", FAKE_SST_CODE: "7" });

    // Assess
    expect(run.code).toBe(7);
    expect(calls().map((c) => c[4])).toEqual(["us-west-2", "us-east-1"]);
    expect(run.stderr).toContain("Deploying us-east-1 failed (exit code 7)");
    expect(run.stderr).toContain("Deployed: us-west-2; not deployed: us-east-1, eu-west-1.");
    expect(run.stdout).not.toContain("Deployed stage");
  });

  it("--dry-run prints the commands and runs nothing", async () => {
    // Act
    const run = await deploy(["--stage", "prod", "--dry-run"]);

    // Assess
    expect(run.code, run.stderr).toBe(0);
    expect(calls()).toEqual([]);
    expect(run.stdout.trim().split("\n").slice(1)).toEqual(
      ["us-west-2", "us-east-1", "eu-west-1"].map(
        (r) => `${env.OUTPOST_OPS_SST_BIN} deploy --stage prod --region ${r}`,
      ),
    );
  });

  it("without --stage it is a usage error naming the option (exit 2), and nothing runs", async () => {
    // Act
    const run = await deploy([]);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("required option '--stage <name>' not specified");
    expect(calls()).toEqual([]);
  });

  it("npm run deploy -- --stage NAME is the same command (here as a dry run of the project's config)", async () => {
    // Act
    const run = await new Promise<{ code: number; stdout: string }>((resolve) =>
      execFile(
        "npm",
        ["run", "--silent", "deploy", "--", "--stage", "prod", "--dry-run"],
        {
          env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
          timeout: 60_000,
        },
        (error, stdout) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout }),
      ),
    );

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      "npx sst deploy --stage prod --region us-west-2\nnpx sst deploy --stage prod --region us-east-1",
    );
  });
});
