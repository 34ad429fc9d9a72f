/**
 * `capacity`: the command around core's reader and renderer. The reader (readCapacityView, tested
 * with core's adapters) is replaced here by one that reports progress and returns a known view, so
 * what is tested is the command's own: which Outposts it reads, as of when, the renderer's text (the
 * weekly report's, unchanged), --json, progress on stderr, and its exit codes.
 */
import type { CapacityView } from "@outpost-ops/core/capacity/model";
import { renderCapacityView } from "@outpost-ops/core/capacity/report";
import { type Config, parseConfig } from "@outpost-ops/core/config";
import { readCapacityView } from "@outpost-ops/core/jobs/capacity-view";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { runCli } from "../src/cli.ts";
import { noPaint } from "../src/colour.ts";
import { capacity, onlyOutpost } from "../src/commands/capacity.ts";
import type { CommandContext } from "../src/context.ts";
import { fakeIo } from "./fake-io.ts";

vi.mock("@outpost-ops/core/jobs/capacity-view", () => ({ readCapacityView: vi.fn() }));
const read = vi.mocked(readCapacityView);

const NOW = new Date("2024-05-14T08:00:00Z");
const FACTORY = "op-0a1b2c3d4e5f60718";
const CLINIC = "op-0f1e2d3c4b5a69788";

function config(outposts = true): Config {
  return parseConfig({
    regions: { primary: "us-west-2", dr: "us-east-1" },
    outposts: outposts
      ? [
          { name: "factory", arn: `arn:aws:outposts:us-west-2:123456789012:outpost/${FACTORY}` },
          { name: "clinic-east", arn: `arn:aws:outposts:us-west-2:123456789012:outpost/${CLINIC}` },
        ]
      : [],
    alerts: { emails: [] },
    policies: [
      {
        name: "db",
        resource: "rds-instance",
        selector: { tags: { Backup: "yes" } },
        schedules: [{ name: "daily", expression: "cron(0 0 * * ? *)", retention: { keepLast: 4 } }],
      },
    ],
  });
}

const day = (d: number) => new Date(Date.UTC(2024, 4, d));

/** A view as readCapacityView returns it, for the Outposts of `cfg`: m5.large filling, gp2 flat. */
function viewOf(cfg: Config, at: Date): CapacityView {
  return {
    at,
    region: cfg.regions.primary,
    outposts: cfg.outposts.map((o) => {
      const outpostId = o.arn.split("/").pop() ?? "";
      return {
        outpost: o.name,
        outpostId,
        readings: [
          {
            condition: { outpost: o.name, outpostId, kind: "instance-type", subject: "m5.large" },
            current: 86,
            at,
            headroom: { available: 2, used: 12 },
            daily: [1, 2, 3, 4, 5, 6, 7].map((d) => ({ at: day(d), value: 50 + 5 * d })),
            weekAgo: 55,
            forecast: {
              kind: "full-in",
              days: 3,
              slopePerDay: 5,
              r2: 1,
              points: 7,
              method: "least squares over 7 daily maxima (R² 1.00)",
            },
            consumers: [{ id: "i-0123456789abcdef0", name: "line-1", uses: "m5.large" }],
          },
          {
            condition: { outpost: o.name, outpostId, kind: "volume-type", subject: "gp2" },
            current: 40,
            at,
            headroom: { freeGiB: 6000, totalGiB: 10000 },
            daily: [],
            consumers: [],
          },
        ],
        notes: [],
        discovered: true,
      };
    }),
  };
}

function context(cfg: Config, json = false) {
  const t = fakeIo();
  const ctx: CommandContext = {
    config: cfg,
    region: "us-east-1",
    now: NOW,
    json,
    dryRun: false,
    yes: false,
    clients: { get: () => ({}) } as unknown as CommandContext["clients"],
    alerts: { publish: async () => {} } as unknown as CommandContext["alerts"],
    clock: { now: () => NOW.getTime(), sleep: async () => {} },
    out: (text) => t.io.stdout.write(`${text}\n`),
    paint: noPaint,
    io: t.io,
  };
  return { ctx, t };
}

beforeEach(() => {
  read.mockImplementation(async ({ config: cfg, now, onProgress }) => {
    const total = cfg.outposts.length * 2;
    for (let done = 1; done <= total; done++) onProgress?.(done, total, `reading ${done}`);
    return viewOf(cfg, now);
  });
});

afterEach(() => {
  read.mockReset();
});

describe("Command: capacity", () => {
  it("prints the weekly report's view of every Outpost, read in the primary Region as of --at; exit 0", async () => {
    // Prepare
    const cfg = config();
    const { ctx, t } = context(cfg);

    // Act
    const code = await capacity(ctx);

    // Assess
    expect(code).toBe(0);
    expect(read).toHaveBeenCalledTimes(1);
    const [args] = read.mock.calls[0] ?? [];
    // The primary Region whatever the context's (AWS_REGION, --region of other commands) says.
    expect(args).toMatchObject({ region: "us-west-2", now: NOW });
    expect(args?.config.outposts.map((o) => o.name)).toEqual(["factory", "clinic-east"]);
    const text = renderCapacityView(viewOf(cfg, NOW)).join("\n");
    expect(t.stdout()).toBe(`${text}\n`);
    expect(t.stdout()).toContain("m5.large");
    expect(t.stdout()).toContain("clinic-east");
  });

  it("--outpost NAME reads and prints that Outpost only (a name with dashes too)", async () => {
    const { ctx, t } = context(config());
    expect(await capacity(ctx, "clinic-east")).toBe(0);
    expect(read.mock.calls[0]?.[0].config.outposts.map((o) => o.name)).toEqual(["clinic-east"]);
    expect(t.stdout()).toContain("clinic-east");
    expect(t.stdout()).not.toContain("factory");
  });

  it("--outpost of a name the config does not declare: a usage error listing the configured ones, exit 2, nothing read", async () => {
    const { ctx, t } = context(config());
    expect(await capacity(ctx, "warehouse")).toBe(2);
    expect(t.stderr()).toContain(
      "--outpost warehouse is not an Outpost of the config (configured: factory, clinic-east)",
    );
    expect(t.stdout()).toBe("");
    expect(read).not.toHaveBeenCalled();
  });

  it("--json: the view as one JSON object (ISO times), nothing on stderr", async () => {
    const cfg = config();
    const { ctx, t } = context(cfg, true);
    expect(await capacity(ctx)).toBe(0);
    const json = JSON.parse(t.stdout()) as { at: string; region: string; outposts: { outpost: string }[] };
    expect(json.at).toBe(NOW.toISOString());
    expect(json.region).toBe("us-west-2");
    expect(json.outposts.map((o) => o.outpost)).toEqual(["factory", "clinic-east"]);
    expect(json).toEqual(JSON.parse(JSON.stringify(viewOf(cfg, NOW))));
    expect(t.stderr()).toBe("");
  });

  it("shows progress on stderr while it reads (a line per tenth in a pipe), stdout only the view", async () => {
    const { ctx, t } = context(config());
    await capacity(ctx);
    expect(t.stderr()).toContain("reading capacity 1/4 (25%) reading 1");
    expect(t.stderr()).toContain("reading capacity 4/4 (100%) reading 4");
    expect(t.stdout()).not.toContain("reading capacity");
  });

  it("an AWS refusal: said with the reads it needs, exit 1", async () => {
    read.mockRejectedValueOnce(
      Object.assign(new Error("User is not authorized to perform: outposts:GetOutpostInstanceTypes"), {
        name: "AccessDeniedException",
        $metadata: { httpStatusCode: 403 },
      }),
    );
    const { ctx, t } = context(config());
    expect(await capacity(ctx)).toBe(1);
    expect(t.stderr()).toContain("AWS refused a call: AccessDeniedException");
    expect(t.stderr()).toContain("capacity needs outposts:GetOutpostInstanceTypes");
    expect(t.stdout()).toBe("");
  });

  it("an Outpost that could not be discovered: the others are shown, its note says why, exit 1 with the reads it needs", async () => {
    // Prepare
    const cfg = config();
    read.mockImplementationOnce(async () => {
      const view = viewOf(cfg, NOW);
      const clinic = view.outposts[1];
      if (clinic) {
        clinic.readings = [];
        clinic.discovered = false;
        clinic.notes = ["Outpost clinic-east (op-0f1e2d3c4b5a69788) could not be discovered: AccessDenied."];
      }
      return view;
    });
    const { ctx, t } = context(cfg);

    // Act
    const code = await capacity(ctx);

    // Assess
    expect(code).toBe(1);
    expect(t.stdout()).toContain("factory Outpost");
    expect(t.stdout()).toContain("could not be discovered: AccessDenied");
    expect(t.stderr()).toContain("Nothing could be read for clinic-east");
    expect(t.stderr()).toContain("capacity needs outposts:GetOutpostInstanceTypes");
  });

  it("a config without Outposts: says there is nothing to show, exit 0, nothing read", async () => {
    const { ctx, t } = context(config(false));
    expect(await capacity(ctx)).toBe(0);
    expect(t.stdout()).toContain("The config declares no Outposts");
    expect(read).not.toHaveBeenCalled();
  });
});

describe("Function: onlyOutpost", () => {
  it("keeps the named Outpost, and nothing for a name the config does not have", () => {
    const cfg = config();
    expect(onlyOutpost(cfg, "factory")?.outposts.map((o) => o.name)).toEqual(["factory"]);
    expect(onlyOutpost(cfg, "clinic")).toBeUndefined();
    // The rest of the config as it was.
    expect(onlyOutpost(cfg, "factory")?.policies).toBe(cfg.policies);
  });
});

describe("Program: capacity", () => {
  async function run(argv: string[]) {
    const t = fakeIo();
    const code = await runCli(argv, t.io);
    return { code, stdout: t.stdout(), stderr: t.stderr() };
  }

  it("--help shows --config, --json, --at and --outpost (it reads only: no --dry-run, --yes or --region)", async () => {
    const r = await run(["capacity", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toBe("Usage: outpost-ops capacity [options]");
    for (const option of ["--config <path>", "--json", "--at <iso-time>", "--outpost <name>"])
      expect(r.stdout).toContain(option);
    expect(r.stdout).not.toMatch(/--dry-run|--yes|--region/);
    expect(r.stdout).toContain("the same view as the weekly capacity report");
  });

  it("is listed in the global help", async () => {
    const r = await run(["--help"]);
    expect(r.stdout).toMatch(/capacity \[options\]\s+Show each Outpost's capacity/);
  });

  it("a bad --at or an unknown option is a usage error, exit 2, before any config loads", async () => {
    for (const argv of [
      ["capacity", "--at", "yesterday"],
      ["capacity", "--dry-run"],
    ]) {
      const r = await run([...argv, "--config", "/nonexistent/outpost-ops.config.ts"]);
      expect(r.code, argv.join(" ")).toBe(2);
      expect(r.stderr).not.toContain("nonexistent");
    }
  });
});
