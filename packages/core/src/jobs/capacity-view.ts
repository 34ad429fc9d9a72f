/**
 * The capacity view: every Outpost's discovered conditions, read now (instance types, volume types,
 * snapshot storage, cpu, connected). `outpost-ops capacity` prints it and the weekly report sends it,
 * both through core/capacity/report.ts, so they show the same numbers as each other and as the
 * alerts (the same readReadings).
 */
import type { AwsClients } from "../aws/clients.ts";
import type { CapacityView, Condition, Discovery, OutpostView } from "../capacity/model.ts";
import { outpostIdOf } from "../capacity/names.ts";
import type { Config } from "../config/schema.ts";
import { discoverOutposts } from "./capacity-discovery.ts";
import { readReadings } from "./capacity-readings.ts";

/** `done` of `total` steps finished; `what` says which (for the CLI's stderr). */
export type Progress = (done: number, total: number, what: string) => void;

/** The conditions of one discovered Outpost the view reads, in the order it prints them. */
export function viewConditions(d: Discovery): Condition[] {
  const base = { outpost: d.outpost, outpostId: d.outpostId };
  return [
    ...d.instanceTypes.map((subject): Condition => ({ ...base, kind: "instance-type", subject })),
    ...d.volumeTypes.map((subject): Condition => ({ ...base, kind: "volume-type", subject })),
    ...(d.storageTotalBytes !== undefined ? [{ ...base, kind: "snapshot-storage" } as Condition] : []),
    { ...base, kind: "cpu" },
    { ...base, kind: "connected" },
  ];
}

function notesOf(d: Discovery, warnings: readonly string[]): string[] {
  const notes: string[] = [...warnings];
  if (d.instanceTypes.length === 0) notes.push("GetOutpostInstanceTypes lists no instance types.");
  if (d.volumeTypes.length === 0)
    notes.push("No EBS volume type reports EBSVolumeTypeCapacityUtilization (ListMetrics found none).");
  if (d.storageTotalBytes === undefined && warnings.length === 0)
    notes.push("No S3 on Outposts capacity reported (S3Outposts OutpostTotalBytes) in the last 3 hours.");
  return notes;
}

/**
 * @example const view = await readCapacityView({ clients, config, region, now, onProgress: (d, t, w) => process.stderr.write(`${d}/${t} ${w}\n`) })
 */
export async function readCapacityView(input: {
  clients: AwsClients;
  config: Config;
  region: string;
  now: Date;
  onProgress?: Progress;
}): Promise<CapacityView> {
  const { config, onProgress } = input;
  // Discovery is one step per Outpost; the total grows once the conditions are known.
  let done = 0;
  let total = config.outposts.length;
  const { discovered, failed, warnings } = await discoverOutposts({
    ...input,
    onOutpost: (outpost) => onProgress?.(++done, total, `discovered ${outpost}`),
  });
  const conditions = discovered.flatMap(viewConditions);
  total += conditions.length;
  const readings = await readReadings(
    {
      ...input,
      onReading: (r) =>
        onProgress?.(
          ++done,
          total,
          `read ${r.condition.outpost} ${r.condition.kind}${r.condition.subject ? ` ${r.condition.subject}` : ""}`,
        ),
    },
    conditions,
  );
  const outposts: OutpostView[] = config.outposts.map((o) => {
    const d = discovered.find((x) => x.outpost === o.name);
    const failure = failed.find((f) => f.outpost === o.name);
    return {
      outpost: o.name,
      outpostId: outpostIdOf(o.arn),
      readings: readings.filter((r) => r.condition.outpost === o.name),
      notes: d ? notesOf(d, warnings) : [failure?.error ?? "not discovered"],
      discovered: d !== undefined,
    };
  });
  return { at: input.now, region: input.region, outposts };
}
