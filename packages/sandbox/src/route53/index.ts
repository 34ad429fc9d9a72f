import { AwsError } from "../errors.ts";
import { type HttpAnswer, type RequestContext, type ServiceHandler, xmlAnswer } from "../http.ts";
import { route53Id } from "../ids.ts";
import type { Estate, RecordView, Route53ChangeView } from "../types.ts";
import { esc, leaf, list, node, parseXml } from "../xml.ts";
import { HealthChecks, noSuchHealthCheck } from "./health.ts";
import {
  applyBatch,
  asArray,
  type Change,
  fqdn,
  parseChange,
  type RecordSet,
  recordCount,
  recordXml,
  sortKey,
  sortRecords,
  validateInput,
} from "./records.ts";

/**
 * Route 53 over REST-XML (/2013-04-01/...). Route 53 is global: zones ignore the signing region.
 * A change is PENDING for `propagationMs` of sandbox-clock time (SandboxOptions.route53PropagationMs,
 * default 5 s), then INSYNC; while a zone has a PENDING change, another change to it answers
 * PriorRequestNotComplete (advance the clock between changes).
 */
const XMLNS = "https://route53.amazonaws.com/doc/2013-04-01/";
export const DEFAULT_PROPAGATION_MS = 5_000;
const MAX_RECORDS_PER_BATCH = 1000;

interface Zone {
  id: string;
  name: string;
  callerReference: string;
  records: RecordSet[];
  lastChangeId?: string;
  /** The batches accepted for this zone, oldest first (state.route53Changes). */
  history: Route53ChangeView[];
}

interface ChangeInfo {
  id: string;
  submittedAt: Date;
  comment?: string;
}

const zoneIdOf = (id: string) => id.replace(/^\/?hostedzone\//, "");
const NAME_SERVERS = ["ns-1.awsdns-01.org", "ns-2.awsdns-02.co.uk"];

export class Route53Service implements ServiceHandler {
  readonly service = "route53" as const;
  readonly healthChecks = new HealthChecks();
  private readonly zones = new Map<string, Zone>();
  private readonly changes = new Map<string, ChangeInfo>();

  constructor(private readonly propagationMs = DEFAULT_PROPAGATION_MS) {
    if (!Number.isFinite(propagationMs) || propagationMs < 0)
      throw new Error(`sandbox: route53PropagationMs must be a finite number >= 0, got ${propagationMs}`);
  }

  operation(ctx: RequestContext): string {
    const p = ctx.path.slice("/2013-04-01".length);
    const get = ctx.method === "GET";
    if (get && /^\/hostedzone\/[^/]+$/.test(p)) return "GetHostedZone";
    if (get && p === "/hostedzonesbyname") return "ListHostedZonesByName";
    if (get && p === "/hostedzone") return "ListHostedZones";
    if (get && /^\/hostedzone\/[^/]+\/rrset\/?$/.test(p)) return "ListResourceRecordSets";
    if (ctx.method === "POST" && /^\/hostedzone\/[^/]+\/rrset\/?$/.test(p)) return "ChangeResourceRecordSets";
    if (get && /^\/change\/[^/]+$/.test(p)) return "GetChange";
    if (get && p === "/healthcheck") return "ListHealthChecks";
    if (get && /^\/healthcheck\/[^/]+$/.test(p)) return "GetHealthCheck";
    if (get && /^\/healthcheck\/[^/]+\/status$/.test(p)) return "GetHealthCheckStatus";
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

  history(hostedZoneId: string): Route53ChangeView[] {
    return (this.zones.get(zoneIdOf(hostedZoneId))?.history ?? []).map((c) => ({
      ...c,
      changes: c.changes.map((x) => ({ ...x, values: [...x.values] })),
    }));
  }

  seed(estate: Estate, nowMs: number): void {
    this.healthChecks.seed(estate.healthChecks, nowMs);
    for (const z of estate.hostedZones ?? []) {
      const id = zoneIdOf(z.id ?? route53Id("Z"));
      const name = fqdn(z.name);
      const zone: Zone = { id, name, callerReference: `seed-${nowMs}-${id}`, records: [], history: [] };
      // Every public zone has its NS and SOA records, as Route 53 creates them.
      zone.records.push(
        { name, type: "NS", ttl: 172800, values: NAME_SERVERS.map((n) => `${n}.`) },
        {
          name,
          type: "SOA",
          ttl: 900,
          values: ["ns-1.awsdns-01.org. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400"],
        },
      );
      for (const r of z.records ?? []) {
        const alias = r.aliasTarget;
        zone.records.push({
          name: fqdn(r.name),
          type: r.type,
          ttl: alias ? r.ttl : (r.ttl ?? 300),
          values: [...(r.values ?? [])],
          setIdentifier: r.setIdentifier,
          weight: r.weight,
          failover: r.failover,
          healthCheckId: r.healthCheckId,
          aliasTarget: alias
            ? {
                hostedZoneId: alias.hostedZoneId,
                dnsName: fqdn(alias.dnsName),
                evaluateTargetHealth: alias.evaluateTargetHealth ?? false,
              }
            : undefined,
        });
      }
      sortRecords(zone.records);
      this.zones.set(id, zone);
    }
  }

  handle(operation: string, ctx: RequestContext): HttpAnswer {
    const parts = ctx.path.split("/");
    const id = decodeURIComponent(parts[3] ?? "");
    switch (operation) {
      case "GetHostedZone":
        return this.respond(
          "GetHostedZoneResponse",
          this.zoneXml(this.zone(id)) +
            node("DelegationSet", list("NameServers", "NameServer", NAME_SERVERS, esc)),
        );
      case "ListHostedZones":
        return this.listZones(ctx);
      case "ListHostedZonesByName":
        return this.listZonesByName(ctx);
      case "ListResourceRecordSets":
        return this.listRecords(ctx, this.zone(id));
      case "ChangeResourceRecordSets":
        return this.change(ctx, this.zone(id));
      case "GetChange": {
        const change = this.changes.get(id);
        if (!change)
          throw new AwsError(
            "NoSuchChange",
            `A change with the specified change ID does not exist: ${id}`,
            404,
          );
        return this.respond("GetChangeResponse", this.changeInfo(change, ctx.clock.nowMs()));
      }
      case "ListHealthChecks":
        return this.respond(
          "ListHealthChecksResponse",
          this.healthChecks.list(ctx.query.get("marker") ?? undefined, this.maxItems(ctx, 100, 1000)),
        );
      case "GetHealthCheck":
        return this.respond("GetHealthCheckResponse", this.healthChecks.xml(id));
      case "GetHealthCheckStatus":
        return this.respond(
          "GetHealthCheckStatusResponse",
          this.healthChecks.statusXml(id, ctx.clock.nowMs()),
        );
      default:
        throw new AwsError("InvalidAction", `Unsupported Route 53 request ${ctx.method} ${ctx.path}`, 400);
    }
  }

  private respond(root: string, inner: string): HttpAnswer {
    return xmlAnswer(`<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${XMLNS}">${inner}</${root}>`);
  }

  /** maxitems: a positive integer; larger than the operation's limit means the limit. */
  private maxItems(ctx: RequestContext, dflt: number, limit: number): number {
    const raw = ctx.query.get("maxitems");
    if (raw === null) return dflt;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1)
      throw new AwsError(
        "InvalidInput",
        `Invalid request: MaxItems must be a positive integer, got '${raw}'`,
      );
    return Math.min(n, limit);
  }

  private zone(rawId: string): Zone {
    const zone = this.zones.get(zoneIdOf(rawId));
    if (!zone) throw new AwsError("NoSuchHostedZone", `No hosted zone found with ID: ${rawId}`, 404);
    return zone;
  }

  private zoneInner(z: Zone): string {
    return (
      leaf("Id", `/hostedzone/${z.id}`) +
      leaf("Name", z.name) +
      leaf("CallerReference", z.callerReference) +
      node("Config", leaf("PrivateZone", false)) +
      leaf("ResourceRecordSetCount", z.records.length)
    );
  }

  private zoneXml(z: Zone): string {
    return node("HostedZone", this.zoneInner(z));
  }

  /** Zones in ListHostedZonesByName order: by name with labels reversed, then by id. */
  private sortedZones(): Zone[] {
    const key = (z: Zone) => `${sortKey({ name: z.name, type: "" })}\u0000${z.id}`;
    return [...this.zones.values()].sort((a, b) => (key(a) < key(b) ? -1 : 1));
  }

  /** ListHostedZones pages with Marker / NextMarker (a zone id). */
  private listZones(ctx: RequestContext): HttpAnswer {
    const max = this.maxItems(ctx, 100, 100);
    const marker = ctx.query.get("marker") ?? undefined;
    const sorted = this.sortedZones();
    const found = marker ? sorted.findIndex((z) => z.id === zoneIdOf(marker)) : 0;
    if (found < 0) throw new AwsError("InvalidInput", `Invalid request: the marker ${marker} is not valid`);
    const page = sorted.slice(found, found + max);
    const next = sorted[found + max];
    return this.respond(
      "ListHostedZonesResponse",
      list("HostedZones", "HostedZone", page, (z) => this.zoneInner(z)) +
        leaf("Marker", marker) +
        leaf("IsTruncated", next !== undefined) +
        (next ? leaf("NextMarker", next.id) : "") +
        leaf("MaxItems", max),
    );
  }

  /** ListHostedZonesByName: the zones from DNSName (and HostedZoneId) on, NextDNSName / NextHostedZoneId. */
  private listZonesByName(ctx: RequestContext): HttpAnswer {
    const max = this.maxItems(ctx, 100, 100);
    const dnsName = ctx.query.get("dnsname") ?? undefined;
    const zoneId = ctx.query.get("hostedzoneid") ?? undefined;
    if (zoneId && !dnsName)
      throw new AwsError("InvalidInput", "Invalid request: HostedZoneId requires DNSName");
    const sorted = this.sortedZones();
    const startKey = dnsName
      ? `${sortKey({ name: dnsName, type: "" })}\u0000${zoneId ? zoneIdOf(zoneId) : ""}`
      : "";
    const found = sorted.findIndex((z) => `${sortKey({ name: z.name, type: "" })}\u0000${z.id}` >= startKey);
    const start = found < 0 ? sorted.length : found;
    const page = sorted.slice(start, start + max);
    const next = sorted[start + max];
    return this.respond(
      "ListHostedZonesByNameResponse",
      list("HostedZones", "HostedZone", page, (z) => this.zoneInner(z)) +
        leaf("DNSName", dnsName) +
        leaf("HostedZoneId", zoneId) +
        leaf("IsTruncated", next !== undefined) +
        leaf("MaxItems", max) +
        (next ? leaf("NextDNSName", next.name) + leaf("NextHostedZoneId", next.id) : ""),
    );
  }

  /**
   * From StartRecordName / StartRecordType / StartRecordIdentifier on (the first record set >= them in
   * Route 53's order); NextRecordName / NextRecordType (and NextRecordIdentifier for record sets with a
   * SetIdentifier) name the first record set of the next page.
   */
  private listRecords(ctx: RequestContext, zone: Zone): HttpAnswer {
    const max = this.maxItems(ctx, 300, 300);
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
        (next
          ? leaf("NextRecordName", next.name) +
            leaf("NextRecordType", next.type) +
            leaf("NextRecordIdentifier", next.setIdentifier)
          : "") +
        leaf("MaxItems", max),
    );
  }

  private change(ctx: RequestContext, zone: Zone): HttpAnswer {
    const nowMs = ctx.clock.nowMs();
    const prior = zone.lastChangeId ? this.changes.get(zone.lastChangeId) : undefined;
    if (prior && nowMs < prior.submittedAt.getTime() + this.propagationMs) {
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
    const changes: Change[] = asArray(batch?.Changes?.Change as Record<string, unknown>[] | undefined).map(
      parseChange,
    );
    if (changes.length === 0) throw new AwsError("InvalidInput", "The input is not valid: no changes");
    validateInput(changes);
    if (recordCount(changes) > MAX_RECORDS_PER_BATCH) {
      throw new AwsError(
        "InvalidChangeBatch",
        `Number of records limit of ${MAX_RECORDS_PER_BATCH} exceeded.`,
      );
    }
    for (const c of changes) {
      const hc = c.rrset.healthCheckId;
      if (c.action !== "DELETE" && hc !== undefined && !this.healthChecks.has(hc))
        throw noSuchHealthCheck(hc);
    }
    // Route 53 applies all changes or none: the batch is validated against a working copy.
    zone.records = applyBatch(zone.name, zone.records, changes);
    const change: ChangeInfo = {
      id: route53Id("C", 20),
      submittedAt: new Date(nowMs),
      comment: batch?.Comment,
    };
    this.changes.set(change.id, change);
    zone.lastChangeId = change.id;
    zone.history.push({
      ...change,
      changes: changes.map((c) => ({
        action: c.action,
        name: c.rrset.name,
        type: c.rrset.type,
        ...(c.rrset.setIdentifier !== undefined ? { setIdentifier: c.rrset.setIdentifier } : {}),
        values: [...c.rrset.values],
      })),
    });
    return this.respond("ChangeResourceRecordSetsResponse", this.changeInfo(change, nowMs));
  }

  private changeInfo(c: ChangeInfo, nowMs: number): string {
    const status = nowMs >= c.submittedAt.getTime() + this.propagationMs ? "INSYNC" : "PENDING";
    return node(
      "ChangeInfo",
      leaf("Id", `/change/${c.id}`) +
        leaf("Status", status) +
        leaf("SubmittedAt", c.submittedAt) +
        leaf("Comment", c.comment),
    );
  }
}
