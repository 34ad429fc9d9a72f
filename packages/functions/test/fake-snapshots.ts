/**
 * An EC2 double for the workers' tests: CreateSnapshot remembers the snapshot with the tags it was
 * created with, and DescribeSnapshots lists the remembered ones that match its tag filters, as EC2
 * does. New snapshots can be kept unlisted for a while, as EC2's eventual consistency may.
 */
import {
  CreateSnapshotCommand,
  type CreateSnapshotCommandInput,
  DescribeSnapshotsCommand,
  type DescribeSnapshotsCommandInput,
  type EC2Client,
  type Snapshot,
} from "@aws-sdk/client-ec2";
import type { AwsClientStub } from "aws-sdk-client-mock";

export interface FakeSnapshots {
  /** Every snapshot created or seeded, listed or not. */
  all: { snapshot: Snapshot; listed: boolean }[];
  /** Snapshots created from now on stay unlisted until `listAll`. */
  hideNew(): void;
  listAll(): void;
  seed(snapshot: Snapshot): void;
}

function matches(snapshot: Snapshot, input: DescribeSnapshotsCommandInput): boolean {
  return (input.Filters ?? []).every((f) => {
    if (!f.Name?.startsWith("tag:")) return true;
    const value = snapshot.Tags?.find((t) => t.Key === f.Name?.slice(4))?.Value;
    return value !== undefined && (f.Values ?? []).includes(value);
  });
}

export function fakeSnapshots(ec2Mock: AwsClientStub<EC2Client>): FakeSnapshots {
  let hidden = false;
  let n = 0;
  const fake: FakeSnapshots = {
    all: [],
    hideNew: () => {
      hidden = true;
    },
    listAll: () => {
      for (const s of fake.all) s.listed = true;
      hidden = false;
    },
    seed: (snapshot) => {
      fake.all.push({ snapshot, listed: true });
    },
  };
  ec2Mock.on(CreateSnapshotCommand).callsFake((input: CreateSnapshotCommandInput) => {
    const id = `snap-${String(++n).padStart(17, "0")}`;
    const tags = input.TagSpecifications?.flatMap((t) => t.Tags ?? []) ?? [];
    fake.all.push({
      snapshot: { SnapshotId: id, VolumeId: input.VolumeId, State: "pending", Tags: tags },
      listed: !hidden,
    });
    return { SnapshotId: id };
  });
  ec2Mock.on(DescribeSnapshotsCommand).callsFake((input: DescribeSnapshotsCommandInput) => ({
    Snapshots: fake.all.filter((s) => s.listed && matches(s.snapshot, input)).map((s) => s.snapshot),
  }));
  return fake;
}
