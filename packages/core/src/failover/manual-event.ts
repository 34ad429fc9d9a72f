/**
 * The failover function's manual events, a documented contract (README, Failover): what
 * `outpost-ops failover`/`failback` send, what `aws lambda invoke` from a laptop can send, and the
 * classic hand-written DR Lambda's event, accepted so that its users can switch. Strict: an unknown
 * field is an error that names it, and nothing is changed.
 */
import * as z from "zod";
import { absolute, type FailoverConfig } from "../config/index.ts";
import { toIssues } from "../config/schema.ts";
import { ConfigError } from "../errors.ts";

/** `{"outpost-ops": "failover", "dryRun": true}`: what the CLI sends. */
export const ManualEventSchema = z.strictObject({
  "outpost-ops": z.enum(["failover", "failback"]),
  /** Preflight and plan only; nothing is changed. */
  dryRun: z.boolean().default(false),
  /** Change even though the preflight failed on stale data, drift or a failing health check (audited). */
  force: z.boolean().default(false),
  reason: z.string().min(1).max(200).default("requested by an operator"),
  /** Who asked (the CLI sends the caller's ARN from STS; CloudTrail has the invoking principal too). */
  requestedBy: z.string().min(1).max(200).default("unknown"),
});

/** The classic DR Lambda's event: UPSERT of `domain_name` A to `dr_ip` in `hosted_zone_id`. */
export const ClassicEventSchema = z.strictObject({
  hosted_zone_id: z.string().min(1),
  domain_name: z.string().min(1),
  dr_ip: z.string().min(1),
});

export type ManualEvent = z.output<typeof ManualEventSchema>;
export type ClassicEvent = z.output<typeof ClassicEventSchema>;

/** Raised for a manual event that is neither shape: the issues name the fields. */
export class ManualEventError extends ConfigError {
  constructor(issues: ConstructorParameters<typeof ConfigError>[0]) {
    super(issues, "failover event");
    this.name = "ManualEventError";
  }
}

/**
 * @example parseManualEvent({ "outpost-ops": "failover", dryRun: true }) // { kind: "manual", event: {...} }
 */
export function parseManualEvent(
  input: unknown,
): { kind: "manual"; event: ManualEvent } | { kind: "classic"; event: ClassicEvent } {
  if (input && typeof input === "object" && "hosted_zone_id" in input) {
    const classic = ClassicEventSchema.safeParse(input);
    if (!classic.success) throw new ManualEventError(toIssues(classic.error));
    return { kind: "classic", event: classic.data };
  }
  const manual = ManualEventSchema.safeParse(input);
  if (!manual.success) throw new ManualEventError(toIssues(manual.error));
  return { kind: "manual", event: manual.data };
}

/**
 * The classic event names one record and its DR address; outpost-ops moves only what the config
 * declares, so the event must match it: the zone (when the config names it by id), a configured A
 * record of that name, and its DR value. A mismatch is refused, naming the field, rather than
 * changing a record the config does not know.
 * @example checkClassicEvent(config.failover, event) // undefined when it matches, else the issues
 */
export function checkClassicEvent(
  failover: FailoverConfig,
  event: ClassicEvent,
): { path: string; message: string }[] | undefined {
  const issues: { path: string; message: string }[] = [];
  const zoneId = event.hosted_zone_id.replace(/^\/?hostedzone\//, "");
  if (failover.hostedZone.id && failover.hostedZone.id !== zoneId)
    issues.push({
      path: "hosted_zone_id",
      message: `${zoneId} is not the configured zone ${failover.hostedZone.id} (failover.hostedZone.id)`,
    });
  const record = failover.records.find(
    (r) => absolute(r.name) === absolute(event.domain_name) && r.type === "A",
  );
  if (!record)
    issues.push({
      path: "domain_name",
      message: `${event.domain_name} is not a configured A record (failover.records: ${failover.records.map((r) => `${r.name} ${r.type}`).join(", ")})`,
    });
  else if (!(record.dr.values?.length === 1 && record.dr.values[0] === event.dr_ip))
    issues.push({
      path: "dr_ip",
      message: `${event.dr_ip} is not the configured DR target of ${record.name} (${record.dr.values?.join(", ") ?? `alias ${record.dr.alias?.dnsName}`})`,
    });
  return issues.length > 0 ? issues : undefined;
}
