/**
 * The `failover`, `failback` and `deploy` command lines: their options, and the usage errors found
 * before any config or AWS client loads. A config that does not exist stands for "got past the
 * option checks" (exit 3, Cannot load the config).
 */
import { describe, expect, it } from "vitest";
import { runCli } from "../src/cli.ts";
import { fakeIo } from "./fake-io.ts";

const MISSING = "/nonexistent/outpost-ops.config.ts";

async function run(argv: string[], env: Record<string, string> = {}) {
  const t = fakeIo({ env });
  const code = await runCli(argv, t.io);
  return { code, stdout: t.stdout(), stderr: t.stderr() };
}

describe("Function: runCli failover, failback and deploy", () => {
  it("the global help lists failover, failback and deploy", async () => {
    // Act
    const r = await run(["--help"]);

    // Assess
    expect(r.stdout).toMatch(/failover \[options\]\s+Point DNS at the DR site/);
    expect(r.stdout).toMatch(/failback \[options\]\s+Point DNS back at the primary site/);
    expect(r.stdout).toMatch(/deploy \[options\] \[sst-args\.\.\.\]\s+Deploy every Region/);
    expect(r.stdout).toContain("OUTPOST_OPS_STAGE");
  });

  it.each(["failover", "failback"])(
    "%s --help shows its options and exit codes, and no --at or --region",
    async (verb) => {
      // Act
      const r = await run([verb, "--help"]);

      // Assess
      expect(r.code).toBe(0);
      for (const option of [
        "--config <path>",
        "--json",
        "-y, --yes",
        "--dry-run",
        "--force",
        "--reason <text>",
        "--local",
        "--stage <name>",
      ])
        expect(r.stdout).toContain(option);
      expect(r.stdout).not.toMatch(/--at|--region|--days/);
      expect(r.stdout).toContain(
        "Exit codes: 0 done, nothing to do, or a dry run that would go ahead; 2 refused",
      );
      expect(r.stdout).toContain(`outpost-ops ${verb} --stage prod --dry-run`);
    },
  );

  it("deploy --help shows --stage and --dry-run, and no --config (sst builds from the project's config)", async () => {
    // Act
    const r = await run(["deploy", "--help"]);

    // Assess
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("--stage <name>");
    expect(r.stdout).toContain("--dry-run");
    expect(r.stdout).not.toContain("--config");
    expect(r.stdout).toContain("OUTPOST_OPS_SST_BIN");
  });

  it.each([
    [["failover", "--dry-run"], /--stage <name> is required to invoke the deployed failover function/],
    [["failback", "--yes"], /pass --stage NAME or set OUTPOST_OPS_STAGE, or add --local/],
    [["failover", "--json", "--stage", "prod"], /--json prints one JSON object and asks nothing: add --yes/],
    [["failover", "--json", "--local", "--force"], /--json prints one JSON object and asks nothing/],
    [["failover", "--stage", "prod env"], /argument 'prod env' is invalid\. A stage name is a letter/],
    [
      ["failover", "--local", "--reason", "  "],
      /option '--reason <text>' argument ' {2}' is invalid\. Give 1 to 200/,
    ],
    [["failover", "--local", "--reason", "x".repeat(201)], /Give 1 to 200 characters/],
    [["failover", "--local", "--at", "2024-05-14T00:00:00Z"], /unknown option '--at'/],
    [["failover", "--local", "--region", "us-east-1"], /unknown option '--region'/],
    [["deploy"], /required option '--stage <name>' not specified/],
    [["deploy", "--stage", "-x"], /argument missing|is invalid/],
  ])("%j is a usage error: exit 2, the problem on stderr, before the config loads", async (argv, problem) => {
    // Act
    // (deploy takes no --config: it reads the project's.)
    const r = await run(argv[0] === "deploy" ? argv : [...argv, "--config", MISSING]);

    // Assess
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(problem);
    expect(r.stderr).not.toContain("Cannot load the config");
  });

  it("OUTPOST_OPS_STAGE stands in for --stage; --local needs none", async () => {
    for (const [argv, env] of [
      [["failover", "--dry-run"], { OUTPOST_OPS_STAGE: "prod" }],
      [["failback", "--local", "--yes", "--json"], {}],
    ] as const) {
      // Act
      const r = await run([...argv, "--config", MISSING], env);

      // Assess: past the option checks, stopped by the config
      expect(r.code, argv.join(" ")).toBe(3);
      expect(r.stderr).toContain(`Cannot load the config ${MISSING}`);
    }
  });

  it("a malformed OUTPOST_OPS_STAGE is a usage error naming the variable", async () => {
    // Act
    const r = await run(["failover", "--dry-run", "--config", MISSING], { OUTPOST_OPS_STAGE: "prod/eu" });

    // Assess
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('OUTPOST_OPS_STAGE "prod/eu": A stage name is a letter');
  });
});
