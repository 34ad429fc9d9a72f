import * as z from "zod";
import { ConfigError, type ConfigIssue } from "../errors.ts";
import { parseScheduleExpression } from "../schedule/expression.ts";
import { DURATION_PATTERN, parseDuration } from "../time.ts";
import { CapacitySchema } from "./capacity.ts";
import { checkFailover, FailoverSchema } from "./failover.ts";
import { count, duration, name, REGION, region, scheduleExpression } from "./fields.ts";

/*
 * The one config file users write (`outpost-ops.config.ts`). Every object is strict: an unknown key
 * is an error, so a typo never silently turns a policy off. Errors name the field path.
 */

const OUTPOST_ARN = /^arn:aws[a-z-]*:outposts:[a-z0-9-]+:\d{12}:outpost\/op-[0-9a-f]{17}$/;
/** A KMS key ARN (not an alias: IAM grants on keys, and the copy job's key policy check needs the key). */
export const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):\d{12}:key\/[A-Za-z0-9-]{1,128}$/;

const tagValues = z.union([z.string().min(1).max(256), z.array(z.string().min(1).max(256)).min(1)]);
const tagSelector = z
  .record(z.string().min(1).max(128), tagValues)
  .refine((tags) => Object.keys(tags).length > 0, "select on at least one tag");

export const RetentionSchema = z
  .strictObject({
    /** Keep the N newest snapshots. */
    keepLast: count(1000).optional(),
    /** A ceiling: nothing older is kept by keepLast or tiers (protections still apply). */
    maxAge: duration.optional(),
    /** Keep the newest snapshot in each of the last N hours/days/ISO weeks/months/years (UTC). */
    tiers: z
      .strictObject({
        hourly: count(1000).optional(),
        daily: count(1000).optional(),
        weekly: count(520).optional(),
        monthly: count(240).optional(),
        yearly: count(100).optional(),
      })
      .refine(
        (t) => Object.keys(t).length > 0,
        "name at least one tier (hourly, daily, weekly, monthly, yearly)",
      )
      .optional(),
  })
  .refine((r) => r.keepLast !== undefined || r.maxAge !== undefined || r.tiers !== undefined, {
    message: "set at least one of keepLast, maxAge, tiers",
  });

export const ScheduleSchema = z.strictObject({
  name: name("schedule name"),
  expression: scheduleExpression,
  retention: RetentionSchema,
});

/** Time-based EBS copies: CopySnapshot's CompletionDurationMinutes takes 15 minutes to 48 hours. */
const COMPLETION_MIN_MS = 15 * 60_000;
const COMPLETION_MAX_MS = 48 * 3_600_000;

const kmsKeyArn = z
  .string()
  .regex(KMS_KEY_ARN, "must be a KMS key ARN: arn:aws:kms:REGION:ACCOUNT:key/KEY-ID (not an alias)");

/**
 * One more Region a policy's snapshots are copied to, beyond regions.dr (a third copy for a
 * compliance or second-site Region). Made by the copy job deployed there, with the same RPO, schedules
 * and retention as the policy's DR copies, encrypted with this Region's own key.
 */
export const CopyDestinationSchema = z.strictObject({
  region,
  /** A key ARN of `region`: KMS keys are regional. */
  kmsKeyArn,
});

/**
 * DR copies of a policy's snapshots into the DR Region (regions.dr), made by the copy job deployed there.
 * Which snapshots: the newest completed snapshot of each resource and copied schedule is copied as soon
 * as it completes; one superseded before its copy could start is not (the RPO needs the newest).
 */
export const CopySchema = z.strictObject({
  /** Recovery point objective: the newest DR copy of every resource must be younger than this. */
  rpo: duration,
  /** The KMS key in the DR Region the copies are encrypted with (a key ARN, not an alias). */
  kmsKeyArn,
  /**
   * More Regions to copy to, each with its key (default: regions.dr only). Each is deployed like the
   * DR Region (`npx sst deploy --region REGION`) and holds copies under the same rpo and retention.
   */
  alsoTo: z.array(CopyDestinationSchema).min(1).max(5, "at most 5 more Regions").optional(),
  /** The schedules whose snapshots are copied (default: all of the policy's). */
  schedules: z.array(z.string().min(1)).min(1).optional(),
  /** Retention of the copies in the DR Region (default: each schedule's own retention). */
  retention: RetentionSchema.optional(),
  /**
   * Time-based EBS copies (CopySnapshot's CompletionDurationMinutes, 15m to 48h, at extra cost):
   * only where the RPO needs a guaranteed copy time. Default: standard copies (no time guarantee).
   */
  completionWithin: duration
    .refine(
      (d) =>
        !DURATION_PATTERN.test(d) ||
        (parseDuration(d) >= COMPLETION_MIN_MS && parseDuration(d) <= COMPLETION_MAX_MS),
      "must be between 15m and 48h (CopySnapshot's CompletionDurationMinutes range)",
    )
    .optional(),
});

const RESOURCES = ["ebs-volume", "ec2-instance", "rds-instance", "aurora-cluster"] as const;

const PolicyBase = z.strictObject({
  name: name("policy name"),
  resource: z.enum(RESOURCES),
  description: z.string().max(200).optional(),
  selector: z.strictObject({
    tags: tagSelector,
    /** Only resources on these Outposts (names from `outposts`). EBS volumes and instances only. */
    outposts: z.array(z.string().min(1)).min(1).optional(),
  }),
  /** Instance policies: what to leave out of the crash-consistent set. */
  exclude: z
    .strictObject({
      bootVolume: z.boolean().optional(),
      volumeTypes: z
        .array(z.enum(["gp2", "gp3", "io1", "io2", "st1", "sc1", "standard"]))
        .min(1)
        .optional(),
      volumeTags: z.record(z.string().min(1), z.string()).optional(),
    })
    .optional(),
  /** Where EBS snapshots live: in the Region (default) or locally on the volume's Outpost. */
  placement: z.enum(["region", "outpost"]).default("region"),
  /**
   * Local snapshots when the Outpost's snapshot storage runs low: `flexible` (default) takes that
   * window's snapshots in the Region instead; `strict` (data that must stay on site) keeps them
   * local, and the local-snapshots alarm says they may fail.
   */
  residency: z.enum(["flexible", "strict"]).default("flexible"),
  /** Copy the source's tags onto the snapshot: all (true), none (false) or the listed keys. */
  copySourceTags: z.union([z.boolean(), z.array(z.string().min(1)).min(1)]).default(false),
  /** Snapshots of sources that no longer exist: always keep this many newest. */
  orphanKeepLast: count(1000).default(1),
  schedules: z.array(ScheduleSchema).min(1).max(4, "a policy has at most 4 schedules"),
  /** DR copies in regions.dr; absent: the policy's snapshots stay in the primary Region. */
  copy: CopySchema.optional(),
});

export const PolicySchema = PolicyBase.superRefine((policy, ctx) => {
  const isEbs = policy.resource === "ebs-volume" || policy.resource === "ec2-instance";
  if (!isEbs && policy.placement === "outpost") {
    ctx.addIssue({
      code: "custom",
      path: ["placement"],
      message: `"outpost" placement is for ebs-volume and ec2-instance policies; ${policy.resource} snapshots live in the Region`,
    });
  }
  if (policy.residency === "strict" && policy.placement !== "outpost") {
    ctx.addIssue({
      code: "custom",
      path: ["residency"],
      message: `residency "strict" keeps snapshots on the Outpost: it needs placement "outpost" (this policy places them in the Region)`,
    });
  }
  if (!isEbs && policy.selector.outposts) {
    ctx.addIssue({
      code: "custom",
      path: ["selector", "outposts"],
      message: `Outpost selection is for ebs-volume and ec2-instance policies, not ${policy.resource}`,
    });
  }
  if (policy.exclude && policy.resource !== "ec2-instance") {
    ctx.addIssue({
      code: "custom",
      path: ["exclude"],
      message: "exclude applies to ec2-instance policies only",
    });
  }
  if (policy.copy) checkCopy(policy, ctx);
  const seen = new Set<string>();
  policy.schedules.forEach((s, i) => {
    if (seen.has(s.name))
      ctx.addIssue({
        code: "custom",
        path: ["schedules", i, "name"],
        message: `duplicate schedule name "${s.name}"`,
      });
    seen.add(s.name);
  });
});

type PolicyShape = z.output<typeof PolicyBase>;

/**
 * A copy needs a regional source: EC2 cannot copy a local snapshot (on an Outpost) to a Region or to
 * another Outpost. Taking a second, regional snapshot behind the user's back would double the snapshot
 * work and the cost without saying so; refusing names the fix instead: a second policy, placed in the
 * Region, selecting the same volumes, with the copy on it.
 */
function checkCopy(policy: PolicyShape, ctx: z.RefinementCtx): void {
  const copy = policy.copy;
  if (!copy) return;
  if (policy.placement === "outpost") {
    ctx.addIssue({
      code: "custom",
      path: ["copy"],
      message:
        'snapshots placed on an Outpost cannot be copied to another Region (EC2 refuses to copy local snapshots). Keep this policy local and add a second policy with placement "region" for the same volumes, with copy on that one',
    });
  }
  const names = new Set(policy.schedules.map((s) => s.name));
  copy.schedules?.forEach((name, i) => {
    if (!names.has(name))
      ctx.addIssue({
        code: "custom",
        path: ["copy", "schedules", i],
        message: `unknown schedule "${name}" (the policy has: ${[...names].join(", ")})`,
      });
  });
  if (copy.completionWithin && policy.resource !== "ebs-volume" && policy.resource !== "ec2-instance") {
    ctx.addIssue({
      code: "custom",
      path: ["copy", "completionWithin"],
      message: `time-based copies are an EBS feature; ${policy.resource} copies take the time RDS takes`,
    });
  }
  if (!DURATION_PATTERN.test(copy.rpo)) return;
  const copied = policy.schedules.filter((s) => !copy.schedules || copy.schedules.includes(s.name));
  const gaps = copied.flatMap((s) => {
    try {
      return [{ name: s.name, ms: parseScheduleExpression(s.expression).largestIntervalMs }];
    } catch {
      return []; // reported at the schedule's own path
    }
  });
  if (gaps.length === 0) return;
  // copy.retention applies to every copied schedule: a maxAge shorter than one's gap would delete the
  // only copy of that schedule's newest snapshot, which the scheduler would then copy again, forever.
  const maxAge = copy.retention?.maxAge;
  const widest = gaps.reduce((a, b) => (b.ms > a.ms ? b : a));
  if (maxAge && DURATION_PATTERN.test(maxAge) && parseDuration(maxAge) < widest.ms)
    ctx.addIssue({
      code: "custom",
      path: ["copy", "retention", "maxAge"],
      message: `maxAge ${maxAge} is shorter than the copied schedule ${widest.name}'s gap of ${formatGap(widest.ms)}: its newest copy would be deleted and copied again; make it at least ${formatGap(widest.ms)}`,
    });
  const best = gaps.reduce((a, b) => (b.ms < a.ms ? b : a));
  const rpoMs = parseDuration(copy.rpo);
  if (rpoMs < best.ms) {
    ctx.addIssue({
      code: "custom",
      path: ["copy", "rpo"],
      message: `an RPO of ${copy.rpo} cannot be met: the copied schedules snapshot at most every ${formatGap(best.ms)} (${best.name}); set rpo to at least that plus the copy time, or copy a more frequent schedule`,
    });
  }
  if (copy.completionWithin && DURATION_PATTERN.test(copy.completionWithin)) {
    if (parseDuration(copy.completionWithin) + best.ms > rpoMs)
      ctx.addIssue({
        code: "custom",
        path: ["copy", "completionWithin"],
        message: `a copy finishing within ${copy.completionWithin} of a snapshot taken every ${formatGap(best.ms)} can be older than the rpo ${copy.rpo}`,
      });
  }
}

function formatGap(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  return `${Math.round(ms / 60_000)}m`;
}

/**
 * Each key in its destination's Region (KMS keys are regional); each `alsoTo` Region neither the
 * primary (copies leave it) nor regions.dr (every copy goes there already), and named once.
 */
function checkDestinations(
  config: { regions: { primary: string; dr: string } },
  copy: z.output<typeof CopySchema>,
  path: PropertyKey[],
  ctx: z.RefinementCtx,
): void {
  const keyIn = (arn: string, region: string, at: PropertyKey[], what: string) => {
    const keyRegion = KMS_KEY_ARN.exec(arn)?.[1];
    if (keyRegion !== undefined && keyRegion !== region)
      ctx.addIssue({
        code: "custom",
        path: at,
        message: `the key is in ${keyRegion}, but ${what} ${region}: KMS keys are regional, name a key of ${region}`,
      });
  };
  keyIn(copy.kmsKeyArn, config.regions.dr, [...path, "kmsKeyArn"], "copies are made in the DR Region");
  const seen = new Set<string>();
  copy.alsoTo?.forEach((d, j) => {
    const at = [...path, "alsoTo", j];
    const clash =
      d.region === config.regions.primary
        ? `${d.region} is the primary Region, where the snapshots already are`
        : d.region === config.regions.dr
          ? `${d.region} is regions.dr, which every copy goes to already`
          : seen.has(d.region)
            ? `${d.region} is listed twice`
            : undefined;
    if (clash) ctx.addIssue({ code: "custom", path: [...at, "region"], message: clash });
    seen.add(d.region);
    keyIn(d.kmsKeyArn, d.region, [...at, "kmsKeyArn"], "these copies are made in");
  });
}

export const ConfigSchema = z
  .strictObject({
    regions: z.strictObject({ primary: region, dr: region }).refine((r) => r.primary !== r.dr, {
      message: "the DR Region must differ from the primary Region",
      path: ["dr"],
    }),
    outposts: z
      .array(
        z.strictObject({
          name: name("outpost name"),
          arn: z
            .string()
            .regex(
              OUTPOST_ARN,
              "must be an Outpost ARN: arn:aws:outposts:REGION:ACCOUNT:outpost/op-<17 hex>",
            ),
        }),
      )
      .default([]),
    alerts: z.strictObject({
      emails: z.array(z.email("must be an e-mail address")).default([]),
    }),
    retention: z
      .strictObject({
        /** When the retention job runs. */
        schedule: scheduleExpression.default("cron(15 * * * ? *)"),
        /** A run that would delete more than this deletes nothing and alerts. */
        maxDeletesPerRun: count(100_000).default(1000),
        maxDeletesPercent: z.number().gt(0).max(100).default(25),
      })
      .prefault({}),
    policies: z.array(PolicySchema).min(1, "define at least one backup policy"),
    /** Capacity alarms, the weekly report and the local-snapshot floor (defaults when absent). */
    capacity: CapacitySchema,
    /** DNS failover to the DR site (absent: none). */
    failover: FailoverSchema.optional(),
  })
  .superRefine((config, ctx) => {
    checkFailover(config, ctx);
    const outpostNames = new Set(config.outposts.map((o) => o.name));
    const policyNames = new Set<string>();
    config.policies.forEach((policy, i) => {
      if (policyNames.has(policy.name))
        ctx.addIssue({
          code: "custom",
          path: ["policies", i, "name"],
          message: `duplicate policy name "${policy.name}"`,
        });
      policyNames.add(policy.name);
      if (policy.copy) checkDestinations(config, policy.copy, ["policies", i, "copy"], ctx);
      policy.selector.outposts?.forEach((o, j) => {
        if (!outpostNames.has(o)) {
          ctx.addIssue({
            code: "custom",
            path: ["policies", i, "selector", "outposts", j],
            message: `unknown Outpost "${o}"; declare it under outposts (known: ${[...outpostNames].join(", ") || "none"})`,
          });
        }
      });
    });
    // Once per Outpost, at its own path, and only when the primary Region itself is valid.
    if (REGION.test(config.regions.primary)) {
      config.outposts.forEach((o, i) => {
        if (!o.arn.includes(`:${config.regions.primary}:`)) {
          ctx.addIssue({
            code: "custom",
            path: ["outposts", i, "arn"],
            message: `Outpost ${o.arn} is not in the primary Region ${config.regions.primary}`,
          });
        }
      });
    }
  });

/** What users write (defaults optional). */
export type ConfigInput = z.input<typeof ConfigSchema>;
/** What the jobs read (defaults applied). */
export type Config = z.output<typeof ConfigSchema>;
export type Policy = Config["policies"][number];
export type Schedule = Policy["schedules"][number];
export type Retention = Schedule["retention"];
export type ResourceKind = Policy["resource"];
export type CopyRule = NonNullable<Policy["copy"]>;
export type { CapacityConfig } from "./capacity.ts";

function formatPath(path: PropertyKey[]): string {
  return path.reduce<string>(
    (out, key) => (typeof key === "number" ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)),
    "",
  );
}

/** Turns zod issues into ConfigIssues with dotted paths. */
export function toIssues(error: z.ZodError): ConfigIssue[] {
  return error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
}

/**
 * Validates a config; throws ConfigError naming every bad field.
 * @example parseConfig(await import("./outpost-ops.config.ts").then((m) => m.default))
 */
export function parseConfig(input: unknown, source?: string): Config {
  const result = ConfigSchema.safeParse(input);
  if (!result.success) throw new ConfigError(toIssues(result.error), source);
  return result.data;
}

/**
 * Typed identity for `outpost-ops.config.ts`: editors check the file as you write it; the strict
 * validation runs in `npm test`, in `sst deploy` and at every cold start.
 * @example export default defineConfig({ regions: { primary: "us-west-2", dr: "us-east-1" }, alerts: { emails: [] }, policies: [...] })
 */
export function defineConfig(config: ConfigInput): ConfigInput {
  return config;
}
