import type { Config, Policy } from "../config/schema.ts";
import type { Resource } from "../inventory.ts";
import type { ReasonCode } from "../reasons.ts";
import type { Tags } from "../tags.ts";

/**
 * The client-side re-check of a policy's selector. The AWS adapters filter server-side too, but the
 * planner decides: a resource that no longer matches (its tag was changed between listing and
 * planning, or an adapter filtered loosely) is skipped with a reason, never snapshotted.
 */

/** The id a resource is known by: volume id, instance id, DB instance id or cluster id. */
export function resourceId(resource: Resource): string {
  switch (resource.kind) {
    case "ebs-volume":
      return resource.volume.id;
    case "ec2-instance":
      return resource.instance.id;
    case "rds-instance":
      return resource.db.id;
    case "aurora-cluster":
      return resource.cluster.id;
  }
}

export function resourceTags(resource: Resource): Tags {
  switch (resource.kind) {
    case "ebs-volume":
      return resource.volume.tags;
    case "ec2-instance":
      return resource.instance.tags;
    case "rds-instance":
      return resource.db.tags;
    case "aurora-cluster":
      return resource.cluster.tags;
  }
}

function outpostArnOf(resource: Resource): string | undefined {
  if (resource.kind === "ebs-volume") return resource.volume.outpostArn;
  if (resource.kind === "ec2-instance") return resource.instance.outpostArn;
  return undefined;
}

/** A tag value pattern: `*` matches any run of characters (as in EC2 tag filters); all else is literal. */
export function tagValueMatcher(pattern: string): (value: string) => boolean {
  if (!pattern.includes("*")) return (value) => value === pattern;
  const source = pattern
    .split("*")
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  const regex = new RegExp(`^${source}$`, "s");
  return (value) => regex.test(value);
}

/** Why a resource left the selection: a code to group by, a sentence that names the tag or Outpost. */
export interface Unselected {
  code: ReasonCode;
  reason: string;
}

export type Selector = (resource: Resource) => Unselected | undefined;

/**
 * Compiles a policy's selector once (patterns, Outpost ARNs) into a function that returns undefined when
 * the resource is selected, or why it is not ("left the selection: tag Backup=weekly does not match daily").
 */
export function compileSelector(config: Config, policy: Policy): Selector {
  const tagRules = Object.entries(policy.selector.tags).map(([key, wanted]) => {
    const values = typeof wanted === "string" ? [wanted] : wanted;
    const matchers = values.map(tagValueMatcher);
    return { key, wantedText: values.join(" or "), matches: (v: string) => matchers.some((m) => m(v)) };
  });
  const outpostNames = policy.selector.outposts;
  const byArn = new Map(config.outposts.map((o) => [o.arn, o.name]));
  const allowedArns = outpostNames
    ? new Set(config.outposts.filter((o) => outpostNames.includes(o.name)).map((o) => o.arn))
    : undefined;

  return (resource) => {
    if (resource.kind !== policy.resource) {
      return {
        code: "wrong-resource-kind",
        reason: `left the selection: ${resource.kind} resource, but policy ${policy.name} snapshots ${policy.resource}`,
      };
    }
    const tags = resourceTags(resource);
    for (const rule of tagRules) {
      const actual = tags[rule.key];
      if (actual === undefined)
        return {
          code: "tag-missing",
          reason: `left the selection: tag ${rule.key} is missing (want ${rule.wantedText})`,
        };
      if (!rule.matches(actual)) {
        return {
          code: "tag-mismatch",
          reason: `left the selection: tag ${rule.key}=${actual} does not match ${rule.wantedText}`,
        };
      }
    }
    if (allowedArns && (resource.kind === "ebs-volume" || resource.kind === "ec2-instance")) {
      const arn = outpostArnOf(resource);
      const wanted = outpostNames?.join(" or ") ?? "";
      if (arn === undefined)
        return {
          code: "not-on-outpost",
          reason: `left the selection: in the Region, not on Outpost ${wanted}`,
        };
      if (!allowedArns.has(arn))
        return {
          code: "other-outpost",
          reason: `left the selection: on Outpost ${byArn.get(arn) ?? arn}, not on ${wanted}`,
        };
    }
    return undefined;
  };
}
