import { DescribeSnapshotsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { mockClient } from "aws-sdk-client-mock";
// Types for the matchers test/setup.ts registers.
import type {} from "aws-sdk-client-mock-vitest/extend";
import { afterEach, describe, expect, it } from "vitest";
import { groupKeyOf, prepareSnapshotBatch } from "../../src/jobs/snapshot-batch.ts";
import type { Pacer } from "../../src/pacing.ts";
import { Tag } from "../../src/tags.ts";
import {
  awsError,
  clients,
  countingPacer,
  dbItem,
  instanceItem,
  listedSnapshot,
  volumeItem,
  WINDOW,
} from "./snapshot-fixtures.ts";

const ec2Mock = mockClient(EC2Client);

afterEach(() => {
  ec2Mock.reset();
});

const filterValues = (name: string) =>
  ec2Mock
    .commandCalls(DescribeSnapshotsCommand)
    .map((c) => c.args[0].input.Filters?.find((f) => f.Name === name)?.Values);

describe("Function: prepareSnapshotBatch", () => {
  it("makes one paced lookup per policy window for all its sources, none for RDS items", async () => {
    // Prepare
    const a = volumeItem("vol-0000000000000000a");
    const b = volumeItem("vol-0000000000000000b");
    const other = volumeItem("vol-0000000000000000c", "other-policy");
    ec2Mock.on(DescribeSnapshotsCommand).resolves({
      Snapshots: [listedSnapshot("snap-b", "vol-0000000000000000b", "completed")],
    });
    const pacer: Pacer & { taken: number } = countingPacer();

    // Act
    const batch = await prepareSnapshotBatch(clients(), [a, b, a, other, instanceItem, dbItem], {
      lookupPacer: pacer,
    });

    // Assess
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeSnapshotsCommand, 3);
    expect(pacer.taken).toBe(3);
    expect(filterValues(`tag:${Tag.policy}`)).toEqual([
      ["line-volumes"],
      ["other-policy"],
      ["clinic-servers"],
    ]);
    expect(filterValues(`tag:${Tag.window}`)).toEqual([[WINDOW], [WINDOW], [WINDOW]]);
    expect(filterValues(`tag:${Tag.source}`)).toEqual([
      ["vol-0000000000000000a", "vol-0000000000000000b"],
      ["vol-0000000000000000c"],
      undefined,
    ]);
    expect(filterValues(`tag:${Tag.instance}`)).toEqual([undefined, undefined, ["i-0123456789abcdef0"]]);
    expect(batch.groups.get(groupKeyOf(a))?.listed.get("vol-0000000000000000b")).toEqual([
      { id: "snap-b", state: "completed" },
    ]);
    expect(batch.groups.has(groupKeyOf(dbItem))).toBe(false);
  });

  it("records a failed lookup on its group instead of throwing", async () => {
    // Prepare
    const error = awsError("UnauthorizedOperation", 403);
    ec2Mock.on(DescribeSnapshotsCommand).rejects(error);
    const a = volumeItem();

    // Act
    const batch = await prepareSnapshotBatch(clients(), [a]);

    // Assess
    expect(batch.groups.get(groupKeyOf(a))?.error).toBe(error);
  });
});
