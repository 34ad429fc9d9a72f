import { DescribeKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../src/index.ts";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const START = new Date("2024-05-01T00:00:00Z");
const KEY = "1234abcd-12ab-34cd-56ef-1234567890ab";
const DR_KEY = "0987dcba-09fe-87dc-65ba-ab0987654321";
let sb: Sandbox;
let kms: KMSClient;
let dr: KMSClient;

beforeAll(async () => {
  sb = await startSandbox({ startTime: START });
  kms = new KMSClient({ region: "us-west-2", endpoint: sb.endpoint, credentials, maxAttempts: 1 });
  dr = new KMSClient({ region: "us-east-1", endpoint: sb.endpoint, credentials, maxAttempts: 1 });
  sb.seed({
    kmsKeys: [
      { region: "us-west-2", id: KEY, aliases: ["alias/snapshots"], description: "EBS snapshots" },
      { region: "us-east-1", id: DR_KEY, aliases: ["dr-copies"], enabled: false },
      { region: "us-east-1", id: "11111111-2222-3333-4444-555555555555", keyState: "PendingDeletion" },
    ],
  });
});

afterEach(() => sb.faults.clear());

afterAll(async () => {
  kms.destroy();
  dr.destroy();
  await sb.close();
});

describe("Sandbox: KMS DescribeKey", () => {
  it("describes a seeded key by key id, key ARN, alias name and alias ARN", async () => {
    // Act
    const forms = [
      KEY,
      `arn:aws:kms:us-west-2:123456789012:key/${KEY}`,
      "alias/snapshots",
      "arn:aws:kms:us-west-2:123456789012:alias/snapshots",
    ];
    const answers = await Promise.all(forms.map((KeyId) => kms.send(new DescribeKeyCommand({ KeyId }))));
    // Assess
    for (const a of answers) {
      expect(a.KeyMetadata).toEqual({
        AWSAccountId: "123456789012",
        KeyId: KEY,
        Arn: `arn:aws:kms:us-west-2:123456789012:key/${KEY}`,
        CreationDate: START,
        Enabled: true,
        Description: "EBS snapshots",
        KeyUsage: "ENCRYPT_DECRYPT",
        KeyState: "Enabled",
        Origin: "AWS_KMS",
        KeyManager: "CUSTOMER",
        CustomerMasterKeySpec: "SYMMETRIC_DEFAULT",
        KeySpec: "SYMMETRIC_DEFAULT",
        EncryptionAlgorithms: ["SYMMETRIC_DEFAULT"],
        MultiRegion: false,
      });
    }
  });

  it("answers KeyState and Enabled as seeded, with a DeletionDate for a key pending deletion", async () => {
    const disabled = await dr.send(new DescribeKeyCommand({ KeyId: "alias/dr-copies" }));
    const pending = await dr.send(new DescribeKeyCommand({ KeyId: "11111111-2222-3333-4444-555555555555" }));
    expect(disabled.KeyMetadata).toMatchObject({ KeyId: DR_KEY, Enabled: false, KeyState: "Disabled" });
    expect(pending.KeyMetadata).toMatchObject({ Enabled: false, KeyState: "PendingDeletion" });
    expect(pending.KeyMetadata?.DeletionDate).toEqual(new Date(START.getTime() + 30 * 86_400_000));
  });

  it("answers NotFoundException for unknown keys and aliases, and for keys of another region", async () => {
    await expect(kms.send(new DescribeKeyCommand({ KeyId: DR_KEY }))).rejects.toMatchObject({
      name: "NotFoundException",
      message: `Key 'arn:aws:kms:us-west-2:123456789012:key/${DR_KEY}' does not exist`,
      $metadata: { httpStatusCode: 400 },
    });
    await expect(
      kms.send(new DescribeKeyCommand({ KeyId: `arn:aws:kms:us-east-1:123456789012:key/${DR_KEY}` })),
    ).rejects.toMatchObject({ name: "NotFoundException" });
    await expect(kms.send(new DescribeKeyCommand({ KeyId: "alias/nope" }))).rejects.toMatchObject({
      name: "NotFoundException",
      message: "Alias arn:aws:kms:us-west-2:123456789012:alias/nope is not found.",
    });
    await expect(kms.send(new DescribeKeyCommand({ KeyId: "" }))).rejects.toMatchObject({
      name: "ValidationException",
    });
  });

  it("creates the AWS managed key for a predefined alias/aws/* alias on first use, then keeps it", async () => {
    const first = await dr.send(new DescribeKeyCommand({ KeyId: "alias/aws/ebs" }));
    const again = await dr.send(new DescribeKeyCommand({ KeyId: first.KeyMetadata?.KeyId }));
    const west = await kms.send(new DescribeKeyCommand({ KeyId: "alias/aws/ebs" }));
    expect(first.KeyMetadata).toMatchObject({ KeyManager: "AWS", KeyState: "Enabled", Enabled: true });
    expect(first.KeyMetadata?.Arn).toBe(`arn:aws:kms:us-east-1:123456789012:key/${first.KeyMetadata?.KeyId}`);
    expect(again.KeyMetadata?.Arn).toBe(first.KeyMetadata?.Arn);
    expect(west.KeyMetadata?.KeyId).not.toBe(first.KeyMetadata?.KeyId); // one per region
  });

  it("throttles and fails under fault rules for service kms", async () => {
    sb.faults.set({ service: "kms", throttleRate: 1 });
    await expect(kms.send(new DescribeKeyCommand({ KeyId: KEY }))).rejects.toMatchObject({
      name: "ThrottlingException",
    });
    sb.faults.clear();
    sb.faults.set({ service: "kms", operation: "DescribeKey", serverErrorRate: 1 });
    const names = new Set<string>();
    for (let i = 0; i < 2; i++) {
      names.add(
        ((await kms.send(new DescribeKeyCommand({ KeyId: KEY })).catch((e: Error) => e)) as Error).name,
      );
    }
    expect(names).toEqual(new Set(["KMSInternalException", "DependencyTimeoutException"]));
  });
});
