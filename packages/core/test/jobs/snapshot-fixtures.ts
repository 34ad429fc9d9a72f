/** Shared by the snapshot job's tests: clients over mocks, work items, AWS-shaped errors, a fake clock. */
import type { Snapshot } from "@aws-sdk/client-ec2";
import { createClients } from "../../src/aws/clients.ts";
import type { Pacer, Sleeper } from "../../src/pacing.ts";
import type { SnapshotWorkItem } from "../../src/snapshot/work-item.ts";
import { Tag } from "../../src/tags.ts";

export const WINDOW = "2024-05-14T00:00Z";

/** Real clients (one attempt, unreachable endpoint), their send replaced by aws-sdk-client-mock. */
export const clients = () =>
  createClients({
    endpoint: "http://127.0.0.1:9",
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
    maxAttempts: 1,
  });

export function awsError(name: string, status = 400): Error {
  const error = new Error(`${name}: from AWS`);
  error.name = name;
  return Object.assign(error, { $metadata: { httpStatusCode: status } });
}

export const countingPacer = (): Pacer & { taken: number } => {
  const pacer = {
    taken: 0,
    take: () => {
      pacer.taken += 1;
      return Promise.resolve();
    },
  };
  return pacer;
};

/** A clock that only moves when slept on, recording each sleep. */
export function fakeClock(): Sleeper & { sleeps: number[] } {
  let t = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => t,
    sleep: async (ms) => {
      sleeps.push(ms);
      t += ms;
    },
  };
}

export function volumeItem(volumeId = "vol-0123456789abcdef0", policy = "line-volumes"): SnapshotWorkItem {
  return {
    kind: "ebs-volume",
    region: "us-west-2",
    policy,
    schedule: "daily",
    window: WINDOW,
    key: `${policy}/${volumeId}/${WINDOW}`,
    tags: [
      { Key: Tag.managed, Value: "true" },
      { Key: Tag.policy, Value: policy },
      { Key: Tag.source, Value: volumeId },
      { Key: Tag.window, Value: WINDOW },
    ],
    volumeId,
    description: "outpost-ops daily snapshot",
  };
}

export const instanceItem: SnapshotWorkItem = {
  kind: "ec2-instance",
  region: "us-west-2",
  policy: "clinic-servers",
  schedule: "daily",
  window: WINDOW,
  key: `clinic-servers/i-0123456789abcdef0/${WINDOW}`,
  tags: [{ Key: Tag.managed, Value: "true" }],
  instanceId: "i-0123456789abcdef0",
  description: "outpost-ops daily snapshot",
  excludeBootVolume: true,
  excludeDataVolumeIds: [],
  copyTagsFromVolumes: false,
};

export const dbItem: SnapshotWorkItem = {
  kind: "rds-instance",
  region: "us-west-2",
  policy: "orders",
  schedule: "daily",
  window: WINDOW,
  key: `orders/orders-db/${WINDOW}`,
  tags: [{ Key: Tag.managed, Value: "true" }],
  dbInstanceId: "orders-db",
  snapshotId: "oo-orders-orders-db-20240514t0000",
};

export const clusterItem: SnapshotWorkItem = {
  kind: "aurora-cluster",
  region: "us-west-2",
  policy: "inventory",
  schedule: "daily",
  window: WINDOW,
  key: `inventory/inventory/${WINDOW}`,
  tags: [{ Key: Tag.managed, Value: "true" }],
  clusterId: "inventory",
  snapshotId: "oo-inventory-inventory-20240514t0000",
};

/** A window snapshot of a volume as DescribeSnapshots lists it, with our tags. */
export function listedSnapshot(
  id: string,
  volumeId: string,
  state: Snapshot["State"] = "pending",
  policy = "line-volumes",
): Snapshot {
  return {
    SnapshotId: id,
    VolumeId: volumeId,
    State: state,
    Tags: [
      { Key: Tag.managed, Value: "true" },
      { Key: Tag.policy, Value: policy },
      { Key: Tag.source, Value: volumeId },
      { Key: Tag.window, Value: WINDOW },
    ],
  };
}
