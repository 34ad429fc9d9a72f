import { AwsError } from "./errors.ts";
import { type HttpAnswer, type RequestContext, type ServiceHandler, xmlAnswer } from "./http.ts";
import { route53Id } from "./ids.ts";
import type { Estate, RecordView } from "./types.ts";
import { esc, leaf, list, node, parseXml } from "./xml.ts";

/**
 * Route 53 over REST-XML (/2013-04-01/...). Route 53 is global: zones ignore the signing region.
 * A change is PENDING for 5 s of sandbox-clock time, then INSYNC; while a zone has a PENDING change,
 * another change to it answers PriorRequestNotComplete (advance the clock between changes).
 */
const XMLNS = "https://route53.amazonaws.com/doc/2013-04-01/";
const PROPAGATION_MS = 5_000;
const MAX_RECORDS_PER_BATCH = 1000;

interface RecordSet extends RecordView {
  weight?: number;
  failover?: string;
  healthCheckId?: string;
}

interface Zone {
  id: string;
  name: string;
  callerReference: string;
  records: RecordSet[];
  lastChangeId?: string;
}

interface Change {
  id: string;
  submittedAt: Date;
  comment?: string;
}

/** Route 53 names are absolute: always end with a dot, compared case-insensitively. */
const fqdn = (name: string) => (name.endsWith(".") ? name : `${name}.`).toLowerCase();
const zoneIdOf = (id: string) => id.replace(/^\/?hostedzone\//, "");

/** AWS lists record sets by name with labels reversed (com.example.www), then type, then set id. */
function sortKey(r: { name: string; type: string; setIdentifier?: string }): string {
  return `${fqdn(r.name).split(".").reverse().join(".")}\u0000${r.type}\u0000${r.setIdentifier ?? ""}`;
}

const rrsetLabel = (r: { name: string; type: string; setIdentifier?: string }) =>
  `[name='${r.name}', type='${r.type}'${r.setIdentifier ? `, set-identifier='${r.setIdentifier}'` : ""}]`;

function asArray<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

export class Route53Service implements ServiceHandler {
  readonly service = "route53" as const;
  private readonly zones = new Map<string, Zone>();
  private readonly changes = new Map<string, Change>();

  operation(ctx: RequestContext): string {
    const p = ctx.path.slice("/2013-04-01".length);
    if (ctx.method === "GET" && /^\/hostedzone\/[^/]+$/.test(p)) return "GetHostedZone";
    if (ctx.method === "GET" && p === "/hostedzonesbyname") return "ListHostedZonesByName";
    if (ctx.method === "GET" && p === "/hostedzone") return "ListHostedZones";
    if (ctx.method === "GET" && /^\/hostedzone\/[^/]+\/rrset$/.test(p)) return "ListResourceRecordSets";
    if (ctx.method === "POST" && /^\/hostedzone\/[^/]+\/rrset\/?$/.test(p)) return "ChangeResourceRecordSets";
    if (ctx.method === "GET" && /^\/change\/[^/]+$/.test(p)) return "GetChange";
    if (ctx.method === "GET" && /^\/healthcheck\/[^/]+\/status$/.test(p)) return "GetHealthCheckStatus";
    return "Unknown";
  }

  renderError(err: AwsError, ctx: RequestContext): HttpAnswer {
    const body = `<?xml version="1.0"?>\n<ErrorResponse xmlns="${XMLNS}"><Error>${leaf("Type", err.type)}${leaf("Code", err.code)}${leaf("Message", err.message)}</Error>${leaf("RequestId", ctx.requestId)}</ErrorResponse>`;
    return xmlAnswer(body, err.status);
  }

  records(hostedZoneId: string): RecordView[] {
    return (this.zones.get(zoneIdOf(hostedZoneId))?.records ?? []).map((r) => ({
      ...r,
      values: [...r.values],
    }));
  }

  seed(estate: Estate, nowMs: number): void {
    for (const z of estate.hostedZones ?? []) {
      const id = zoneIdOf(z.id ?? route53Id("Z"));
      const name = fqdn(z.name);
      const zone: Zone = { id, name, callerReference: `seed-${nowMs}-${id}`, records: [] };
      // Every public zone has its NS and SOA records, as Route 53 creates them.
      zone.records.push(
        { name, type: "NS", ttl: 172800, values: ["ns-1.awsdns-01.org.", "ns-2.awsdns-02.co.uk."] },
        {
          name,
          type: "SOA",
          ttl: 900,
          values: ["ns-1.awsdns-01.org. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400"],
        },
      );
      for (const r of z.records ?? [])
        zone.records.push({ name: fqdn(r.name), type: r.type, ttl: r.ttl ?? 300, values: r.values });
      zone.records.sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1));
      this.zones.set(id, zone);
    }
  }

  handle(operation: string, ctx: RequestContext): HttpAnswer {
    const parts = ctx.path.split("/");
    switch (operation) {
      case "GetHostedZone": {
        const zone = this.zone(parts[3] ?? "");
        return this.respond(
          "GetHostedZoneResponse",
          this.zoneXml(zone) +
            node(
              "DelegationSet",
              list("NameServers", "NameServer", ["ns-1.awsdns-01.org", "ns-2.awsdns-02.co.uk"], esc),
            ),
        );
      }
      case "ListHostedZones":
      case "ListHostedZonesByName":
        return this.listZones(ctx, operation);
      case "ListResourceRecordSets":
        return this.listRecords(ctx, this.zone(parts[3] ?? ""));
      case "ChangeResourceRecordSets":
        return this.change(ctx, this.zone(parts[3] ?? ""));
      case "GetChange": {
        const change = this.changes.get(parts[3] ?? "");
        if (!change)
          throw new AwsError(
            "NoSuchChange",
            `A change with the specified change ID does not exist: ${parts[3]}`,
            404,
          );
        return this.respond("GetChangeResponse", this.changeInfo(change, ctx.clock.nowMs()));
      }
      case "GetHealthCheckStatus":
        return this.respond(
          "GetHealthCheckStatusResponse",
          node(
            "HealthCheckObservations",
            node(
              "HealthCheckObservation",
              leaf("Region", "us-east-1") +
                leaf("IPAddress", "54.0.0.1") +
                node(
                  "StatusReport",
                  leaf("Status", "Success: HTTP Status Code 200, OK") + leaf("CheckedTime", ctx.clock.now()),
                ),
            ),
          ),
        );
      default:
        throw new AwsError("InvalidAction", `Unsupported Route 53 request ${ctx.method} ${ctx.path}`, 400);
    }
  }

  private respond(root: string, inner: string): HttpAnswer {
    return xmlAnswer(`<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${XMLNS}">${inner}</${root}>`);
  }

  private zone(rawId: string): Zone {
    const zone = this.zones.get(zoneIdOf(decodeURIComponent(rawId)));
    if (!zone) throw new AwsError("NoSuchHostedZone", `No hosted zone found with ID: ${rawId}`, 404);
    return zone;
  }

  private zoneXml(z: Zone): string {
    return node(
      "HostedZone",
      leaf("Id", `/hostedzone/${z.id}`) +
        leaf("Name", z.name) +
        leaf("CallerReference", z.callerReference) +
        node("Config", leaf("PrivateZone", false)) +
        leaf("ResourceRecordSetCount", z.records.length),
    );
  }

  private listZones(ctx: RequestContext, operation: string): HttpAnswer {
    const max = Math.min(Number(ctx.query.get("maxitems") ?? 100), 100);
    const dnsName = ctx.query.get("dnsname");
    const sorted = [...this.zones.values()].sort((a, b) =>
      sortKey({ name: a.name, type: "" }) < sortKey({ name: b.name, type: "" }) ? -1 : 1,
    );
    const from = dnsName
      ? sorted.findIndex((z) => sortKey({ name: z.name, type: "" }) >= sortKey({ name: dnsName, type: "" }))
      : 0;
    const start = from < 0 ? sorted.length : from;
    const page = sorted.slice(start, start + max);
    const next = sorted[start + max];
    const root = `${operation}Response`;
    return this.respond(
      root,
      list("HostedZones", "HostedZone", page, (z) =>
        this.zoneXml(z).slice("<HostedZone>".length, -"</HostedZone>".length),
      ) +
        leaf("DNSName", dnsName ?? undefined) +
        leaf("IsTruncated", next !== undefined) +
        leaf("MaxItems", max) +
        (next ? leaf("NextDNSName", next.name) + leaf("NextHostedZoneId", next.id) : ""),
    );
  }

  private listRecords(ctx: RequestContext, zone: Zone): HttpAnswer {
    const max = Math.min(Number(ctx.query.get("maxitems") ?? 300), 300);
    const name = ctx.query.get("name");
    const type = ctx.query.get("type");
    if (type && !name) throw new AwsError("InvalidInput", "The input is not valid: type requires name");
    const startKey = name
      ? sortKey({ name, type: type ?? "", setIdentifier: ctx.query.get("identifier") ?? undefined })
      : "";
    const start = zone.records.findIndex((r) => sortKey(r) >= startKey);
    const from = start < 0 ? zone.records.length : start;
    const page = zone.records.slice(from, from + max);
    const next = zone.records[from + max];
    return this.respond(
      "ListResourceRecordSetsResponse",
      list("ResourceRecordSets", "ResourceRecordSet", page, recordXml) +
        leaf("IsTruncated", next !== undefined) +
        leaf("MaxItems", max) +
        (next
          ? leaf("NextRecordName", next.name) +
            leaf("NextRecordType", next.type) +
            leaf("NextRecordIdentifier", next.setIdentifier)
          : ""),
    );
  }

  private change(ctx: RequestContext, zone: Zone): HttpAnswer {
    const nowMs = ctx.clock.nowMs();
    const prior = zone.lastChangeId ? this.changes.get(zone.lastChangeId) : undefined;
    if (prior && nowMs < prior.submittedAt.getTime() + PROPAGATION_MS) {
      throw new AwsError(
        "PriorRequestNotComplete",
        "The request was rejected because Route 53 was still processing a prior request.",
        400,
      );
    }
    const doc = parseXml(ctx.body) as {
      ChangeResourceRecordSetsRequest?: {
        ChangeBatch?: { Comment?: string; Changes?: { Change?: unknown } };
      };
    };
    const batch = doc.ChangeResourceRecordSetsRequest?.ChangeBatch;
    const changes = asArray(batch?.Changes?.Change as Record<string, unknown>[] | undefined).map((c) => ({
      action: String(c.Action ?? ""),
      rrset: parseRecordSet(c.ResourceRecordSet as Record<string, unknown>),
    }));
    if (changes.length === 0) throw new AwsError("InvalidInput", "The input is not valid: no changes");
    const count = changes.reduce(
      (n, c) => n + Math.max(1, c.rrset.values.length) * (c.action === "UPSERT" ? 2 : 1),
      0,
    );
    if (count > MAX_RECORDS_PER_BATCH) {
      throw new AwsError(
        "InvalidChangeBatch",
        `Number of records limit of ${MAX_RECORDS_PER_BATCH} exceeded.`,
      );
    }
    // Validate the whole batch against a working copy: Route 53 applies all changes or none.
    const records = [...zone.records];
    const errors: string[] = [];
    // A record set may appear twice in a batch only as a DELETE followed by a CREATE: the documented
    // way to replace its values atomically. Any other repeat is refused, as Route 53 does.
    const seen = new Map<string, string>();
    for (const { action, rrset } of changes) {
      const key = sortKey(rrset);
      const before = seen.get(key);
      if (before !== undefined && !(before === "DELETE" && action === "CREATE"))
        errors.push(
          `The request contains an invalid set of changes for a resource record set ${rrsetLabel(rrset)}`,
        );
      seen.set(key, before === undefined ? action : `${before}+${action}`);
      if (rrset.name !== zone.name && !rrset.name.endsWith(`.${zone.name}`)) {
        errors.push(`RRSet with DNS name ${rrset.name} is not permitted in zone ${zone.name}`);
        continue;
      }
      const at = records.findIndex((r) => sortKey(r) === key);
      if (action === "CREATE") {
        if (at >= 0)
          errors.push(`Tried to create resource record set ${rrsetLabel(rrset)} but it already exists`);
        else records.push(rrset);
      } else if (action === "DELETE") {
        const current = records[at];
        if (!current)
          errors.push(`Tried to delete resource record set ${rrsetLabel(rrset)} but it was not found`);
        else if (current.ttl !== rrset.ttl || current.values.join("\n") !== rrset.values.join("\n")) {
          errors.push(
            `Tried to delete resource record set ${rrsetLabel(rrset)} but the values provided do not match the current values`,
          );
        } else records.splice(at, 1);
      } else if (action === "UPSERT") {
        if (at >= 0) records[at] = rrset;
        else records.push(rrset);
      } else {
        errors.push(`Invalid action ${action}`);
      }
    }
    if (errors.length > 0) throw new AwsError("InvalidChangeBatch", `[${errors.join(", ")}]`);
    zone.records = records.sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1));
    const change: Change = { id: route53Id("C", 20), submittedAt: new Date(nowMs), comment: batch?.Comment };
    this.changes.set(change.id, change);
    zone.lastChangeId = change.id;
    return this.respond("ChangeResourceRecordSetsResponse", this.changeInfo(change, nowMs));
  }

  private changeInfo(c: Change, nowMs: number): string {
    const status = nowMs >= c.submittedAt.getTime() + PROPAGATION_MS ? "INSYNC" : "PENDING";
    return node(
      "ChangeInfo",
      leaf("Id", `/change/${c.id}`) +
        leaf("Status", status) +
        leaf("SubmittedAt", c.submittedAt) +
        leaf("Comment", c.comment),
    );
  }
}

function parseRecordSet(raw: Record<string, unknown> | undefined): RecordSet {
  if (!raw) throw new AwsError("InvalidInput", "The input is not valid: missing ResourceRecordSet");
  const rr = raw.ResourceRecords as { ResourceRecord?: { Value?: string }[] } | undefined;
  const alias = raw.AliasTarget as Record<string, string> | undefined;
  return {
    name: fqdn(String(raw.Name ?? "")),
    type: String(raw.Type ?? ""),
    ttl: raw.TTL === undefined ? undefined : Number(raw.TTL),
    values: asArray(rr?.ResourceRecord).map((r) => String(r.Value ?? "")),
    setIdentifier: raw.SetIdentifier === undefined ? undefined : String(raw.SetIdentifier),
    weight: raw.Weight === undefined ? undefined : Number(raw.Weight),
    failover: raw.Failover === undefined ? undefined : String(raw.Failover),
    healthCheckId: raw.HealthCheckId === undefined ? undefined : String(raw.HealthCheckId),
    aliasTarget: alias
      ? {
          hostedZoneId: String(alias.HostedZoneId),
          dnsName: String(alias.DNSName),
          evaluateTargetHealth: String(alias.EvaluateTargetHealth) === "true",
        }
      : undefined,
  };
}

function recordXml(r: RecordSet): string {
  return (
    leaf("Name", r.name) +
    leaf("Type", r.type) +
    leaf("SetIdentifier", r.setIdentifier) +
    leaf("Weight", r.weight) +
    leaf("Failover", r.failover) +
    leaf("TTL", r.aliasTarget ? undefined : r.ttl) +
    (r.aliasTarget
      ? node(
          "AliasTarget",
          leaf("HostedZoneId", r.aliasTarget.hostedZoneId) +
            leaf("DNSName", r.aliasTarget.dnsName) +
            leaf("EvaluateTargetHealth", r.aliasTarget.evaluateTargetHealth),
        )
      : list("ResourceRecords", "ResourceRecord", r.values, (v) => leaf("Value", v))) +
    leaf("HealthCheckId", r.healthCheckId)
  );
}
