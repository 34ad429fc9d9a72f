/**
 * Copy destinations beyond regions.dr (`copy.alsoTo`), end to end: the copy scheduler and the
 * retention job as deployed in each destination Region (us-east-1 = regions.dr, eu-west-1 = an
 * `alsoTo` Region), over one sandbox holding all three Regions, through the real SDK, with EC2's
 * listing delay on. Each destination is its own deployment: its own queues, topic and handlers
 * (whose env.region is the infrastructure's Region), its own key, its own 20 copy slots.
 */

import { PassThrough } from "node:stream";
import { SQSClient } from "@aws-sdk/client-sqs";
import { type AwsClients, createClients } from "@outpost-ops/core/aws/clients";
import { type Config, parseConfig } from "@outpost-ops/core/config";
import { readCopyState, recoveryOf } from "@outpost-ops/core/jobs/copy";
import type { RunSummary } from "@outpost-ops/core/summary";
import { Tag } from "@outpost-ops/core/tags";
import { forwardingIn, Jobs, jobsIn } from "@outpost-ops/functions/src/jobs.ts";
import { type Estate, type Sandbox, startSandbox } from "@outpost-ops/sandbox";
import { noPaint } from "outpost-ops/src/colour.ts";
import { status, statusReport } from "outpost-ops/src/commands/status.ts";
import type { CommandContext } from "outpost-ops/src/context.ts";
import { drainQueue, lambdaContext, scheduledEvent } from "outpost-ops/src/drill/lambda.ts";
import {
  createInfrastructure,
  drillHandlers,
  type Infrastructure,
  queue,
  sandboxClock,
} from "outpost-ops/src/drill/wiring.ts";
import { afterEach, describe, expect, it, vi } from "vitest";
import { CREDENTIALS, DESCRIBE_DELAY_MS, managedTags, REGION } from "./helpers.ts";

vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
  process.env.POWERTOOLS_METRICS_DISABLED = "true";
});

const DR = "us-east-1";
const EU = "eu-west-1";
const DR_KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab";
const EU_KEY_ID = "9876fedc-98fe-76dc-54ba-9876543210fe";
const DR_KEY = `arn:aws:kms:${DR}:123456789012:key/${DR_KEY_ID}`;
const EU_KEY = `arn:aws:kms:${EU}:123456789012:key/${EU_KEY_ID}`;
const START = new Date("2024-05-14T12:00:00Z");
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** `vols` copies to DR and eu-west-1 (keepLast 2 there); `other` only to DR (keepLast 1). */
function regionsConfig(): Config {
  const hourly = [{ name: "hourly", expression: "rate(1 hour)", retention: { keepLast: 24 } }];
  return parseConfig({
    regions: { primary: REGION, dr: DR },
    alerts: { emails: [] },
    retention: { maxDeletesPerRun: 1000, maxDeletesPercent: 100 },
    policies: [
      {
        name: "vols",
        resource: "ebs-volume",
        selector: { tags: { Backup: "dr" } },
        schedules: hourly,
        copy: {
          rpo: "6h",
          kmsKeyArn: DR_KEY,
          alsoTo: [{ region: EU, kmsKeyArn: EU_KEY }],
          retention: { keepLast: 2 },
        },
      },
      {
        name: "other",
        resource: "ebs-volume",
        selector: { tags: { Backup: "dr-only" } },
        schedules: hourly,
        copy: { rpo: "6h", kmsKeyArn: DR_KEY, retention: { keepLast: 1 } },
      },
    ],
  });
}

const volsVolume = (i: number) => `vol-${(i + 1).toString(16).padStart(17, "0")}`;
const otherVolume = (i: number) => `vol-${(0x1000 + i + 1).toString(16).padStart(17, "0")}`;

type KeyState = "Enabled" | "Disabled";

/**
 * `vols` and `others` tagged volumes, each with one completed managed snapshot an hour before START,
 * and a key in each destination.
 */
function estate(
  vols: number,
  others: number,
  keys: { dr?: KeyState; eu?: KeyState } = {},
): Estate & { volsIds: string[]; otherIds: string[] } {
  const taken = new Date(START.getTime() - HOUR);
  const volsIds = Array.from({ length: vols }, (_, i) => volsVolume(i));
  const otherIds = Array.from({ length: others }, (_, i) => otherVolume(i));
  const volume = (id: string, backup: string) => ({
    region: REGION,
    id,
    sizeGiB: 8,
    type: "gp3" as const,
    availabilityZone: `${REGION}a`,
    tags: { Backup: backup },
  });
  const snapshot = (policy: string, v: string) => ({
    region: REGION,
    volumeId: v,
    startTime: taken.toISOString(),
    state: "completed" as const,
    tags: managedTags(policy, "hourly", v, taken),
  });
  return {
    volsIds,
    otherIds,
    volumes: [...volsIds.map((id) => volume(id, "dr")), ...otherIds.map((id) => volume(id, "dr-only"))],
    snapshots: [...volsIds.map((v) => snapshot("vols", v)), ...otherIds.map((v) => snapshot("other", v))],
    kmsKeys: [
      { region: DR, id: DR_KEY_ID, keyState: keys.dr ?? "Enabled" },
      { region: EU, id: EU_KEY_ID, keyState: keys.eu ?? "Enabled" },
    ],
  };
}

type Snapshots = ReturnType<Sandbox["state"]["snapshots"]>;

/** One copy destination's deployment: its infrastructure and handlers, as `sst deploy --region` makes them. */
interface Destination {
  region: string;
  infra: Infrastructure;
  handlers: ReturnType<typeof drillHandlers>;
  /** Runs this Region's copy scheduler once on a scheduled tick; the run's summary is what it did. */
  tick(): Promise<{ batchItemFailures: { itemIdentifier: string }[]; summary?: RunSummary }>;
  /** Our copies in this Region (they carry the lineage tags), by state. */
  copies(state?: "pending" | "completed" | "error"): Snapshots;
  /** Alerts on this Region's topic. */
  alerts(): ReturnType<Sandbox["state"]["snsMessages"]>;
}

interface RegionsHarness {
  sb: Sandbox;
  clients: AwsClients;
  config: Config;
  dr: Destination;
  eu: Destination;
  /** Primary snapshots of one policy. */
  sources(policy: string): Snapshots;
}

let open: Sandbox | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

async function regionsHarness(seed: Estate, copyCompletionMs = 60 * MINUTE): Promise<RegionsHarness> {
  const sb = await startSandbox({
    port: 0,
    startTime: START,
    copyCompletionMs,
    describeVisibilityDelayMs: DESCRIBE_DELAY_MS,
  });
  open = sb;
  sb.seed(seed);
  const config = regionsConfig();
  const clients = createClients({ endpoint: sb.endpoint, credentials: CREDENTIALS, maxAttempts: 3 });
  let n = 0;
  const deploy = async (region: string): Promise<Destination> => {
    // The handlers' env.region is the infrastructure's Region (AWS_REGION, wiring.ts environmentOf).
    const infra = await createInfrastructure(clients, region, jobsIn(region, config));
    // The copy job is deployed here: its tick queue exists (queue() throws otherwise).
    queue(infra, "copy-ticks");
    const handlers = drillHandlers(config, clients, infra, sandboxClock(sb));
    return {
      region,
      infra,
      handlers,
      tick: () =>
        handlers.copySchedule(
          {
            Records: [
              {
                messageId: `m-${++n}`,
                body: JSON.stringify(scheduledEvent(sb.clock.now(), region, "CopySchedule")),
                eventSource: "aws:sqs",
                attributes: { ApproximateReceiveCount: "1" },
              },
            ],
          },
          lambdaContext("copySchedule"),
        ),
      copies: (state) =>
        sb.state
          .snapshots(region)
          .filter((s) => s.tags[Tag.sourceSnapshot] !== undefined && (!state || s.state === state)),
      alerts: () => sb.state.snsMessages(region),
    };
  };
  return {
    sb,
    clients,
    config,
    dr: await deploy(DR),
    eu: await deploy(EU),
    sources: (policy) => sb.state.snapshots(REGION).filter((s) => s.tags[Tag.policy] === policy),
  };
}

const ids = (snapshots: Snapshots) => snapshots.map((s) => s.snapshotId).sort();
const sourcesOf = (copies: Snapshots) => copies.map((c) => c.tags[Tag.sourceSnapshot] ?? "").sort();

describe("Copy destinations: one deployment per Region", () => {
  it("each destination gets its own copies: DR every copying policy's, eu-west-1 only the alsoTo policy's, each under its own key", async () => {
    // Arrange: 3 volumes of vols (DR and eu-west-1), 2 of other (DR only)
    const h = await regionsHarness(estate(3, 2));

    // Act: the scheduler deployed in each destination, once each; then the copies complete
    await h.dr.tick();
    await h.eu.tick();
    h.sb.clock.advance(61 * MINUTE);

    // Assess: DR holds both policies' copies under the DR key
    const vols = h.sources("vols");
    const other = h.sources("other");
    expect(vols).toHaveLength(3);
    expect(other).toHaveLength(2);
    expect(sourcesOf(h.dr.copies("completed"))).toEqual(ids([...vols, ...other]));
    for (const c of h.dr.copies()) {
      expect(c.encrypted).toBe(true);
      expect(c.kmsKeyId).toBe(DR_KEY);
    }
    // eu-west-1 holds vols' only, under its own key, with the lineage tags
    const eu = h.eu.copies("completed");
    expect(sourcesOf(eu)).toEqual(ids(vols));
    expect(h.eu.copies()).toHaveLength(3);
    for (const c of eu) {
      expect(c.encrypted).toBe(true);
      expect(c.kmsKeyId).toBe(EU_KEY);
      expect(c.tags[Tag.sourceRegion]).toBe(REGION);
      expect(c.tags[Tag.policy]).toBe("vols");
      expect(c.sourceRegion).toBe(REGION);
      expect(c.sourceSnapshotId).toBe(c.tags[Tag.sourceSnapshot]);
    }
    expect(h.sb.state.snapshots(EU).filter((s) => s.tags[Tag.policy] === "other")).toEqual([]);
    expect(h.dr.alerts()).toEqual([]);
    expect(h.eu.alerts()).toEqual([]);
  });

  it("the 20-copy limit is per destination: a backlog of 30 fills 20 slots in each, and each ends with all 30", async () => {
    // Arrange: 30 vols snapshots waiting, none copied anywhere
    const h = await regionsHarness(estate(30, 0));
    const all = ids(h.sources("vols"));

    // Act: one run in each destination (DR first: were its copies seen from eu-west-1, eu-west-1
    // would think 20 sources done and start only 10)
    await h.dr.tick();
    await h.eu.tick();
    const first = { dr: h.dr.copies("pending"), eu: h.eu.copies("pending") };
    const euState = await readCopyState({
      clients: h.clients,
      config: h.config,
      now: h.sb.clock.now(),
      destination: EU,
    });
    // An hour later the first 20 are done in each: the next runs start the last 10 in each
    h.sb.clock.advance(61 * MINUTE);
    await h.dr.tick();
    await h.eu.tick();
    const second = { dr: h.dr.copies("pending"), eu: h.eu.copies("pending") };
    h.sb.clock.advance(61 * MINUTE);

    // Assess: 20 in flight in each after the first runs, 20 distinct sources each
    expect(first.dr).toHaveLength(20);
    expect(first.eu).toHaveLength(20);
    expect(new Set(sourcesOf(first.dr)).size).toBe(20);
    expect(new Set(sourcesOf(first.eu)).size).toBe(20);
    // eu-west-1's view: its own 20 in flight, the other 10 queued (DR's copies count for nothing here)
    expect(euState.plan.inFlight.ebs.map((c) => c.id).sort()).toEqual(ids(first.eu));
    expect(euState.plan.queued).toHaveLength(10);
    expect(euState.plan.start).toEqual([]);
    expect(second.dr).toHaveLength(10);
    expect(second.eu).toHaveLength(10);
    // Every source copied once into each, no failure anywhere
    expect(sourcesOf(h.dr.copies("completed"))).toEqual(all);
    expect(sourcesOf(h.eu.copies("completed"))).toEqual(all);
    expect(h.dr.copies()).toHaveLength(30);
    expect(h.eu.copies()).toHaveLength(30);
    expect(h.eu.copies().every((c) => c.kmsKeyId === EU_KEY)).toBe(true);
    expect(h.dr.alerts()).toEqual([]);
    expect(h.eu.alerts()).toEqual([]);
  });

  it("a disabled key in eu-west-1 blocks only eu-west-1's copies: DR still copies everything", async () => {
    // Arrange
    const h = await regionsHarness(estate(3, 2, { eu: "Disabled" }));

    // Act
    await h.dr.tick();
    const euRuns = [await h.eu.tick()];
    h.sb.clock.advance(10 * MINUTE);
    euRuns.push(await h.eu.tick());
    const euState = await readCopyState({
      clients: h.clients,
      config: h.config,
      now: h.sb.clock.now(),
      destination: EU,
    });
    const drState = await readCopyState({
      clients: h.clients,
      config: h.config,
      now: h.sb.clock.now(),
      destination: DR,
    });

    // Assess: DR copied both policies' snapshots; eu-west-1 started none and had nothing refused
    expect(sourcesOf(h.dr.copies())).toEqual(ids([...h.sources("vols"), ...h.sources("other")]));
    expect(h.eu.copies()).toEqual([]);
    expect(h.sb.requests.count("CopySnapshot")).toBe(5);
    // eu-west-1's own runs saw vols' three copies held back by its key, on every run
    for (const run of euRuns) {
      expect(run.summary?.created).toBe(0);
      expect(run.summary?.skipped).toEqual({ "kms-key-unusable": 3 });
      expect(run.summary?.failed).toBe(0);
    }
    // eu-west-1's plan: vols' three copies blocked on eu-west-1's key, nothing to start
    expect(euState.plan.start).toEqual([]);
    expect(euState.plan.blocked.map((b) => b.request.source.id).sort()).toEqual(ids(h.sources("vols")));
    expect(euState.plan.blocked.every((b) => b.code === "kms-key-unusable")).toBe(true);
    expect(euState.plan.blocked.every((b) => b.request.kmsKeyArn === EU_KEY)).toBe(true);
    // Each destination checked its own key only, in its own Region: eu-west-1's is found there, disabled
    expect([...euState.keys.values()].map((k) => [k.arn, k.usable])).toEqual([[EU_KEY, false]]);
    expect(euState.keys.get(EU_KEY)?.problem).toContain(`in ${EU} is Disabled`);
    expect([...drState.keys.values()].map((k) => [k.arn, k.usable])).toEqual([[DR_KEY, true]]);
    expect(h.dr.alerts()).toEqual([]);
  });
});

describe("Copy destinations: retention in an alsoTo Region", () => {
  it("applies vols' copy retention (keepLast 2 per source) to our copies there, and touches nothing else", async () => {
    // Arrange: four hours of vols snapshots of 2 volumes, each copied into eu-west-1 by its
    // scheduler; beside them an unmanaged snapshot, another team's, and copies of `other` (a policy
    // that copies only to DR, keepLast 1) that someone put in eu-west-1
    const seed = estate(2, 1);
    const h = await regionsHarness(seed, 30 * MINUTE);
    for (let hour = 0; hour < 4; hour++) {
      if (hour > 0) {
        const at = new Date(h.sb.clock.now().getTime() - 5 * MINUTE);
        h.sb.seed({
          snapshots: seed.volsIds.map((v) => ({
            region: REGION,
            volumeId: v,
            startTime: at.toISOString(),
            state: "completed" as const,
            tags: managedTags("vols", "hourly", v, at),
          })),
        });
      }
      await h.eu.tick();
      h.sb.clock.advance(HOUR);
    }
    const otherVol = seed.otherIds[0] ?? "";
    const otherCopy = (n: number) => {
      const at = new Date(START.getTime() - n * HOUR);
      return {
        region: EU,
        id: `snap-00000000000other${n}`,
        volumeId: "vol-ffffffff",
        startTime: at.toISOString(),
        state: "completed" as const,
        tags: {
          ...managedTags("other", "hourly", otherVol, at),
          [Tag.sourceSnapshot]: `snap-othersrc${n}`,
          [Tag.sourceRegion]: REGION,
          [Tag.sourceVolume]: otherVol,
          [Tag.sourceTime]: at.toISOString(),
        },
      };
    };
    h.sb.seed({
      snapshots: [
        otherCopy(1),
        otherCopy(2),
        otherCopy(3),
        {
          region: EU,
          id: "snap-000000000unmanaged",
          volumeId: "vol-ffffffff",
          startTime: new Date(START.getTime() - 30 * HOUR).toISOString(),
        },
        {
          region: EU,
          id: "snap-00000000otherteam",
          volumeId: "vol-ffffffff",
          startTime: new Date(START.getTime() - 30 * HOUR).toISOString(),
          tags: { Team: "payments", Backup: "weekly" },
        },
      ],
    });
    const made = h.eu.copies("completed").filter((c) => c.tags[Tag.policy] === "vols");
    expect(made).toHaveLength(8);
    // Per volume, all but the two newest copies
    const expected = seed.volsIds
      .flatMap((v) =>
        made
          .filter((c) => c.tags[Tag.source] === v)
          .sort((a, b) => b.startTime.getTime() - a.startTime.getTime())
          .slice(2)
          .map((c) => c.snapshotId),
      )
      .sort();
    expect(expected).toHaveLength(4);

    // Act: eu-west-1's retention sweep, then its workers
    await h.eu.handlers.retentionSweep(
      scheduledEvent(h.sb.clock.now(), EU, "RetentionSchedule"),
      lambdaContext("retentionSweep"),
    );
    await drainQueue({
      sqs: h.clients.get(SQSClient, EU),
      queueUrl: queue(h.eu.infra, "retention-work").url,
      region: EU,
      handler: h.eu.handlers.retentionWork,
      functionName: "retentionWork",
    });

    // Assess: exactly our older vols copies went; `other`'s copies, the unmanaged and the other
    // team's snapshots stay; nothing deleted in any other Region
    expect(h.sb.state.deleted(EU).sort()).toEqual(expected);
    const left = new Set(h.sb.state.snapshots(EU).map((s) => s.snapshotId));
    for (const id of [
      "snap-00000000000other1",
      "snap-00000000000other2",
      "snap-00000000000other3",
      "snap-000000000unmanaged",
      "snap-00000000otherteam",
    ])
      expect(left.has(id)).toBe(true);
    expect(h.eu.copies()).toHaveLength(4 + 3);
    expect(h.sb.state.deleted(REGION)).toEqual([]);
    expect(h.sb.state.deleted(DR)).toEqual([]);
  });
});

describe("Copy destinations: status", () => {
  /** A command context over the sandbox, as the CLI builds it (context.ts), writing into strings. */
  function statusContext(h: RegionsHarness) {
    const out: string[] = [];
    const err: string[] = [];
    const ctx: CommandContext = {
      config: h.config,
      region: REGION,
      now: h.sb.clock.now(),
      json: true,
      dryRun: false,
      yes: false,
      clients: h.clients,
      alerts: { publish: async () => {} } as unknown as CommandContext["alerts"],
      clock: sandboxClock(h.sb),
      out: (text) => out.push(`${text}\n`),
      paint: noPaint,
      io: {
        stdin: new PassThrough(),
        stdout: { write: (text: string) => out.push(text) },
        stderr: { write: (text: string) => err.push(text) },
        env: {},
      },
    };
    return { ctx, stdout: () => out.join(""), stderr: () => err.join("") };
  }

  it("reports on eu-west-1: only vols' resources, their DR points eu-west-1's copies; an unknown Region is refused", async () => {
    // Arrange: both destinations hold completed copies
    const seed = estate(3, 2);
    const h = await regionsHarness(seed);
    await h.dr.tick();
    await h.eu.tick();
    h.sb.clock.advance(61 * MINUTE);
    const euCopyOf = new Map(h.eu.copies("completed").map((c) => [c.tags[Tag.source], c.snapshotId]));
    expect(euCopyOf.size).toBe(3);

    // Act
    const state = await readCopyState({
      clients: h.clients,
      config: h.config,
      now: h.sb.clock.now(),
      destination: EU,
      withResources: true,
    });
    const report = statusReport(h.config, state, recoveryOf(state, h.config));
    const json = statusContext(h);
    const code = await status(json.ctx, EU);
    const wrong = statusContext(h);
    const refused = await status(wrong.ctx, "ap-south-1");

    // Assess: the report on eu-west-1
    expect(report.destination).toBe(EU);
    expect(report.destinations).toEqual([DR, EU]);
    expect(report.policies.map((p) => p.name)).toEqual(["vols"]);
    expect(report.resources.map((r) => [r.policy, r.resource]).sort()).toEqual(
      seed.volsIds.map((v) => ["vols", v]),
    );
    for (const r of report.resources) expect(r.dr?.snapshotId).toBe(euCopyOf.get(r.resource));
    expect(report.keys.map((k) => [k.arn, k.usable, k.policies])).toEqual([[EU_KEY, true, ["vols"]]]);
    expect(report.withinRpo).toBe(true);
    // `status --destination eu-west-1 --json` says the same
    expect(code).toBe(0);
    const printed = JSON.parse(json.stdout()) as {
      destination: string;
      destinations: string[];
      resources: { policy: string; dr?: { snapshotId: string } }[];
    };
    expect(printed.destination).toBe(EU);
    expect(printed.destinations).toEqual([DR, EU]);
    expect(printed.resources.map((r) => r.dr?.snapshotId).sort()).toEqual([...euCopyOf.values()].sort());
    // A Region nothing is copied to: a usage error naming the destinations
    expect(refused).toBe(2);
    expect(wrong.stdout()).toBe("");
    expect(wrong.stderr()).toContain("ap-south-1");
    expect(wrong.stderr()).toContain(`${DR}, ${EU}`);
  });
});

describe("Copy destinations: forwarding", () => {
  it("the primary forwards snapshot events to each destination, DR's rules keeping their spec ids", () => {
    // Arrange
    const config = regionsConfig();
    const specIds = Jobs.copy
      .forwarded()
      .filter((f) => f.from === "primary")
      .map((f) => f.id);

    // Act
    const rules = forwardingIn(REGION, config);

    // Assess
    expect(specIds.length).toBeGreaterThan(0);
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
    expect(rules.filter((r) => r.to === DR).map((r) => r.id)).toEqual(specIds);
    expect(rules.filter((r) => r.to === EU).map((r) => r.id)).toEqual(specIds.map((id) => `${id}_euwest1`));
    expect([...new Set(rules.map((r) => r.to))]).toEqual([DR, EU]);
    expect(forwardingIn(DR, config)).toEqual([]);
    expect(forwardingIn(EU, config)).toEqual([]);
    expect(jobsIn(EU, config)).toEqual(expect.arrayContaining(["copy", "retention", "alerts"]));
  });
});
