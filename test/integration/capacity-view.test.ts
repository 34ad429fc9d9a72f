/**
 * The capacity view and the weekly report over the sandbox: every discovered condition of every
 * Outpost with its numbers (S3 on Outposts as % used with GiB free of total), what could not be read
 * in words, progress for the CLI, and the report's one alert and one event per Outpost.
 */
import type { Reading } from "@outpost-ops/core/capacity/model";
import { runCapacityReport } from "@outpost-ops/core/jobs/capacity-report";
import { readCapacityView } from "@outpost-ops/core/jobs/capacity-view";
import { afterEach, describe, expect, it } from "vitest";
import {
  type CapacitySandbox,
  clinicOutpost,
  DAY_MS,
  FACTORY_ID,
  factoryOutpost,
  factoryStorageMetrics,
  START,
  startCapacitySandbox,
} from "./capacity-sandbox.ts";
import { REGION } from "./helpers.ts";

let cs: CapacitySandbox | undefined;
afterEach(async () => {
  await cs?.close();
  cs = undefined;
});

const label = (r: Reading) => `${r.condition.kind}${r.condition.subject ? ` ${r.condition.subject}` : ""}`;

async function start() {
  const weekAgo = START.getTime() - 7 * DAY_MS;
  return startCapacitySandbox({
    estate: {
      outposts: [factoryOutpost(["m5.large"]), clinicOutpost()],
      metrics: [
        ...factoryStorageMetrics(START),
        {
          region: REGION,
          namespace: "AWS/Outposts",
          name: "InstanceTypeCapacityUtilization",
          dimensions: { OutpostId: FACTORY_ID, InstanceType: "m5.large" },
          points: [
            [weekAgo, 52],
            [weekAgo + 3_600_000, 55],
            [START.getTime() - 600_000, 61],
          ],
        },
      ],
    },
  });
}

describe("capacity view", () => {
  it("reads every discovered condition of every Outpost, with notes for what is missing, and reports progress", async () => {
    cs = await start();
    const progress: [number, number, string][] = [];
    const view = await readCapacityView({
      clients: cs.clients,
      config: cs.config,
      region: REGION,
      now: cs.now(),
      onProgress: (done, total, what) => progress.push([done, total, what]),
    });
    const [factory, clinic] = view.outposts;
    expect(factory?.readings.map(label)).toEqual([
      "instance-type m5.large",
      "volume-type gp2",
      "snapshot-storage",
      "cpu",
      "connected",
    ]);
    const m5 = factory?.readings[0];
    expect(m5?.current).toBe(61);
    expect(m5?.weekAgo).toBe(55);
    const storage = factory?.readings.find((r) => r.condition.kind === "snapshot-storage");
    expect(storage?.current).toBeCloseTo(40, 6);
    expect(storage?.headroom).toEqual({ freeGiB: 600, totalGiB: 1000 });
    expect(factory?.notes).toEqual([]);
    expect(clinic?.readings.map(label)).toEqual(["instance-type m5.large", "cpu", "connected"]);
    expect(clinic?.notes.join(" ")).toMatch(/EBSVolumeTypeCapacityUtilization/);
    expect(clinic?.notes.join(" ")).toMatch(/OutpostTotalBytes/);
    const last = progress.at(-1);
    expect(last?.[0]).toBe(last?.[1]);
    expect(progress.map((p) => p[0])).toEqual(progress.map((_, i) => i + 1));
  });

  it("the weekly report is one alert and one event per Outpost, from the same view", async () => {
    cs = await start();
    const report = await runCapacityReport({
      clients: cs.clients,
      config: cs.config,
      region: REGION,
      now: cs.now(),
      context: { stage: "test", at: cs.now() },
    });
    expect(report.alerts.map((a) => a.severity)).toEqual(["info", "info"]);
    expect(report.alerts[0]?.title).toMatch(/^factory Outpost weekly capacity/);
    expect(report.events.map((e) => e.detailType)).toEqual(["Capacity Report", "Capacity Report"]);
    expect(report.events[0]?.detail.resource).toEqual({ type: "outpost", id: FACTORY_ID, region: REGION });
    expect(report.events[0]?.detail.stage).toBe("test");
    expect(report.view.outposts.map((o) => o.outpost)).toEqual(["factory", "clinic"]);
  });
});
