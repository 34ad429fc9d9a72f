import { describe, expect, it } from "vitest";
import { runCli } from "../src/cli.ts";
import { fakeIo } from "./fake-io.ts";

const ESC = "\x1b[";

/** Runs a command line in-process; nothing here reaches a config or AWS (parsing fails or help is shown). */
async function run(argv: string[], options: Parameters<typeof fakeIo>[0] = {}) {
  const t = fakeIo(options);
  const code = await runCli(argv, t.io);
  return { code, stdout: t.stdout(), stderr: t.stderr() };
}

describe("Function: runCli (commander program)", () => {
  it("--help and -h print the global help on stdout, listing every command, exit 0", async () => {
    for (const flag of ["--help", "-h"]) {
      // Act
      const r = await run([flag]);

      // Assess
      expect(r.code).toBe(0);
      expect(r.stderr).toBe("");
      expect(r.stdout).toMatch(/^Usage: outpost-ops <command> \[options\]/);
      expect(r.stdout).toMatch(/validate \[options\]\s+Check the config/);
      expect(r.stdout).toMatch(/status \[options\]\s+Show each protected resource's newest Outpost/);
      expect(r.stdout).toMatch(/4 \(status\) needs\s+attention/);
      expect(r.stdout).toMatch(/plan\s+Show what a job would do/);
      expect(r.stdout).toMatch(/run\s+Do a job/);
      expect(r.stdout).toMatch(/drill \[options\]\s+Offline DR drill/);
      expect(r.stdout).toContain("NO_COLOR");
    }
  });

  it("each command's --help shows its own options only", async () => {
    // Act
    const planSnapshot = await run(["plan", "snapshot", "--help"]);
    const runRetention = await run(["run", "retention", "--help"]);
    const validate = await run(["validate", "--help"]);
    const drill = await run(["drill", "--help"]);

    // Assess
    for (const r of [planSnapshot, runRetention, validate, drill]) {
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("--config <path>");
      expect(r.stdout).toContain("--json");
    }
    for (const r of [planSnapshot, runRetention]) {
      expect(r.stdout).toContain("--at <iso-time>");
      expect(r.stdout).toContain("--region <region>");
      expect(r.stdout).not.toContain("--days");
    }
    // A plan changes nothing, so it takes no --dry-run; run does.
    expect(runRetention.stdout).toContain("--dry-run");
    expect(planSnapshot.stdout).not.toContain("--dry-run");
    expect(runRetention.stdout).toContain("-y, --yes");
    expect(planSnapshot.stdout).not.toContain("--yes");
    expect(validate.stdout).not.toMatch(/--at|--dry-run|--region|--yes|--days/);
    expect(drill.stdout).toContain("--days <n>");
    expect(drill.stdout).not.toMatch(/--at|--dry-run|--region|--yes/);
  });

  it("status --help shows --config, --json and --at (it reads only: no --dry-run, --yes or --region) and its exit codes", async () => {
    // Act
    const r = await run(["status", "--help"]);

    // Assess
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toBe("Usage: outpost-ops status [options]");
    for (const option of ["--config <path>", "--json", "--at <iso-time>"]) expect(r.stdout).toContain(option);
    expect(r.stdout).not.toMatch(/--dry-run|--yes|--region|--days/);
    expect(r.stdout).toContain("starts no copies");
    expect(r.stdout).toMatch(
      /0 every resource within its RPO, every DR key usable, and failover \(if configured\) would\s+go ahead/,
    );
    expect(r.stdout).toMatch(/4 needs attention \(.*\s+.*or a failover that would be refused\)/);
  });

  it("no command, or a group without its job, prints help on stderr and exits 2", async () => {
    for (const argv of [[], ["plan"], ["run"]]) {
      // Act
      const r = await run(argv);

      // Assess
      expect(r.code, argv.join(" ")).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain("Usage: outpost-ops");
    }
  });

  it.each([
    [["drll"], /unknown command 'drll'\n\(Did you mean drill\?\)/],
    [["run", "snapshto"], /unknown command 'snapshto'\n\(Did you mean snapshot\?\)/],
    [["run", "retention", "--dry-rnu"], /unknown option '--dry-rnu'\n\(Did you mean --dry-run\?\)/],
    [["validate", "--at", "2024-05-14T10:00:00Z"], /unknown option '--at'/],
    [["validate", "--dry-run"], /unknown option '--dry-run'/],
    [["run", "snapshot", "--yes"], /unknown option '--yes'/],
    [["run", "snapshot", "--days", "3"], /unknown option '--days'/],
    [["plan", "snapshot", "--at"], /option '--at <iso-time>' argument missing/],
    [["status", "--dry-run"], /unknown option '--dry-run'/],
    [["status", "--region", "us-east-1"], /unknown option '--region'/],
    [["statsu"], /unknown command 'statsu'\n\(Did you mean status\?\)/],
  ])("%j is a usage error: exit 2, the problem on stderr", async (argv, problem) => {
    // Act
    const r = await run(argv);

    // Assess
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(problem);
    expect(r.stderr).toContain("(add --help for usage)");
  });

  it.each(["2024-05-14", "2024-05-14 10:00", "2024-05-14T10:00", "1"])(
    "--at %j is refused with exit 2 before any config is read, saying what is accepted",
    async (at) => {
      // Act
      const r = await run(["run", "retention", "--config", "/nonexistent/outpost-ops.config.ts", "--at", at]);
      const status = await run(["status", "--config", "/nonexistent/outpost-ops.config.ts", "--at", at]);

      // Assess
      expect(status.code).toBe(2);
      expect(status.stderr).toContain(`option '--at <iso-time>' argument '${at}' is invalid.`);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(
        `option '--at <iso-time>' argument '${at}' is invalid. It must be an ISO-8601 time with a zone, such as 2024-05-14T10:00:00Z.`,
      );
      expect(r.stderr).not.toContain("Cannot load the config");
    },
  );

  it("--version prints the package version", async () => {
    // Act
    const r = await run(["--version"]);

    // Assess
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe("Function: runCli colour", () => {
  it("colours errors and help at a terminal", async () => {
    // Act
    const error = await run(["drll"], { tty: true });
    const help = await run(["--help"], { tty: true });

    // Assess
    expect(error.stderr).toContain(`${ESC}31merror: unknown command 'drll'`);
    expect(help.stdout).toContain(`${ESC}1mUsage:${ESC}22m`);
  });

  it("no colour when piped, or at a terminal with NO_COLOR", async () => {
    for (const options of [{ tty: false }, { tty: true, env: { NO_COLOR: "1" } }]) {
      // Act
      const error = await run(["drll"], options);
      const help = await run(["run", "retention", "--help"], options);

      // Assess
      expect(error.stderr).toContain("error: unknown command 'drll'");
      expect(error.stderr).not.toContain(ESC);
      expect(help.stdout).toContain("Usage:");
      expect(help.stdout).not.toContain(ESC);
    }
  });
});
