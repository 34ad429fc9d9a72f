import {
  FunctionPermissions,
  type FunctionRole,
  type PermissionStatement,
} from "@outpost-ops/core/aws/permissions";
import type { Config } from "@outpost-ops/core/config";
import { Effect, PolicyStatement } from "aws-cdk-lib/aws-iam";
import { type Stack, Token } from "aws-cdk-lib/core";
import { RegionInfo } from "aws-cdk-lib/region-info";

/*
 * IAM comes from the permissions core declares next to each AWS call (packages/core/src/aws/permissions.ts),
 * so a new call without its permission fails in review, not in production. Nothing here invents actions.
 */

const PLACEHOLDER = /\$\{([^}]*)\}/g;
const KMS_KEY = /^kmsKey:(.+)$/;
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
}

/**
 * The KMS keys the config names, by the name permissions use in `${kmsKey:NAME}`. The config has
 * none yet; the copy job adds its destination keys here, e.g. `"copy-dr": config.copy.kmsKeyArn`.
 */
export function kmsKeysOf(_config: Config): Record<string, string> {
  return {};
}

/** The placeholders of a validated config: its Regions and the KMS keys it names. */
export function placeholdersFrom(config: Config, kmsKeys: Record<string, string> = kmsKeysOf(config)) {
  return {
    primaryRegion: config.regions.primary,
    drRegion: config.regions.dr,
    kmsKey: (name: string) => (Object.hasOwn(kmsKeys, name) ? kmsKeys[name] : undefined),
  } satisfies Placeholders;
}

/** True for `*` and service-wide wildcards such as `ec2:*`; prefixes like `kms:Describe*` are allowed. */
export function isServiceWideAction(action: string): boolean {
  return action === "*" || /^[a-z0-9-]+:\*$/i.test(action);
}

/** `aws`, `aws-us-gov` or `aws-cn`, as a literal when the stack's Region is known (it always is in SST). */
function partitionOf(stack: Stack): string {
  if (Token.isUnresolved(stack.region)) return stack.partition;
  return RegionInfo.get(stack.region).partition ?? stack.partition;
}

const KNOWN = `\${partition}, \${region}, \${account}, \${primaryRegion}, \${drRegion}, \${kmsKey:NAME}`;

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
    if (name === "primaryRegion" || name === "drRegion") {
      return placeholders[name] ?? missing(name, "has no value: pass placeholdersFrom(config)");
    }
    const key = KMS_KEY.exec(name);
    if (key) {
      const keyName = key[1] ?? "";
      if (!placeholders.kmsKey) return missing(name, "has no value: pass placeholdersFrom(config)");
      const arn = placeholders.kmsKey(keyName) ?? missing(name, `names a KMS key the config does not define`);
      if (!KMS_KEY_ARN.test(arn))
        missing(
          name,
          `resolved to "${arn}", which is not a KMS key ARN (arn:…:kms:REGION:ACCOUNT:key/ID; an alias ARN grants nothing)`,
        );
      return arn;
    }
    return missing(name, "is unknown");
  });
}

function fillConditions(
  conditions: NonNullable<PermissionStatement["conditions"]>,
  stack: Stack,
  placeholders: Placeholders,
): NonNullable<PermissionStatement["conditions"]> {
  const fill = (v: string) => fillPlaceholders(v, stack, placeholders);
  return Object.fromEntries(
    Object.entries(conditions).map(([operator, entries]) => [
      operator,
      Object.fromEntries(
        Object.entries(entries).map(([key, value]) => [
          fill(key),
          Array.isArray(value) ? value.map(fill) : fill(value),
        ]),
      ),
    ]),
  );
}

/**
 * IAM statements for a list of permissions, placeholders filled (in resources and conditions).
 * @example policyStatements(FunctionPermissions.retentionWorker, stack, placeholdersFrom(config), "retentionWorker")
 */
export function policyStatements(
  permissions: readonly PermissionStatement[],
  stack: Stack,
  placeholders: Placeholders = {},
  label = "a function",
): PolicyStatement[] {
  return permissions.map((permission) => {
    const wide = permission.actions.filter(isServiceWideAction);
    if (wide.length > 0) {
      throw new Error(
        `Permission "${permission.why}" for ${label} grants service-wide actions (${wide.join(", ")}); list the actions`,
      );
    }
    return new PolicyStatement({
      effect: Effect.ALLOW,
      actions: [...permission.actions],
      resources: permission.resources.map((r) => fillPlaceholders(r, stack, placeholders)),
      ...(permission.conditions
        ? { conditions: fillConditions(permission.conditions, stack, placeholders) }
        : {}),
    });
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
