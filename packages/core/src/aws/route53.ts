/**
 * Route 53 calls of the failover job: resolve the zone, read the configured records and the state
 * record, probe the permission to change them, submit one change batch, follow it to INSYNC, and
 * read health checks. Throttling (5 requests/s per account) and PriorRequestNotComplete are retried
 * by the SDK's standard retry strategy (both are among its throttling error codes).
 */
import {
  type Change,
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  GetHealthCheckStatusCommand,
  GetHostedZoneCommand,
  ListHostedZonesByNameCommand,
  ListResourceRecordSetsCommand,
  type ListResourceRecordSetsCommandOutput,
  type ResourceRecordSet,
  type Route53Client,
} from "@aws-sdk/client-route-53";
import { absolute } from "../config/index.ts";
import type { RecordChange, RecordSet } from "../failover/records.ts";
import type { Sleeper } from "../pacing.ts";
import { errorCode, errorMessage } from "./errors.ts";

const zoneIdOf = (id: string) => id.replace(/^\/?hostedzone\//, "");

/**
 * The hosted zone by id or by name (the public zone of that name; a private one only when it is the
 * only one), or why it cannot be used.
 * @example await resolveZone(route53, { name: "example.com" }) // { id: "Z0123…", name: "example.com." }
 */
export async function resolveZone(
  route53: Route53Client,
  zone: { id?: string | undefined; name?: string | undefined },
): Promise<{ id: string; name: string } | { problem: string }> {
  try {
    if (zone.id) {
      const out = await route53.send(new GetHostedZoneCommand({ Id: zone.id }));
      return { id: zoneIdOf(out.HostedZone?.Id ?? zone.id), name: absolute(out.HostedZone?.Name ?? "") };
    }
    const name = absolute(zone.name ?? "");
    const out = await route53.send(new ListHostedZonesByNameCommand({ DNSName: name, MaxItems: 10 }));
    const named = (out.HostedZones ?? []).filter((z) => absolute(z.Name ?? "") === name);
    const chosen = named.find((z) => !z.Config?.PrivateZone) ?? (named.length === 1 ? named[0] : undefined);
    if (!chosen?.Id)
      return {
        problem: `no hosted zone named ${name}${named.length > 1 ? " that is public (several private ones: name it by id)" : ""}: check failover.hostedZone`,
      };
    return { id: zoneIdOf(chosen.Id), name };
  } catch (error) {
    const code = errorCode(error);
    if (code === "NoSuchHostedZone")
      return { problem: `hosted zone ${zone.id} does not exist: check failover.hostedZone.id` };
    if (/AccessDenied/.test(code))
      return { problem: `not allowed to read hosted zone ${zone.id ?? zone.name}: ${errorMessage(error)}` };
    throw error;
  }
}

export function fromSdk(r: ResourceRecordSet): RecordSet {
  return {
    name: absolute(r.Name ?? ""),
    type: String(r.Type),
    ...(r.TTL !== undefined ? { ttl: r.TTL } : {}),
    ...(r.ResourceRecords ? { values: r.ResourceRecords.map((v) => v.Value ?? "") } : {}),
    ...(r.AliasTarget
      ? {
          alias: {
            dnsName: absolute(r.AliasTarget.DNSName ?? ""),
            hostedZoneId: r.AliasTarget.HostedZoneId ?? "",
            evaluateTargetHealth: r.AliasTarget.EvaluateTargetHealth === true,
          },
        }
      : {}),
    ...(r.SetIdentifier ? { setIdentifier: r.SetIdentifier } : {}),
    ...(r.Failover ? { failover: r.Failover as "PRIMARY" | "SECONDARY" } : {}),
    ...(r.HealthCheckId ? { healthCheckId: r.HealthCheckId } : {}),
  };
}

export function toSdk(r: RecordSet): ResourceRecordSet {
  return {
    Name: r.name,
    Type: r.type as ResourceRecordSet["Type"],
    ...(r.alias
      ? {
          AliasTarget: {
            DNSName: r.alias.dnsName,
            HostedZoneId: r.alias.hostedZoneId,
            EvaluateTargetHealth: r.alias.evaluateTargetHealth,
          },
        }
      : { TTL: r.ttl, ResourceRecords: (r.values ?? []).map((Value) => ({ Value })) }),
    ...(r.setIdentifier ? { SetIdentifier: r.setIdentifier } : {}),
    ...(r.failover ? { Failover: r.failover } : {}),
    ...(r.healthCheckId ? { HealthCheckId: r.healthCheckId } : {}),
  };
}

/**
 * A name's place in ListResourceRecordSets' order: by name with the labels reversed
 * (`com.example.www.`), then by type. Only used to choose where to start reading; what a page holds
 * is judged from the page itself, in the order Route 53 returned it.
 */
function zoneOrder(w: { name: string; type: string }): string {
  return `${absolute(w.name).toLowerCase().split(".").reverse().join(".")}\u0000${w.type}`;
}

/** Route 53's largest page of ListResourceRecordSets. */
const RECORDS_PAGE = 300;

/**
 * Every record set of the given names and types (all set identifiers). Route 53 lists a zone in its
 * own order from a start name and type, so one page read from the first wanted name also holds the
 * others when they are near it (a failover's records and state record usually are): a small zone
 * costs one call for every name, where a call per name would spend Route 53's 5 requests/s before
 * the change is even submitted. A name whose sets a page does not hold whole (not in it, or cut off
 * at its end) is read from its own position, so a large zone still costs at most a page per name.
 */
export async function readRecordSets(
  route53: Route53Client,
  zoneId: string,
  wanted: readonly { name: string; type: string }[],
): Promise<RecordSet[]> {
  const keyOf = (w: { name: string; type: string }) => `${absolute(w.name)} ${w.type}`;
  const pending = new Map<string, { name: string; type: string }>();
  for (const w of [...wanted].sort((a, b) => (zoneOrder(a) < zoneOrder(b) ? -1 : 1)))
    pending.set(keyOf(w), { name: absolute(w.name), type: w.type });
  const found = new Map<string, RecordSet[]>();
  while (pending.size > 0) {
    const [key, first] = pending.entries().next().value as [string, { name: string; type: string }];
    let start: { name: string; type: string; id?: string } | undefined = first;
    while (start) {
      const page: ListResourceRecordSetsCommandOutput = await route53.send(
        new ListResourceRecordSetsCommand({
          HostedZoneId: zoneId,
          StartRecordName: start.name,
          StartRecordType: start.type as ResourceRecordSet["Type"],
          ...(start.id ? { StartRecordIdentifier: start.id } : {}),
          MaxItems: RECORDS_PAGE,
        }),
      );
      const sets = (page.ResourceRecordSets ?? []).map(fromSdk);
      // The page in runs of one name and type (Route 53 lists a name and type's sets together). A
      // run followed by another, or ending the zone, is whole; the page's last run may go on.
      const runs: { key: string; sets: RecordSet[] }[] = [];
      for (const set of sets) {
        const k = keyOf(set);
        const last = runs.at(-1);
        if (last?.key === k) last.sets.push(set);
        else runs.push({ key: k, sets: [set] });
      }
      runs.forEach((run, i) => {
        const whole = i < runs.length - 1 || !page.IsTruncated;
        // The name read from its own position gathers its sets across pages (they come first on
        // each); others are taken whole.
        if (i === 0 && run.key === key) {
          found.set(key, [...(found.get(key) ?? []), ...run.sets]);
          if (whole) pending.delete(key);
        } else if (pending.has(run.key) && whole) {
          found.set(run.key, run.sets);
          pending.delete(run.key);
        }
      });
      // Read from its own position, the page starts at its first set: if it starts elsewhere, or
      // with another name after this one's last set, the zone has none (more) of it.
      if (runs[0]?.key !== key) pending.delete(key);
      start =
        !pending.has(key) || !page.NextRecordName
          ? undefined
          : {
              name: page.NextRecordName,
              type: String(page.NextRecordType),
              ...(page.NextRecordIdentifier ? { id: page.NextRecordIdentifier } : {}),
            };
    }
    pending.delete(key);
  }
  return [...found.values()].flat();
}

/**
 * Whether the role may change the zone's records, without changing anything: a batch that deletes a
 * value that cannot exist (a fresh random one) is refused as InvalidChangeBatch after authorization,
 * and as AccessDenied before it. Route 53 validates a batch whole, so nothing in it is applied.
 */
export async function probeChangePermission(
  route53: Route53Client,
  zoneId: string,
  records: readonly { name: string; type: string }[],
  nonce: string,
): Promise<{ ok: boolean; detail: string }> {
  const changes: Change[] = records.map((r) => ({
    Action: "DELETE",
    ResourceRecordSet: {
      Name: absolute(r.name),
      Type: r.type as ResourceRecordSet["Type"],
      TTL: 1,
      ResourceRecords: [
        { Value: r.type === "TXT" ? `"outpost-ops-probe-${nonce}"` : probeValue(r.type, nonce) },
      ],
    },
  }));
  try {
    await route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        ChangeBatch: { Comment: "outpost-ops permission probe (cannot apply)", Changes: changes },
      }),
    );
    // Cannot happen: the state record with a random value does not exist. Say so rather than guess.
    return { ok: true, detail: "the probe batch was accepted (unexpected): the role may change the records" };
  } catch (error) {
    const code = errorCode(error);
    if (code === "InvalidChangeBatch")
      return { ok: true, detail: `may change ${records.length} record(s) in zone ${zoneId}` };
    // Another change is still PENDING: Route 53 answered before judging this batch. Not a refusal.
    if (code === "PriorRequestNotComplete")
      return { ok: true, detail: `not checked: another change to zone ${zoneId} is still PENDING` };
    if (/AccessDenied/.test(code))
      return {
        ok: false,
        detail: `may not change the records in zone ${zoneId}: ${errorMessage(error)}`,
      };
    throw error;
  }
}

function probeValue(type: string, nonce: string): string {
  const n = Number.parseInt(nonce.slice(0, 4), 16) % 250;
  if (type === "A") return `192.0.2.${n}`;
  if (type === "AAAA") return `2001:db8::${n.toString(16)}`;
  return `outpost-ops-probe-${nonce}.invalid.`;
}

/** Submits one change batch; Route 53 applies it whole or not at all. */
export async function changeRecords(
  route53: Route53Client,
  zoneId: string,
  changes: readonly RecordChange[],
  comment: string,
): Promise<{ changeId: string }> {
  const out = await route53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      ChangeBatch: {
        Comment: comment.slice(0, 256),
        Changes: changes.map((c) => ({ Action: c.action, ResourceRecordSet: toSdk(c.record) })),
      },
    }),
  );
  return { changeId: (out.ChangeInfo?.Id ?? "").replace(/^\/?change\//, "") };
}

/**
 * Polls GetChange every `pollMs` (2 s: the SDK's waiter polls every 30 s, which would add up to half
 * a minute to every failover) until INSYNC; undefined when `timeoutMs` passes first. The first poll
 * is one interval after the change, not at once: a change just accepted is PENDING (propagation
 * takes seconds), and the preflight has just spent Route 53's burst, so an immediate poll would be
 * throttled and its backoff (up to a second) would shift every later poll.
 */
export async function waitInSync(
  route53: Route53Client,
  changeId: string,
  clock: Sleeper,
  options: { pollMs?: number; timeoutMs: number },
): Promise<Date | undefined> {
  const pollMs = options.pollMs ?? 2_000;
  const until = clock.now() + options.timeoutMs;
  await clock.sleep(Math.min(pollMs, Math.max(0, options.timeoutMs)));
  for (;;) {
    const out = await route53.send(new GetChangeCommand({ Id: changeId }));
    if (out.ChangeInfo?.Status === "INSYNC") return new Date(clock.now());
    if (clock.now() + pollMs > until) return undefined;
    await clock.sleep(pollMs);
  }
}

/**
 * A health check as Route 53 judges it: healthy when more than 18% of its checkers report healthy
 * (Route 53's documented rule), read from GetHealthCheckStatus.
 */
export async function healthCheckStatus(
  route53: Route53Client,
  id: string,
): Promise<{ id: string; healthy: boolean; detail: string }> {
  try {
    const out = await route53.send(new GetHealthCheckStatusCommand({ HealthCheckId: id }));
    const observations = out.HealthCheckObservations ?? [];
    const good = observations.filter((o) => /^Success/.test(o.StatusReport?.Status ?? "")).length;
    const healthy = observations.length > 0 && good / observations.length > 0.18;
    const sample = observations.find((o) => !/^Success/.test(o.StatusReport?.Status ?? ""))?.StatusReport
      ?.Status;
    return {
      id,
      healthy,
      detail: `health check ${id}: ${good} of ${observations.length} checkers report healthy${healthy || !sample ? "" : ` (${sample})`}`,
    };
  } catch (error) {
    // GetHealthCheckStatus cannot read a calculated (or CloudWatch-alarm) health check's status.
    if (errorCode(error) === "InvalidInput")
      return {
        id,
        healthy: false,
        detail: `health check ${id}: its status cannot be read (${errorMessage(error)}); name an endpoint health check, or use --force after checking it by hand`,
      };
    if (errorCode(error) === "NoSuchHealthCheck")
      return {
        id,
        healthy: false,
        detail: `health check ${id} does not exist: check the failover records' health check ids`,
      };
    if (/AccessDenied/.test(errorCode(error)))
      return { id, healthy: false, detail: `health check ${id} cannot be read: ${errorMessage(error)}` };
    throw error;
  }
}
