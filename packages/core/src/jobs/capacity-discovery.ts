/**
 * What each configured Outpost has now: its instance types (GetOutpostInstanceTypes), the EBS volume
 * types it reports (ListMetrics) and its S3 on Outposts capacity (the latest OutpostTotalBytes).
 * The monitor builds its alarms from this and the capacity view its readings, so both see the same
 * types. An Outpost that cannot be discovered is reported with why, and the others go on.
 */
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { OutpostsClient } from "@aws-sdk/client-outposts";
import { listVolumeTypes, readStorageTotals } from "../aws/capacity-metrics.ts";
import type { AwsClients } from "../aws/clients.ts";
import { errorMessage } from "../aws/errors.ts";
import { outpostInstanceTypes } from "../aws/outposts.ts";
import type { Discovery } from "../capacity/model.ts";
import { outpostIdOf } from "../capacity/names.ts";
import type { Config } from "../config/schema.ts";
import { OutpostOpsError } from "../errors.ts";

/** An Outpost the run could not discover, and why (the message says what to fix). */
export interface DiscoveryFailure {
  outpost: string;
  outpostId: string;
  error: string;
}

export interface DiscoveryRun {
  discovered: Discovery[];
  failed: DiscoveryFailure[];
  /** What could not be read without failing an Outpost (the S3 on Outposts totals), in words. */
  warnings: string[];
}

/**
 * Discovers every configured Outpost (one ListMetrics and GetOutpostInstanceTypes each, one
 * GetMetricData for all their storage totals).
 * @example const { discovered, failed } = await discoverOutposts({ clients, config, region, now })
 */
export async function discoverOutposts(input: {
  clients: AwsClients;
  config: Config;
  region: string;
  now: Date;
  onOutpost?: (outpost: string) => void;
}): Promise<DiscoveryRun> {
  const { clients, config, region, now } = input;
  const cloudwatch = clients.get(CloudWatchClient, region);
  const outposts = clients.get(OutpostsClient, region);
  const ids = config.outposts.map((o) => outpostIdOf(o.arn));
  const warnings: string[] = [];
  // Without the totals no storage alarm can be built; the monitor then leaves the existing ones be.
  const totals = await readStorageTotals(cloudwatch, ids, now).catch((error: unknown) => {
    warnings.push(`S3 on Outposts totals could not be read: ${errorMessage(error)}.`);
    return new Map<string, { totalBytes: number }>();
  });
  const discovered: Discovery[] = [];
  const failed: DiscoveryFailure[] = [];
  for (const o of config.outposts) {
    const outpostId = outpostIdOf(o.arn);
    try {
      const [instanceTypes, volumeTypes] = await Promise.all([
        outpostInstanceTypes(outposts, o, region),
        listVolumeTypes(cloudwatch, outpostId),
      ]);
      const storageTotalBytes = totals.get(outpostId)?.totalBytes;
      discovered.push({
        outpost: o.name,
        outpostId,
        instanceTypes,
        volumeTypes,
        ...(storageTotalBytes !== undefined ? { storageTotalBytes } : {}),
      });
    } catch (error) {
      failed.push({
        outpost: o.name,
        outpostId,
        error:
          error instanceof OutpostOpsError
            ? error.message
            : `Outpost ${o.name} (${outpostId}) could not be discovered: ${errorMessage(error)}.`,
      });
    }
    input.onOutpost?.(o.name);
  }
  return { discovered, failed, warnings };
}
