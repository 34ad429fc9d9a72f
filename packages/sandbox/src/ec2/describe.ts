import { AwsError } from "../errors.ts";
import type { RequestContext } from "../http.ts";
import { num, str, strings } from "../query.ts";
import { leaf, list } from "../xml.ts";
import { type Filter, matches, parseFilters } from "./filters.ts";
import type { Ec2Region, Ec2State, Image, Instance, Snapshot, Volume } from "./model.ts";
import { snapshotState, snapshotVisible, visibleSnapshot } from "./model.ts";
import { ec2Response, imageXml, instanceXml, snapshotXml, volumeXml } from "./render.ts";

/** MaxResults 5..1000 on every Describe call we serve; AWS rejects values outside the range. */
function maxResults(ctx: RequestContext): number | undefined {
  const max = num(ctx.form, "MaxResults");
  if (max === undefined) return undefined;
  if (!Number.isInteger(max) || max < 5 || max > 1000) {
    throw new AwsError(
      "InvalidParameterValue",
      `Value ( ${str(ctx.form, "MaxResults")} ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.`,
    );
  }
  return max;
}

/** NextToken is opaque to clients; ours names the kind and the position to resume from. */
function encodeToken(kind: string, position: number): string {
  return Buffer.from(`${kind}:${position}`).toString("base64url");
}

function decodeToken(kind: string, token: string | undefined): number {
  if (token === undefined || token === "") return 0;
  const m = /^([a-z]+):(\d+)$/.exec(Buffer.from(token, "base64url").toString("utf8"));
  if (!m || m[1] !== kind) {
    throw new AwsError("InvalidParameterValue", `Invalid value '${token}' for nextToken`);
  }
  return Number(m[2]);
}

/** Offset-paging for the small collections (volumes, instances, images): they are never deleted. */
function pageByOffset<T>(kind: string, all: T[], ctx: RequestContext): { page: T[]; nextToken?: string } {
  const max = maxResults(ctx);
  const start = decodeToken(kind, str(ctx.form, "NextToken"));
  if (max === undefined) return { page: all.slice(start) };
  const page = all.slice(start, start + max);
  return { page, nextToken: start + max < all.length ? encodeToken(kind, start + max) : undefined };
}

function byIds<T>(ids: string[], map: ReadonlyMap<string, T>, notFound: (id: string) => AwsError): T[] {
  return ids.map((id) => {
    const item = map.get(id);
    if (!item) throw notFound(id);
    return item;
  });
}

function noIdsWithMaxResults(ctx: RequestContext, idParam: string, what: string): void {
  if (strings(ctx.form, idParam).length > 0 && str(ctx.form, "MaxResults") !== undefined) {
    throw new AwsError(
      "InvalidParameterCombination",
      `The parameter ${what}Ids cannot be used with the parameter maxResults`,
    );
  }
}

function volumeFields(v: Volume, ownerId: string) {
  return (name: string): string[] | undefined => {
    switch (name) {
      case "volume-id":
        return [v.id];
      case "status":
        return [v.attachments.length > 0 ? "in-use" : "available"];
      // No `outpost-arn`: DescribeVolumes does not document it, and EC2 refuses unknown filters.
      case "attachment.instance-id":
        return v.attachments.map((a) => a.instanceId);
      case "attachment.device":
        return v.attachments.map((a) => a.device);
      case "attachment.status":
        return v.attachments.map(() => "attached");
      case "availability-zone":
        return [v.availabilityZone];
      case "volume-type":
        return [v.type];
      case "size":
        return [String(v.sizeGiB)];
      case "encrypted":
        return ["false"];
      case "owner-id":
        return [ownerId];
      default:
        return undefined;
    }
  };
}

export function describeVolumes(state: Ec2State, region: Ec2Region, ctx: RequestContext): string {
  noIdsWithMaxResults(ctx, "VolumeId", "volume");
  const ids = strings(ctx.form, "VolumeId");
  const filters = parseFilters(ctx.form);
  const candidates = ids.length
    ? byIds(
        ids,
        region.volumes,
        (id) => new AwsError("InvalidVolume.NotFound", `The volume '${id}' does not exist.`),
      )
    : [...region.volumes.values()];
  const all = candidates.filter((v) => matches(filters, v.tags, volumeFields(v, state.env.accountId)));
  const { page, nextToken } = pageByOffset("vol", all, ctx);
  return ec2Response(
    "DescribeVolumes",
    ctx.requestId,
    list("volumeSet", "item", page, (v) => volumeXml(v)) + leaf("nextToken", nextToken),
  );
}

function instanceFields(i: Instance, ownerId: string) {
  return (name: string): string[] | undefined => {
    switch (name) {
      case "instance-id":
        return [i.id];
      case "instance-state-name":
        return [i.state];
      case "instance-type":
        return [i.instanceType];
      case "launch-time":
        return [i.launchTime.toISOString()];
      case "instance-state-code":
        return [i.state === "running" ? "16" : "80"];
      case "availability-zone":
        return [i.availabilityZone];
      case "outpost-arn":
        return i.outpostArn ? [i.outpostArn] : [];
      case "block-device-mapping.volume-id":
        return i.volumeIds;
      case "owner-id":
        return [ownerId];
      default:
        return undefined;
    }
  };
}

export function describeInstances(state: Ec2State, region: Ec2Region, ctx: RequestContext): string {
  noIdsWithMaxResults(ctx, "InstanceId", "instance");
  const ids = strings(ctx.form, "InstanceId");
  const filters = parseFilters(ctx.form);
  const candidates = ids.length
    ? byIds(
        ids,
        region.instances,
        (id) => new AwsError("InvalidInstanceID.NotFound", `The instance ID '${id}' does not exist`),
      )
    : [...region.instances.values()];
  const all = candidates.filter((i) => matches(filters, i.tags, instanceFields(i, state.env.accountId)));
  const { page, nextToken } = pageByOffset("inst", all, ctx);
  // One reservation per instance, as if each had been launched by its own RunInstances call.
  const reservations = list("reservationSet", "item", page, (i) => {
    return (
      leaf("reservationId", `r-${i.id.slice(2)}`) +
      leaf("ownerId", state.env.accountId) +
      "<groupSet/>" +
      list("instancesSet", "item", [i], (x) => instanceXml(x, region.volumes))
    );
  });
  return ec2Response("DescribeInstances", ctx.requestId, reservations + leaf("nextToken", nextToken));
}

/** OwnerIds: `self` and our account id mean ours; any other owner (amazon, other accounts) owns nothing here. */
function ownerAllowed(ctx: RequestContext, accountId: string, param: string): boolean {
  const owners = strings(ctx.form, param);
  return owners.length === 0 || owners.some((o) => o === "self" || o === accountId);
}

function snapshotFields(s: Snapshot, ownerId: string, nowMs: number) {
  return (name: string): string[] | undefined => {
    switch (name) {
      case "snapshot-id":
        return [s.id];
      case "volume-id":
        return [s.volumeId];
      case "status":
        return [snapshotState(s, nowMs)];
      case "owner-id":
        return [ownerId];
      // No `outpost-arn`: DescribeSnapshots does not document it (the OutpostArn field is returned).
      case "description":
        return [s.description];
      case "encrypted":
        return [String(s.encrypted)];
      case "start-time":
        return [s.startTime.toISOString()];
      case "volume-size":
        return [String(s.volumeSize)];
      case "storage-tier":
        return ["standard"];
      default:
        return undefined;
    }
  };
}

/**
 * Pages over creation order from the token's position, filtering as it goes, so walking all pages
 * of a 100,000-snapshot region costs one pass in total.
 */
export function describeSnapshots(state: Ec2State, region: Ec2Region, ctx: RequestContext): string {
  const accountId = state.env.accountId;
  const nowMs = ctx.clock.nowMs();
  const max = maxResults(ctx);
  const ids = strings(ctx.form, "SnapshotId");
  const filters: Filter[] = parseFilters(ctx.form);
  const owned = ownerAllowed(ctx, accountId, "Owner");
  const keep = (s: Snapshot) => owned && matches(filters, s.tags, snapshotFields(s, accountId, nowMs));

  let page: Snapshot[] = [];
  let nextToken: string | undefined;
  if (ids.length > 0) {
    // Named by id, a snapshot still inside the eventual-consistency window does not exist yet.
    const found = ids
      .map((id) => {
        const s = visibleSnapshot(region, id, nowMs);
        if (!s) throw new AwsError("InvalidSnapshot.NotFound", `The snapshot '${id}' does not exist.`);
        return s;
      })
      .filter(keep);
    const r = pageByOffset("snapid", found, ctx);
    page = r.page;
    nextToken = r.nextToken;
  } else {
    const order = region.snapshotOrder;
    let i = region.indexFromSeq(decodeToken("snap", str(ctx.form, "NextToken")));
    const limit = max ?? Number.POSITIVE_INFINITY;
    for (; i < order.length && page.length < limit; i++) {
      const s = order[i] as Snapshot;
      if (!s.deleted && snapshotVisible(s, nowMs) && keep(s)) page.push(s);
    }
    // Only promise another page if one exists: skip ahead to the next match (bounded by the scan we'd do anyway).
    for (; i < order.length; i++) {
      const s = order[i] as Snapshot;
      if (!s.deleted && snapshotVisible(s, nowMs) && keep(s)) {
        nextToken = encodeToken("snap", s.seq);
        break;
      }
    }
  }
  return ec2Response(
    "DescribeSnapshots",
    ctx.requestId,
    list("snapshotSet", "item", page, (s) => snapshotXml(s, accountId, nowMs)) + leaf("nextToken", nextToken),
  );
}

function imageFields(img: Image, ownerId: string) {
  return (name: string): string[] | undefined => {
    switch (name) {
      case "image-id":
        return [img.id];
      case "name":
        return [img.name];
      case "block-device-mapping.snapshot-id":
        return img.snapshotIds;
      case "owner-id":
        return [ownerId];
      case "state":
        return ["available"];
      case "is-public":
        return ["false"];
      default:
        return undefined;
    }
  };
}

export function describeImages(state: Ec2State, region: Ec2Region, ctx: RequestContext): string {
  const accountId = state.env.accountId;
  const ids = strings(ctx.form, "ImageId");
  const filters = parseFilters(ctx.form);
  const owned = ownerAllowed(ctx, accountId, "Owner");
  const candidates = ids.length
    ? byIds(
        ids,
        region.images,
        (id) => new AwsError("InvalidAMIID.NotFound", `The image id '[${id}]' does not exist`),
      )
    : [...region.images.values()];
  const all = candidates.filter((img) => owned && matches(filters, img.tags, imageFields(img, accountId)));
  const { page, nextToken } = pageByOffset("img", all, ctx);
  return ec2Response(
    "DescribeImages",
    ctx.requestId,
    list("imagesSet", "item", page, (img) => imageXml(img, accountId, region.snapshots)) +
      leaf("nextToken", nextToken),
  );
}
