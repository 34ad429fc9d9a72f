import { vcpusOf } from "../instance-types.ts";
import { leaf, list, node, tagItems } from "../xml.ts";
import {
  type Image,
  type Instance,
  type Snapshot,
  snapshotProgress,
  snapshotState,
  type Volume,
} from "./model.ts";

/** EC2 (ec2Query) answers `<XResponse xmlns=...><requestId/>...</XResponse>`; lists use `<item>`. */
export function ec2Response(action: string, requestId: string, inner: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">${leaf("requestId", requestId)}${inner}</${action}Response>`;
}

export const tagSet = (tags: ReadonlyMap<string, string>) =>
  node("tagSet", tagItems(tags, "item", "key", "value"));

export function volumeXml(v: Volume, ownerSnapshotId?: string): string {
  return (
    leaf("volumeId", v.id) +
    leaf("size", v.sizeGiB) +
    leaf("snapshotId", ownerSnapshotId ?? "") +
    leaf("availabilityZone", v.availabilityZone) +
    leaf("status", v.attachments.length > 0 ? "in-use" : "available") +
    leaf("createTime", v.createTime) +
    list("attachmentSet", "item", v.attachments, (a) =>
      [
        leaf("volumeId", v.id),
        leaf("instanceId", a.instanceId),
        leaf("device", a.device),
        leaf("status", "attached"),
        leaf("attachTime", v.createTime),
        leaf("deleteOnTermination", false),
      ].join(""),
    ) +
    leaf("volumeType", v.type) +
    (v.type === "gp3" ? leaf("iops", 3000) + leaf("throughput", 125) : "") +
    tagSet(v.tags) +
    leaf("encrypted", false) +
    leaf("multiAttachEnabled", false) +
    leaf("outpostArn", v.outpostArn)
  );
}

export function snapshotXml(s: Snapshot, ownerId: string, nowMs: number): string {
  const state = snapshotState(s, nowMs);
  return (
    leaf("snapshotId", s.id) +
    leaf("volumeId", s.volumeId) +
    leaf("status", state) +
    // DescribeSnapshots' StateMessage (wire name statusMessage): why an (encrypted) copy failed.
    leaf("statusMessage", state === "error" ? s.failure : undefined) +
    leaf("startTime", s.startTime) +
    leaf("progress", snapshotProgress(s, nowMs)) +
    leaf("ownerId", ownerId) +
    leaf("volumeSize", s.volumeSize) +
    leaf("description", s.description) +
    leaf("encrypted", s.encrypted) +
    leaf("kmsKeyId", s.kmsKeyId) +
    leaf("outpostArn", s.outpostArn) +
    leaf("storageTier", "standard") +
    leaf("transferType", s.transferType) +
    leaf("completionDurationMinutes", s.completionDurationMinutes) +
    // AWS reports when a completed snapshot finished (API Reference DescribeSnapshots example); seeded
    // completed snapshots have no recorded completion, so their start time stands in.
    (state === "completed" ? leaf("completionTime", new Date(s.completeAtMs ?? s.startTime.getTime())) : "") +
    tagSet(s.tags)
  );
}

/** CreateSnapshots answers SnapshotInfo items, which name the state `state` rather than `status`. */
export function snapshotInfoXml(s: Snapshot, ownerId: string, nowMs: number): string {
  return (
    leaf("description", s.description) +
    tagSet(s.tags) +
    leaf("encrypted", s.encrypted) +
    leaf("volumeId", s.volumeId) +
    leaf("state", snapshotState(s, nowMs)) +
    leaf("volumeSize", s.volumeSize) +
    leaf("startTime", s.startTime) +
    leaf("progress", snapshotProgress(s, nowMs)) +
    leaf("ownerId", ownerId) +
    leaf("snapshotId", s.id) +
    leaf("outpostArn", s.outpostArn)
  );
}

export function instanceXml(i: Instance, volumes: ReadonlyMap<string, Volume>): string {
  const running = i.state === "running";
  return (
    leaf("instanceId", i.id) +
    leaf("imageId", "ami-0abcdef1234567890") +
    node("instanceState", leaf("code", running ? 16 : 80) + leaf("name", i.state)) +
    leaf("privateDnsName", "") +
    leaf("dnsName", "") +
    leaf("reason", "") +
    leaf("amiLaunchIndex", 0) +
    "<productCodes/>" +
    leaf("instanceType", i.instanceType) +
    leaf("launchTime", i.launchTime) +
    node(
      "placement",
      leaf("availabilityZone", i.availabilityZone) + leaf("groupName", "") + leaf("tenancy", "default"),
    ) +
    node("monitoring", leaf("state", "disabled")) +
    leaf("architecture", "x86_64") +
    leaf("rootDeviceType", "ebs") +
    leaf("rootDeviceName", i.rootDeviceName) +
    list("blockDeviceMapping", "item", i.volumeIds, (volumeId) => {
      const device =
        volumes.get(volumeId)?.attachments.find((a) => a.instanceId === i.id)?.device ?? i.rootDeviceName;
      return (
        leaf("deviceName", device) +
        node(
          "ebs",
          leaf("volumeId", volumeId) +
            leaf("status", "attached") +
            leaf("attachTime", i.launchTime) +
            leaf("deleteOnTermination", true),
        )
      );
    }) +
    leaf("virtualizationType", "hvm") +
    tagSet(i.tags) +
    // `xen` stands for both Xen and Nitro; two threads per core, as the Nitro families have.
    leaf("hypervisor", "xen") +
    leaf("ebsOptimized", false) +
    node(
      "cpuOptions",
      leaf("coreCount", Math.max(1, vcpusOf(i.instanceType) / 2)) + leaf("threadsPerCore", 2),
    ) +
    leaf("outpostArn", i.outpostArn)
  );
}

export function imageXml(img: Image, ownerId: string, snapshots: ReadonlyMap<string, Snapshot>): string {
  return (
    leaf("imageId", img.id) +
    leaf("imageLocation", `${ownerId}/${img.name}`) +
    leaf("imageState", "available") +
    leaf("imageOwnerId", ownerId) +
    leaf("creationDate", img.creationDate) +
    leaf("isPublic", false) +
    leaf("architecture", "x86_64") +
    leaf("imageType", "machine") +
    leaf("name", img.name) +
    leaf("rootDeviceType", "ebs") +
    leaf("rootDeviceName", "/dev/xvda") +
    list("blockDeviceMapping", "item", img.snapshotIds, (snapshotId) => {
      const n = img.snapshotIds.indexOf(snapshotId);
      return (
        leaf("deviceName", n === 0 ? "/dev/xvda" : `/dev/sd${String.fromCharCode(102 + n - 1)}`) +
        node(
          "ebs",
          leaf("snapshotId", snapshotId) +
            leaf("volumeSize", snapshots.get(snapshotId)?.volumeSize ?? 8) +
            leaf("deleteOnTermination", true) +
            leaf("volumeType", "gp3") +
            leaf("encrypted", false),
        )
      );
    }) +
    leaf("virtualizationType", "hvm") +
    tagSet(img.tags)
  );
}
