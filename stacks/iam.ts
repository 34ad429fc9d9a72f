import {
  FunctionPermissions,
  type FunctionRole,
  type PermissionStatement,
} from "@outpost-ops/core/aws/permissions";
import { Effect, PolicyStatement } from "aws-cdk-lib/aws-iam";
import { type Stack, Token } from "aws-cdk-lib/core";
import { RegionInfo } from "aws-cdk-lib/region-info";

/*
 * IAM comes from the permissions core declares next to each AWS call (packages/core/src/aws/permissions.ts),
 * so a new call without its permission fails in review, not in production. Nothing here invents actions.
 */

const PLACEHOLDER = /\$\{([^}]*)\}/g;

/** True for `*` and service-wide wildcards such as `ec2:*`; prefixes like `kms:Describe*` are allowed. */
export function isServiceWideAction(action: string): boolean {
  return action === "*" || /^[a-z0-9-]+:\*$/i.test(action);
}

/** `aws`, `aws-us-gov` or `aws-cn`, as a literal when the stack's Region is known (it always is in SST). */
function partitionOf(stack: Stack): string {
  if (Token.isUnresolved(stack.region)) return stack.partition;
  return RegionInfo.get(stack.region).partition ?? stack.partition;
}

function fill(pattern: string, stack: Stack): string {
  return pattern.replace(PLACEHOLDER, (_match, name: string) => {
    if (name === "partition") return partitionOf(stack);
    if (name === "region") return stack.region;
    if (name === "account") return stack.account;
    throw new Error(
      `Unknown placeholder \${${name}} in IAM resource "${pattern}" (known: \${partition}, \${region}, \${account})`,
    );
  });
}

/**
 * The IAM statements a function role needs, with `${partition}`/`${region}`/`${account}` taken from the
 * stack (so GovCloud and China Regions get their own ARNs).
 * @example fn.addToRolePolicy(...statementsFor("retentionWorker", stack))
 */
export function statementsFor(role: FunctionRole, stack: Stack): PolicyStatement[] {
  const permissions: readonly PermissionStatement[] = FunctionPermissions[role];
  return permissions.map((permission) => {
    const wide = permission.actions.filter(isServiceWideAction);
    if (wide.length > 0) {
      throw new Error(
        `Permission "${permission.why}" for ${role} grants service-wide actions (${wide.join(", ")}); list the actions`,
      );
    }
    return new PolicyStatement({
      effect: Effect.ALLOW,
      actions: [...permission.actions],
      resources: permission.resources.map((r) => fill(r, stack)),
      ...(permission.conditions ? { conditions: permission.conditions } : {}),
    });
  });
}
