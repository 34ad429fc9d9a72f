import { AwsError } from "../errors.ts";
import type { RequestContext } from "../http.ts";
import { str, strings, structs } from "../query.ts";
import { leaf } from "../xml.ts";
import { type Ec2Region, visibleSnapshot } from "./model.ts";
import { ec2Response } from "./render.ts";
import { checkTagKey } from "./snapshots.ts";

/**
 * Resolve a resource id to its tag map; AWS answers the resource's own NotFound code (also for a
 * snapshot created moments ago that EC2 does not see yet: eventual consistency).
 */
function tagsOf(region: Ec2Region, id: string, nowMs: number): Map<string, string> {
  const found =
    visibleSnapshot(region, id, nowMs) ??
    region.volumes.get(id) ??
    region.instances.get(id) ??
    region.images.get(id);
  if (found) return found.tags;
  if (id.startsWith("snap-"))
    throw new AwsError("InvalidSnapshot.NotFound", `The snapshot '${id}' does not exist.`);
  if (id.startsWith("vol-"))
    throw new AwsError("InvalidVolume.NotFound", `The volume '${id}' does not exist.`);
  if (id.startsWith("i-"))
    throw new AwsError("InvalidInstanceID.NotFound", `The instance ID '${id}' does not exist`);
  if (id.startsWith("ami-"))
    throw new AwsError("InvalidAMIID.NotFound", `The image id '[${id}]' does not exist`);
  throw new AwsError("InvalidID", `The ID '${id}' is not valid`);
}

export function createTags(region: Ec2Region, ctx: RequestContext): string {
  const ids = strings(ctx.form, "ResourceId");
  const tags = structs(ctx.form, "Tag").map((t) => [str(t, "Key") ?? "", str(t, "Value") ?? ""] as const);
  for (const [k] of tags) checkTagKey(k);
  // Resolve every id first so a bad id changes nothing.
  const maps = ids.map((id) => tagsOf(region, id, ctx.clock.nowMs()));
  for (const m of maps) for (const [k, v] of tags) m.set(k, v);
  return ec2Response("CreateTags", ctx.requestId, leaf("return", true));
}

export function deleteTags(region: Ec2Region, ctx: RequestContext): string {
  const ids = strings(ctx.form, "ResourceId");
  const tags = structs(ctx.form, "Tag").map((t) => ({ key: str(t, "Key") ?? "", value: str(t, "Value") }));
  const maps = ids.map((id) => tagsOf(region, id, ctx.clock.nowMs()));
  for (const m of maps) {
    if (tags.length === 0) {
      for (const k of [...m.keys()]) if (!k.startsWith("aws:")) m.delete(k);
      continue;
    }
    // With a value, AWS deletes the tag only if the value matches.
    for (const t of tags) if (t.value === undefined || m.get(t.key) === t.value) m.delete(t.key);
  }
  return ec2Response("DeleteTags", ctx.requestId, leaf("return", true));
}
