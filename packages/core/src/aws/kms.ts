/**
 * The destination keys' health, checked before copies are started with them: a key that is missing,
 * disabled, pending deletion or not in the destination Region would fail every copy (EBS only hours
 * later, asynchronously), so one DescribeKey per key and run stops them up front.
 */
import { DescribeKeyCommand, type KMSClient } from "@aws-sdk/client-kms";
import type { KeyHealth } from "../copy/plan.ts";
import { classifyAwsError, errorCode, errorMessage } from "./errors.ts";

/** What to do about each problem, in the alert and in `status`. */
const FIX = {
  missing:
    "create the key in the destination Region (or correct copy.kmsKeyArn, or the copy.alsoTo entry's, in outpost-ops.config.ts) and redeploy",
  disabled: "enable the key (aws kms enable-key --key-id KEY --region REGION)",
  deletion: "cancel its deletion (aws kms cancel-key-deletion) and enable it, or name another key",
  denied:
    "allow the copy function's role to use the key: key policy or grant for kms:DescribeKey, kms:CreateGrant, kms:GenerateDataKeyWithoutPlaintext, kms:ReEncrypt* and kms:Decrypt",
} as const;

/**
 * `denied` says what an AccessDenied from DescribeKey means: for the copy function, whose role is
 * granted kms:DescribeKey on the key, that the key policy shuts it out (copies would fail too:
 * unusable); for an operator running `status`, only that they may not look (unknown).
 * @example const health = await keyHealth(kms, "arn:aws:kms:us-east-1:123456789012:key/…", "us-east-1")
 */
export async function keyHealth(
  kms: KMSClient,
  arn: string,
  region: string,
  denied: "unusable" | "unknown" = "unusable",
): Promise<KeyHealth> {
  const keyRegion = arn.split(":")[3];
  if (keyRegion !== region)
    return {
      arn,
      usable: false,
      problem: `KMS key ${arn} is in ${keyRegion}, not in the destination Region ${region}: KMS keys are regional; name a key of ${region} in copy.kmsKeyArn (or its copy.alsoTo entry)`,
    };
  try {
    const out = await kms.send(new DescribeKeyCommand({ KeyId: arn }));
    const state = out.KeyMetadata?.KeyState ?? "Unknown";
    if (state === "Enabled") return { arn, usable: true };
    const fix = state === "PendingDeletion" ? FIX.deletion : FIX.disabled;
    return { arn, usable: false, problem: `KMS key ${arn} in ${region} is ${state}: ${fix}` };
  } catch (error) {
    // A throttled or failed check says nothing about the key: let the copies find out.
    if (classifyAwsError(error) === "retry-later") return { arn, usable: true };
    const isDenied = /AccessDenied/.test(errorCode(error));
    if (isDenied && denied === "unknown")
      return { arn, usable: true, unknown: true, problem: `not checked: ${errorMessage(error)}` };
    const fix = isDenied ? FIX.denied : FIX.missing;
    return { arn, usable: false, problem: `KMS key ${arn} in ${region}: ${errorMessage(error)}; ${fix}` };
  }
}

/** The problem to report when a copy itself says the key is unusable (no grant, disabled since). */
export function keyRefused(arn: string, region: string, detail: string): KeyHealth {
  return {
    arn,
    usable: false,
    problem: `KMS key ${arn} in ${region} refused the copy (${detail}): ${FIX.denied}, and check it is enabled`,
  };
}

/**
 * Whether a refused or failed copy says the DESTINATION key is the problem: RDS's
 * KMSKeyNotAccessibleFault (the only key it is given is ours), or a message naming our key. A
 * message about some other key (a source encrypted with a key we cannot decrypt) does not block ours.
 * @example isDestinationKeyProblem("KMSKeyNotAccessibleFault", "…", arn) // true
 */
export function isDestinationKeyProblem(code: string, message: string, keyArn: string): boolean {
  if (code === "KMSKeyNotAccessibleFault") return true;
  const keyId = keyArn.split("/").pop() ?? keyArn;
  return message.includes(keyArn) || message.includes(keyId);
}
