import {
  FunctionPermissions,
  type FunctionRole,
  type PermissionStatement,
} from "@outpost-ops/core/aws/permissions";
import { capacityAlarmPrefix } from "@outpost-ops/core/capacity/names";
import { type Config, destinationsOf } from "@outpost-ops/core/config";
import { type ChangeScope, changeScope } from "@outpost-ops/core/failover/change-scope";
import { Effect, PolicyStatement } from "aws-cdk-lib/aws-iam";
import { type Stack, Token } from "aws-cdk-lib/core";
import { RegionInfo } from "aws-cdk-lib/region-info";

/*
 * IAM comes from the permissions core declares next to each AWS call (packages/core/src/aws/permissions.ts),
 * so a new call without its permission fails in review, not in production. Nothing here invents actions.
 */

const PLACEHOLDER = /\$\{([^}]*)\}/g;
const KMS_KEY = /^kmsKey:(.+)$/;
/** `${kmsKeys:GROUP}`: a whole Resource entry that stands for every key ARN of a group. */
const KMS_KEY_GROUP = /^\$\{kmsKeys:([^}]*)\}$/;
/** A key ARN: IAM does not authorize key operations through an alias ARN in a policy's Resource. */
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/.+$/;

/**
 * What the placeholders beyond the stack's own `${partition}`/`${region}`/`${account}` stand for.
 * Built from the validated config by `placeholdersFrom`; a permission that uses one without it fails.
 */
export interface Placeholders {
  /** `${primaryRegion}`: config.regions.primary. */
  primaryRegion?: string;
  /** `${drRegion}`: config.regions.dr. */
  drRegion?: string;
  /**
   * `${kmsKey:NAME}`: the ARN of a KMS key the config names, or undefined for a name it does not
   * know (which fails the synth, naming the placeholder).
   */
  kmsKey?: (name: string) => string | undefined;
  /**
   * `${kmsKeys:GROUP}`: every key ARN of a group (possibly none), or undefined for a group that
   * does not exist (which fails the synth, naming the placeholder).
   */
  kmsKeys?: (group: string) => readonly string[] | undefined;
  /**
   * `${failoverZone}` (the zone id, or `*`), and `${failoverRecordNames}`/`${failoverRecordTypes}`
   * (each a whole entry of a condition's list, standing for every name or type): what a failover
   * batch may change, from the config's `failover` section.
   */
  failover?: ChangeScope;
  /**
   * `${prefix}`: the deployment's name prefix, `outpost-ops-<stage>` (stacks/context.ts namePrefix),
   * for resources named with it that a function changes at run time; `${capacityAlarmPrefix}` is the
   * capacity alarms' (`<prefix>-capacity-`, core/capacity/names.ts), the monitor's
   * `alarm:${capacityAlarmPrefix}*`.
   */
  prefix?: string;
}

/** Condition list entries that stand for a list of the failover scope. */
const FAILOVER_LISTS = new Map<string, "recordNames" | "recordTypes">([
  [`\${failoverRecordNames}`, "recordNames"],
  [`\${failoverRecordTypes}`, "recordTypes"],
]);

/** The groups `${kmsKeys:GROUP}` names. */
export type KmsKeyGroup = "copy";

/**
 * The KMS keys the config names, by group: `copy` is every policy's destination keys in `region`
 * (`copy.kmsKeyArn` in regions.dr, an `alsoTo` entry's key in its Region), each once, in config
 * order, so a destination's copy role is granted its own Region's keys and no other's.
 * @example kmsKeysOf(config, "us-east-1") // { copy: ["arn:aws:kms:us-east-1:123456789012:key/1234abcd-…"] }
 */
export function kmsKeysOf(config: Config, region: string = config.regions.dr): Record<KmsKeyGroup, string[]> {
  const copy = config.policies.flatMap((p) =>
    destinationsOf(p, config).flatMap((d) => (d.region === region ? [d.kmsKeyArn] : [])),
  );
  return { copy: [...new Set(copy)] };
}

/**
 * The placeholders of a validated config: its Regions and KMS key groups, plus single keys by name
 * for `${kmsKey:NAME}` (no config field names one today).
 */
export function placeholdersFrom(
  config: Config,
  kmsKeys: Record<string, string> = {},
  kmsKeyGroups: Record<string, readonly string[]> = kmsKeysOf(config),
) {
  return {
    primaryRegion: config.regions.primary,
    drRegion: config.regions.dr,
    kmsKey: (name: string) => (Object.hasOwn(kmsKeys, name) ? kmsKeys[name] : undefined),
    kmsKeys: (group: string) => (Object.hasOwn(kmsKeyGroups, group) ? kmsKeyGroups[group] : undefined),
    ...(config.failover ? { failover: changeScope(config.failover) } : {}),
  } satisfies Placeholders;
}

/** True for `*` and service-wide wildcards such as `ec2:*`; prefixes like `kms:Describe*` are allowed. */
export function isServiceWideAction(action: string): boolean {
  return action === "*" || /^[a-z0-9-]+:\*$/i.test(action);
}

/** `aws`, `aws-us-gov` or `aws-cn`, as a literal when the stack's Region is known (it always is in SST). */
export function partitionOf(stack: Stack): string {
  if (Token.isUnresolved(stack.region)) return stack.partition;
  return RegionInfo.get(stack.region).partition ?? stack.partition;
}

const KNOWN = `\${partition}, \${region}, \${account}, \${prefix}, \${capacityAlarmPrefix}, \${primaryRegion}, \${drRegion}, \${kmsKey:NAME}, \${kmsKeys:GROUP}, \${failoverZone}, \${failoverRecordNames}, \${failoverRecordTypes}`;

function checkKeyArn(placeholder: string, pattern: string, arn: string): string {
  if (!KMS_KEY_ARN.test(arn))
    throw new Error(
      `Placeholder \${${placeholder}} in IAM "${pattern}" resolved to "${arn}", which is not a KMS key ARN (arn:…:kms:REGION:ACCOUNT:key/ID; an alias ARN grants nothing) (known: ${KNOWN})`,
    );
  return arn;
}

/**
 * One Resource entry, filled: a list, since `${kmsKeys:GROUP}` (which must be the whole entry)
 * stands for every key of its group, one resource each, and for none when the group is empty.
 * @example fillResource("${kmsKeys:copy}", stack, placeholdersFrom(config)) // one ARN per copy key
 */
export function fillResource(pattern: string, stack: Stack, placeholders: Placeholders = {}): string[] {
  const group = KMS_KEY_GROUP.exec(pattern);
  if (!group) return [fillPlaceholders(pattern, stack, placeholders)];
  const name = `kmsKeys:${group[1] ?? ""}`;
  if (!placeholders.kmsKeys)
    throw new Error(
      `Placeholder \${${name}} in IAM "${pattern}" has no value: pass placeholdersFrom(config) (known: ${KNOWN})`,
    );
  const arns = placeholders.kmsKeys(group[1] ?? "");
  if (arns === undefined)
    throw new Error(
      `Placeholder \${${name}} in IAM "${pattern}" names a KMS key group that does not exist (groups: copy) (known: ${KNOWN})`,
    );
  return arns.map((arn) => checkKeyArn(name, pattern, arn));
}

/**
 * Fills the placeholders of one ARN pattern or condition value. Unknown placeholders, and known ones
 * this stack was given no value for, throw: a typo must not become a literal `${...}` in IAM.
 * @example fillPlaceholders("arn:${partition}:rds:${drRegion}:${account}:snapshot:oo-*", stack, placeholdersFrom(config))
 */
export function fillPlaceholders(pattern: string, stack: Stack, placeholders: Placeholders = {}): string {
  const missing = (name: string, why: string): never => {
    throw new Error(`Placeholder \${${name}} in IAM "${pattern}" ${why} (known: ${KNOWN})`);
  };
  return pattern.replace(PLACEHOLDER, (_match, name: string) => {
    if (name === "partition") return partitionOf(stack);
    if (name === "region") return stack.region;
    if (name === "account") return stack.account;
    if (name === "prefix")
      return placeholders.prefix ?? missing(name, "has no value: pass the stack's namePrefix(app)");
    if (name === "capacityAlarmPrefix")
      return placeholders.prefix !== undefined
        ? capacityAlarmPrefix(placeholders.prefix)
        : missing(name, "has no value: pass the stack's namePrefix(app) as `prefix`");
    if (name === "primaryRegion" || name === "drRegion") {
      return placeholders[name] ?? missing(name, "has no value: pass placeholdersFrom(config)");
    }
    const key = KMS_KEY.exec(name);
    if (key) {
      const keyName = key[1] ?? "";
      if (!placeholders.kmsKey) return missing(name, "has no value: pass placeholdersFrom(config)");
      const arn = placeholders.kmsKey(keyName) ?? missing(name, `names a KMS key the config does not define`);
      return checkKeyArn(name, pattern, arn);
    }
    if (name === "failoverZone")
      return (
        placeholders.failover?.zone ?? missing(name, "has no value: the config has no `failover` section")
      );
    if (name.startsWith("kmsKeys:"))
      return missing(name, "stands for a list of keys: use it only as a whole Resource entry");
    if (FAILOVER_LISTS.has(`\${${name}}`))
      return missing(name, "stands for a list: use it only as a whole entry of a condition's list");
    return missing(name, "is unknown");
  });
}

function fillConditions(
  conditions: NonNullable<PermissionStatement["conditions"]>,
  stack: Stack,
  placeholders: Placeholders,
): NonNullable<PermissionStatement["conditions"]> {
  const fill = (v: string) => fillPlaceholders(v, stack, placeholders);
  const fillList = (values: string[]) =>
    values.flatMap((v) => {
      const list = FAILOVER_LISTS.get(v);
      if (!list) return [fill(v)];
      const scope = placeholders.failover;
      if (!scope)
        throw new Error(
          `Placeholder ${v} in an IAM condition has no value: the config has no \`failover\` section (known: ${KNOWN})`,
        );
      return scope[list];
    });
  return Object.fromEntries(
    Object.entries(conditions).map(([operator, entries]) => [
      operator,
      Object.fromEntries(
        Object.entries(entries).map(([key, value]) => [
          fill(key),
          Array.isArray(value) ? fillList(value) : fill(value),
        ]),
      ),
    ]),
  );
}

/**
 * IAM statements for a list of permissions, placeholders filled (in resources and conditions).
 * A permission whose resources fill to nothing (`${kmsKeys:copy}` of a config without copy keys) is
 * left out: IAM refuses a statement without resources, and there is nothing to grant it on.
 * @example policyStatements(FunctionPermissions.retentionWorker, stack, placeholdersFrom(config), "retentionWorker")
 */
export function policyStatements(
  permissions: readonly PermissionStatement[],
  stack: Stack,
  placeholders: Placeholders = {},
  label = "a function",
): PolicyStatement[] {
  return permissions.flatMap((permission) => {
    const wide = permission.actions.filter(isServiceWideAction);
    if (wide.length > 0) {
      throw new Error(
        `Permission "${permission.why}" for ${label} grants service-wide actions (${wide.join(", ")}); list the actions`,
      );
    }
    const resources = permission.resources.flatMap((r) => fillResource(r, stack, placeholders));
    if (resources.length === 0) return [];
    // `onBehalf` statements (AWS uses them with the caller's identity) are granted like any other.
    return [
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: [...permission.actions],
        resources,
        ...(permission.conditions
          ? { conditions: fillConditions(permission.conditions, stack, placeholders) }
          : {}),
      }),
    ];
  });
}

/**
 * The IAM statements a function role needs, with `${partition}`/`${region}`/`${account}` taken from the
 * stack (so GovCloud and China Regions get their own ARNs) and the config's Regions and KMS keys from
 * `placeholders`.
 * @example fn.addToRolePolicy(...statementsFor("retentionWorker", stack, placeholdersFrom(config)))
 */
export function statementsFor(
  role: FunctionRole,
  stack: Stack,
  placeholders: Placeholders = {},
): PolicyStatement[] {
  return policyStatements(FunctionPermissions[role], stack, placeholders, role);
}
