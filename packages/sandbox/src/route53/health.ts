import { randomUUID } from "node:crypto";
import { AwsError } from "../errors.ts";
import type { HealthCheckSeed, HealthCheckType } from "../types.ts";
import { esc, leaf, list, node } from "../xml.ts";

/**
 * Route 53 health checks: seeded (the sandbox runs no checkers), read with GetHealthCheck /
 * ListHealthChecks / GetHealthCheckStatus, and made healthy or not with `sandbox.setHealthCheck`.
 */

/** The Regions Route 53 checks from when a health check names none (HealthCheckConfig.Regions). */
export const CHECKER_REGIONS = [
  "us-east-1",
  "us-west-1",
  "us-west-2",
  "eu-west-1",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-northeast-1",
  "sa-east-1",
];

const SUCCESS: Record<HealthCheckType, string> = {
  HTTP: "Success: HTTP Status Code 200, OK",
  HTTPS: "Success: HTTP Status Code 200, OK",
  HTTP_STR_MATCH: "Success: HTTP Status Code 200, OK",
  HTTPS_STR_MATCH: "Success: HTTP Status Code 200, OK",
  TCP: "Success: TCP connection established",
};

/** An endpoint that stopped answering, as a checker reports it. */
export const DEFAULT_FAILURE =
  "Failure: Connection timed out. The endpoint or the internet connection is down, or requests are being blocked by your firewall. See https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-router-firewall-rules.html";

interface HealthCheck {
  id: string;
  callerReference: string;
  type: HealthCheckType;
  fqdn?: string;
  ipAddress?: string;
  port: number;
  resourcePath?: string;
  searchString?: string;
  requestInterval: number;
  failureThreshold: number;
  regions?: string[];
  healthy: boolean;
  failureReason: string;
  version: number;
}

export const noSuchHealthCheck = (id: string) =>
  new AwsError("NoSuchHealthCheck", `No health check exists with the specified ID: ${id}`, 404);

function checkReason(reason: string): string {
  if (!reason.startsWith("Failure: "))
    throw new Error(
      `sandbox: a health check failure reason must start "Failure: ", got ${JSON.stringify(reason)}`,
    );
  return reason;
}

export class HealthChecks {
  private readonly checks = new Map<string, HealthCheck>();

  seed(seeds: HealthCheckSeed[] | undefined, nowMs: number): void {
    for (const s of seeds ?? []) {
      const type = s.type ?? "HTTPS";
      const id = s.id ?? randomUUID();
      this.checks.set(id, {
        id,
        callerReference: `seed-${nowMs}-${id}`,
        type,
        fqdn: s.fqdn,
        ipAddress: s.ipAddress,
        port: s.port ?? (type.startsWith("HTTPS") ? 443 : 80),
        resourcePath: s.resourcePath ?? (type === "TCP" ? undefined : "/"),
        searchString: s.searchString,
        requestInterval: s.requestInterval ?? 30,
        failureThreshold: s.failureThreshold ?? 3,
        regions: s.regions,
        healthy: s.healthy ?? true,
        failureReason: checkReason(s.failureReason ?? DEFAULT_FAILURE),
        version: 1,
      });
    }
  }

  has(id: string): boolean {
    return this.checks.has(id);
  }

  set(id: string, healthy: boolean, reason?: string): void {
    const hc = this.checks.get(id);
    if (!hc) throw new Error(`sandbox: no health check ${id} was seeded`);
    hc.healthy = healthy;
    if (reason !== undefined) hc.failureReason = checkReason(reason);
  }

  private get(id: string): HealthCheck {
    const hc = this.checks.get(id);
    if (!hc) throw noSuchHealthCheck(id);
    return hc;
  }

  /** GetHealthCheck's `<HealthCheck>`. */
  xml(id: string): string {
    return node("HealthCheck", this.inner(this.get(id)));
  }

  private inner(hc: HealthCheck): string {
    return (
      leaf("Id", hc.id) +
      leaf("CallerReference", hc.callerReference) +
      node(
        "HealthCheckConfig",
        leaf("IPAddress", hc.ipAddress) +
          leaf("Port", hc.port) +
          leaf("Type", hc.type) +
          leaf("ResourcePath", hc.resourcePath) +
          leaf("FullyQualifiedDomainName", hc.fqdn) +
          leaf("SearchString", hc.searchString) +
          leaf("RequestInterval", hc.requestInterval) +
          leaf("FailureThreshold", hc.failureThreshold) +
          leaf("MeasureLatency", false) +
          leaf("Inverted", false) +
          leaf("Disabled", false) +
          leaf("EnableSNI", hc.type.startsWith("HTTPS") ? true : undefined) +
          (hc.regions ? list("Regions", "Region", hc.regions, esc) : ""),
      ) +
      leaf("HealthCheckVersion", hc.version)
    );
  }

  /** ListHealthChecks: by id, Marker = the first id of the page, MaxItems up to 1,000 (default 100). */
  list(marker: string | undefined, maxItems: number): string {
    const all = [...this.checks.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
    const found = marker ? all.findIndex((h) => h.id >= marker) : 0;
    const from = found < 0 ? all.length : found;
    const page = all.slice(from, from + maxItems);
    const next = all[from + maxItems];
    return (
      list("HealthChecks", "HealthCheck", page, (h) => this.inner(h)) +
      leaf("Marker", marker ?? "") +
      leaf("IsTruncated", next !== undefined) +
      (next ? leaf("NextMarker", next.id) : "") +
      leaf("MaxItems", maxItems)
    );
  }

  /** GetHealthCheckStatus: one observation per checker Region, all reporting the check's current state. */
  statusXml(id: string, nowMs: number): string {
    const hc = this.get(id);
    const checked = new Date(Math.floor(nowMs / (hc.requestInterval * 1000)) * hc.requestInterval * 1000);
    const status = hc.healthy ? SUCCESS[hc.type] : hc.failureReason;
    return list(
      "HealthCheckObservations",
      "HealthCheckObservation",
      hc.regions ?? CHECKER_REGIONS,
      (region) => {
        const i = CHECKER_REGIONS.indexOf(region);
        return (
          leaf("Region", region) +
          // Route 53 health checkers' published ranges include 15.177.0.0/18.
          leaf("IPAddress", `15.177.${(i < 0 ? 8 : i) * 8 + 2}.${10 + (i < 0 ? 0 : i)}`) +
          node("StatusReport", leaf("Status", status) + leaf("CheckedTime", checked))
        );
      },
    );
  }
}
