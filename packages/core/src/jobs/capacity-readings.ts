/**
 * Conditions as read now (Reading): metrics in one batch, the forecast from their daily maxima, and
 * the top consumers. The alarm handler reads its one condition and the capacity view every condition
 * with this same function, so an alert and the view or weekly report show the same numbers.
 */
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { EC2Client } from "@aws-sdk/client-ec2";
import {
  type InstanceCpu,
  readConditionMetrics,
  readOutpostCpu,
  runningInstancesOn,
} from "../aws/capacity-metrics.ts";
import type { AwsClients } from "../aws/clients.ts";
import { topConsumers } from "../aws/consumers.ts";
import { errorMessage } from "../aws/errors.ts";
import { dailyMaxima, forecastFull } from "../capacity/forecast.ts";
import type { CapacityKind, Condition, Reading } from "../capacity/model.ts";
import type { Config } from "../config/schema.ts";

/** Kinds whose value is a utilization in percent: those have a trend and a forecast. */
export const UTILIZATION_KINDS: ReadonlySet<CapacityKind> = new Set([
  "instance-type",
  "volume-type",
  "snapshot-storage",
  "local-snapshots",
  "cpu",
]);

/** Kinds whose consumers are the Outpost's running instances. */
const INSTANCE_KINDS: ReadonlySet<CapacityKind> = new Set(["instance-type", "capacity-exceptions", "cpu"]);

export interface ReadingsInput {
  clients: AwsClients;
  config: Config;
  region: string;
  now: Date;
  /** Called after each condition's consumers are read (the CLI's progress). */
  onReading?: (reading: Reading) => void;
}

/**
 * @example const [reading] = await readReadings({ clients, config, region, now }, [condition])
 */
export async function readReadings(
  input: ReadingsInput,
  conditions: readonly Condition[],
): Promise<Reading[]> {
  const { clients, config, region, now } = input;
  const ec2 = clients.get(EC2Client, region);
  const cloudwatch = clients.get(CloudWatchClient, region);
  const metrics = await readConditionMetrics(cloudwatch, conditions, now);
  const arnOf = new Map(config.outposts.map((o) => [o.name, o.arn]));
  // One listing of running instances per Outpost serves all its instance types (and one with their
  // CPU its cpu condition).
  const listings = new Map<string, Promise<InstanceCpu[]>>();
  const instancesFor = (kind: CapacityKind, arn: string) => {
    const key = `${kind === "cpu" ? "cpu" : "running"}|${arn}`;
    let listed = listings.get(key);
    if (!listed) {
      listed =
        kind === "cpu"
          ? readOutpostCpu(ec2, cloudwatch, arn, now).then((r) => r.instances)
          : runningInstancesOn(ec2, arn);
      listings.set(key, listed);
    }
    return listed;
  };
  const out: Reading[] = [];
  for (const [i, condition] of conditions.entries()) {
    const m = metrics[i] ?? { daily: [] };
    const daily = dailyMaxima(m.daily);
    const arn = arnOf.get(condition.outpost);
    // The consumers are colour, the numbers are the news: a failed listing is said, not thrown.
    const unread: string[] = [];
    const consumers = arn
      ? await (async () =>
          topConsumers(
            ec2,
            condition,
            arn,
            INSTANCE_KINDS.has(condition.kind) ? await instancesFor(condition.kind, arn) : undefined,
          ))().catch((error: unknown) => {
          unread.push(`top consumers: ${errorMessage(error)}`);
          return [];
        })
      : [];
    const reading: Reading = {
      condition,
      ...(m.current !== undefined ? { current: m.current } : {}),
      ...(m.at ? { at: m.at } : {}),
      ...(m.headroom ? { headroom: m.headroom } : {}),
      daily,
      ...(m.weekAgo !== undefined ? { weekAgo: m.weekAgo } : {}),
      ...(UTILIZATION_KINDS.has(condition.kind) ? { forecast: forecastFull(daily, m.current) } : {}),
      consumers,
      ...(unread.length ? { unread } : {}),
    };
    out.push(reading);
    input.onReading?.(reading);
  }
  return out;
}
