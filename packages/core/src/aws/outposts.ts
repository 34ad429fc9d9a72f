// biome-ignore-all lint/suspicious/noTemplateCurlyInString: IAM placeholders, filled by stacks/iam.ts
/**
 * Outposts adapter: the instance types an Outpost offers (GetOutpostInstanceTypes, paginated). The
 * capacity monitor discovers them on every run, so a type added to an Outpost gets its alarms
 * without a redeploy.
 */
import { type OutpostsClient, paginateGetOutpostInstanceTypes } from "@aws-sdk/client-outposts";
import { outpostIdOf } from "../capacity/names.ts";
import { OutpostOpsError } from "../errors.ts";
import { errorCode } from "./errors.ts";
import type { PermissionStatement } from "./permissions.ts";

export const OutpostsPermissions = {
  getInstanceTypes: {
    why: "discover the instance types each configured Outpost offers (the capacity alarms per type)",
    actions: ["outposts:GetOutpostInstanceTypes"],
    resources: ["arn:${partition}:outposts:${region}:${account}:outpost/*"],
  },
} satisfies Record<string, PermissionStatement>;

/** An Outpost of the config that the Outposts API does not know (wrong ARN, Region or account). */
export class OutpostNotFoundError extends OutpostOpsError {
  readonly outpost: string;
  readonly outpostId: string;
  constructor(outpost: string, outpostId: string, region: string, options?: { cause?: unknown }) {
    super(
      `Outpost ${outpost} (${outpostId}) was not found in ${region}: GetOutpostInstanceTypes answered NotFound. Check outposts[].arn for "${outpost}" in outpost-ops.config.ts (its id, Region and account must be the Outpost's), then redeploy; its capacity alarms are left as they are until then.`,
      options,
    );
    this.name = "OutpostNotFoundError";
    this.outpost = outpost;
    this.outpostId = outpostId;
  }
}

/**
 * The instance types an Outpost offers, sorted and without repeats.
 * @example await outpostInstanceTypes(outposts, { name: "factory", arn }, "us-west-2") // ["c5.xlarge", "m5.large"]
 */
export async function outpostInstanceTypes(
  client: OutpostsClient,
  outpost: { name: string; arn: string },
  region: string,
): Promise<string[]> {
  const types = new Set<string>();
  try {
    for await (const page of paginateGetOutpostInstanceTypes(
      { client, pageSize: 100 },
      { OutpostId: outpostIdOf(outpost.arn) },
    ))
      for (const t of page.InstanceTypes ?? []) if (t.InstanceType) types.add(t.InstanceType);
  } catch (error) {
    if (errorCode(error) === "NotFoundException")
      throw new OutpostNotFoundError(outpost.name, outpostIdOf(outpost.arn), region, { cause: error });
    throw error;
  }
  return [...types].sort();
}
