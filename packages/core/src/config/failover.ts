/**
 * The `failover` section: which DNS records move to the DR site, what triggers the move, and what the
 * DR site must hold before it may take over. Strict like the rest of the config: an unknown key is an
 * error, and every error names its field.
 */
import * as z from "zod";
import { duration, scheduleExpression } from "./fields.ts";

/**
 * A DNS name, with or without the final dot (Route 53 stores it with one). No wildcards: Route 53
 * lists `*` as `\052`, and a record that is moved as a site's front door is a name, not a pattern.
 */
const DNS_NAME =
  /^(?=.{1,253}\.?$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.?$/i;
const dnsName = z.string().regex(DNS_NAME, "must be a DNS name such as app.example.com");
const zoneId = z
  .string()
  .regex(/^Z[A-Z0-9]{1,32}$/, "must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ");
const healthCheckId = z
  .string()
  .regex(/^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$/, "must be a Route 53 health check id (a UUID)");
/** CloudWatch alarm: its name (in the primary Region) or its ARN (in the primary or the DR Region). */
export const ALARM_ARN = /^arn:aws[a-z-]*:cloudwatch:([a-z0-9-]+):(\d{12}):alarm:(.+)$/;
const alarm = z
  .string()
  .min(1)
  .max(1024)
  .refine(
    (a) => ALARM_ARN.test(a) || !a.startsWith("arn:"),
    "must be an alarm name or an alarm ARN (arn:aws:cloudwatch:REGION:ACCOUNT:alarm:NAME)",
  );
const principal = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]{1,512}$/,
    "must be an IAM role or user ARN (arn:aws:iam::ACCOUNT:role/NAME)",
  );

/** Where a record points at one site: its values, or an alias target (A/AAAA only). */
const RecordTarget = z
  .strictObject({
    /** A: IPv4 addresses; AAAA: IPv6 addresses; CNAME: exactly one DNS name. */
    values: z.array(z.string().min(1)).min(1).max(100).optional(),
    /** An alias (a load balancer, a CloudFront distribution, another record of the zone). */
    alias: z
      .strictObject({
        dnsName,
        /** The alias target's own hosted zone (an ELB's canonical zone, say). */
        hostedZoneId: zoneId,
        evaluateTargetHealth: z.boolean().default(false),
      })
      .optional(),
  })
  .refine((t) => (t.values === undefined) !== (t.alias === undefined), "set exactly one of values, alias");

export const FailoverRecordSchema = z
  .strictObject({
    name: dnsName,
    type: z.enum(["A", "AAAA", "CNAME"]),
    /** Seconds, for records with values (an alias has its target's). 60 as the classic DR script. */
    ttl: z.int().min(0).max(172_800).default(60),
    /**
     * `simple`: one record whose value is switched from the primary target to the DR target.
     * `failover`: Route 53 failover routing, a PRIMARY and a SECONDARY record of the same name; Route 53
     * itself answers with the SECONDARY while the PRIMARY's health check fails (even when no change
     * can be made), and outpost-ops pins the PRIMARY to the DR target so that DNS does not move back
     * by itself when the primary looks healthy again.
     */
    routing: z.enum(["simple", "failover"]).default("simple"),
    primary: RecordTarget,
    dr: RecordTarget,
    /** Failover routing: the two records' set identifiers. */
    setIdentifiers: z
      .strictObject({ primary: z.string().min(1).max(128), dr: z.string().min(1).max(128) })
      .default({ primary: "primary", dr: "dr" }),
    /** The primary target's health check: must be healthy to fail back; required with `routing: failover`. */
    primaryHealthCheckId: healthCheckId.optional(),
    /** The DR target's health check: must be healthy to fail over (the SECONDARY's, with failover routing). */
    drHealthCheckId: healthCheckId.optional(),
  })
  .superRefine((r, ctx) => {
    for (const site of ["primary", "dr"] as const) {
      const target = r[site];
      if (target.alias && r.type === "CNAME")
        ctx.addIssue({
          code: "custom",
          path: [site, "alias"],
          message: "an alias target needs type A or AAAA here; for a CNAME give values: [the target name]",
        });
      target.values?.forEach((v, i) => {
        const ok =
          r.type === "A"
            ? z.ipv4().safeParse(v).success
            : r.type === "AAAA"
              ? z.ipv6().safeParse(v).success
              : DNS_NAME.test(v);
        if (!ok)
          ctx.addIssue({
            code: "custom",
            path: [site, "values", i],
            message: `"${v}" is not ${r.type === "A" ? "an IPv4 address" : r.type === "AAAA" ? "an IPv6 address" : "a DNS name"} (type ${r.type})`,
          });
      });
      if (r.type === "CNAME" && target.values && target.values.length !== 1)
        ctx.addIssue({ code: "custom", path: [site, "values"], message: "a CNAME has exactly one value" });
    }
    if (r.routing === "failover" && !r.primaryHealthCheckId)
      ctx.addIssue({
        code: "custom",
        path: ["primaryHealthCheckId"],
        message:
          "failover routing needs the PRIMARY record's health check: without one Route 53 never answers with the SECONDARY",
      });
    if (r.routing === "failover" && r.setIdentifiers.primary === r.setIdentifiers.dr)
      ctx.addIssue({
        code: "custom",
        path: ["setIdentifiers", "dr"],
        message: "the two records of a failover pair need different set identifiers",
      });
  });

export const FailoverSchema = z.strictObject({
  /** The hosted zone holding the records: its id, or its name (then exactly one public zone of that name). */
  hostedZone: z
    .strictObject({ id: zoneId.optional(), name: dnsName.optional() })
    .refine((z) => (z.id === undefined) !== (z.name === undefined), "set exactly one of id, name"),
  records: z.array(FailoverRecordSchema).min(1).max(20, "at most 20 records"),
  /** Alarms whose ALARM state triggers failover (ConnectedStatus of an Outpost, an application health alarm). */
  alarms: z.array(alarm).max(20, "at most 20 alarms").default([]),
  /** `automatic`: a trigger alarm fails over (after the preflight). `alert-only`: it alerts, naming the command. */
  mode: z.enum(["automatic", "alert-only"]).default("alert-only"),
  /** The age the DR copies may have at failover (default: each policy's own `copy.rpo`). */
  rpo: duration.optional(),
  /** The copy policies whose DR copies must be within the RPO (default: every policy with `copy`). */
  policies: z.array(z.string().min(1)).min(1).optional(),
  /** After a change, no automatic failover for this long (a manual failback then a still-firing alarm). */
  cooldown: duration.default("1h"),
  readiness: z
    .strictObject({
      /** How often readiness is evaluated and alerted on change. */
      schedule: scheduleExpression.default("rate(30 minutes)"),
    })
    .prefault({}),
  /** IAM roles or users allowed to invoke the failover function (`outpost-ops failover`). */
  operators: z.array(principal).max(10).default([]),
});

export type FailoverConfig = z.output<typeof FailoverSchema>;
export type FailoverRecord = FailoverConfig["records"][number];
export type RecordTargetConfig = FailoverRecord["primary"];

/**
 * Checks that need the rest of the config: alarms in a Region where a rule can see them, policies
 * that exist and copy, records inside a named zone, each record once, automatic mode with a trigger.
 */
export function checkFailover(
  config: {
    regions: { primary: string; dr: string };
    policies: { name: string; copy?: unknown }[];
    failover?: FailoverConfig;
  },
  ctx: z.RefinementCtx,
): void {
  const f = config.failover;
  if (!f) return;
  const at = (...path: PropertyKey[]) => ["failover", ...path];
  f.alarms.forEach((a, i) => {
    const region = ALARM_ARN.exec(a)?.[1];
    if (region && region !== config.regions.primary && region !== config.regions.dr)
      ctx.addIssue({
        code: "custom",
        path: at("alarms", i),
        message: `the alarm is in ${region}: failover sees alarms of the primary Region (${config.regions.primary}) or the DR Region (${config.regions.dr}) only`,
      });
  });
  if (f.mode === "automatic" && f.alarms.length === 0)
    ctx.addIssue({
      code: "custom",
      path: at("alarms"),
      message: 'mode "automatic" needs at least one alarm to trigger it (or use mode "alert-only")',
    });
  f.policies?.forEach((name, i) => {
    const policy = config.policies.find((p) => p.name === name);
    if (!policy?.copy)
      ctx.addIssue({
        code: "custom",
        path: at("policies", i),
        message: policy
          ? `policy "${name}" has no copy rule: it has no DR recovery points to check`
          : `unknown policy "${name}" (copy policies: ${
              config.policies
                .filter((p) => p.copy)
                .map((p) => p.name)
                .join(", ") || "none"
            })`,
      });
  });
  const zone = f.hostedZone.name ? absolute(f.hostedZone.name) : undefined;
  const seen = new Set<string>();
  f.records.forEach((r, i) => {
    const key = `${absolute(r.name)} ${r.type}`;
    if (seen.has(key))
      ctx.addIssue({ code: "custom", path: at("records", i, "name"), message: `${key} is listed twice` });
    seen.add(key);
    if (zone && !(absolute(r.name) === zone || absolute(r.name).endsWith(`.${zone}`)))
      ctx.addIssue({
        code: "custom",
        path: at("records", i, "name"),
        message: `${r.name} is not in the hosted zone ${zone}`,
      });
  });
}

/** Route 53 names: lower case, with the final dot. */
export function absolute(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith(".") ? lower : `${lower}.`;
}
