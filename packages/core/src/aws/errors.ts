/**
 * How the jobs treat an AWS error once the SDK's own retries are spent. Rate and concurrency errors
 * are not failures: the work item goes back to the queue and runs again later. A quota that only a
 * person can raise (snapshots per Region, manual DB snapshots) is different: waiting does not clear
 * it, so it is its own class, failed at once and announced rather than retried for hours.
 */

export type ErrorClass = "retry-later" | "quota" | "gone" | "exists" | "in-use" | "fatal";

const RETRY_LATER = new Set([
  "RequestLimitExceeded",
  "Throttling",
  "ThrottlingException",
  "RequestThrottled",
  "TooManyRequestsException",
  "SnapshotCreationPerVolumeRateExceeded",
  "ConcurrentSnapshotLimitExceeded",
  // CopySnapshot's 20 concurrent copies per destination Region: clears as copies finish.
  "ResourceLimitExceeded",
  "InvalidDBInstanceState",
  "InvalidDBInstanceStateFault",
  "InvalidDBClusterStateFault",
  "InvalidDBSnapshotState",
  "InvalidDBSnapshotStateFault",
  "InvalidDBClusterSnapshotStateFault",
  "IncorrectState",
  "InternalError",
  "InternalFailure",
  "ServiceUnavailable",
  "Unavailable",
  "TimeoutError",
  "RequestTimeout",
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
]);

/**
 * Account quotas on how many snapshots may exist: EC2's SnapshotLimitExceeded (EBS snapshots per
 * Region) and RDS's SnapshotQuotaExceeded (manual DB instance or cluster snapshots, by the call).
 */
const QUOTA = new Set(["SnapshotLimitExceeded", "SnapshotQuotaExceeded", "SnapshotQuotaExceededFault"]);

const GONE = new Set([
  "InvalidSnapshot.NotFound",
  "InvalidVolume.NotFound",
  "InvalidInstanceID.NotFound",
  "DBSnapshotNotFound",
  "DBSnapshotNotFoundFault",
  "DBClusterSnapshotNotFoundFault",
  "DBInstanceNotFound",
  "DBInstanceNotFoundFault",
  "DBClusterNotFoundFault",
]);

const EXISTS = new Set([
  "DBSnapshotAlreadyExists",
  "DBSnapshotAlreadyExistsFault",
  "DBClusterSnapshotAlreadyExistsFault",
]);

/** The error code AWS sent (SDK v3 puts it in `name`), or the Node socket error code. */
export function errorCode(error: unknown): string {
  if (typeof error !== "object" || error === null) return String(error);
  const e = error as { name?: string; code?: string; Code?: string };
  return e.Code ?? (e.name && e.name !== "Error" ? e.name : undefined) ?? e.code ?? "Error";
}

/**
 * @example classifyAwsError({ name: "SnapshotCreationPerVolumeRateExceeded" }) // "retry-later"
 */
export function classifyAwsError(error: unknown): ErrorClass {
  const code = errorCode(error);
  if (RETRY_LATER.has(code)) return "retry-later";
  if (QUOTA.has(code)) return "quota";
  if (GONE.has(code)) return "gone";
  if (EXISTS.has(code)) return "exists";
  if (code === "InvalidSnapshot.InUse") return "in-use";
  const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return "retry-later";
  if ((error as { $retryable?: unknown })?.$retryable) return "retry-later";
  return "fatal";
}

const DENIED = /AccessDenied|UnauthorizedOperation|AuthFailure|NotAuthorized/;

/**
 * The reason code of a failure that waiting will not fix.
 * @example failureCode({ name: "UnauthorizedOperation" }) // "access-denied"
 */
export function failureCode(error: unknown): "access-denied" | "aws-error" {
  return DENIED.test(errorCode(error)) ? "access-denied" : "aws-error";
}

export function errorMessage(error: unknown): string {
  return `${errorCode(error)}: ${error instanceof Error ? error.message : String(error)}`;
}
