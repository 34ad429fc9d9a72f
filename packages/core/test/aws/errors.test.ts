import { EC2ServiceException } from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import { classifyAwsError, type ErrorClass, errorCode, errorMessage } from "../../src/aws/errors.ts";

/** An error shaped as SDK v3 throws it: the AWS code in `name`, HTTP details in `$metadata`. */
function awsError(code: string, status = 400, more: Record<string, unknown> = {}): Error {
  const error = new Error(`${code} happened`);
  error.name = code;
  return Object.assign(error, {
    $metadata: { httpStatusCode: status },
    $fault: status >= 500 ? "server" : "client",
    ...more,
  });
}

/** A Node socket error: name "Error", the code in `code`. */
function socketError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:9`), { code });
}

const RETRY_LATER_CODES = [
  // throttling
  "RequestLimitExceeded",
  "Throttling",
  "ThrottlingException",
  "RequestThrottled",
  "TooManyRequestsException",
  // EBS snapshot rate and concurrency
  "SnapshotCreationPerVolumeRateExceeded",
  "ConcurrentSnapshotLimitExceeded",
  "ResourceLimitExceeded",
  // RDS busy states
  "InvalidDBInstanceState",
  "InvalidDBInstanceStateFault",
  "InvalidDBClusterStateFault",
  "InvalidDBSnapshotState",
  "InvalidDBSnapshotStateFault",
  "InvalidDBClusterSnapshotStateFault",
  "IncorrectState",
  // service side
  "InternalError",
  "InternalFailure",
  "ServiceUnavailable",
  "Unavailable",
  // time-outs
  "TimeoutError",
  "RequestTimeout",
];

/** Account quotas that only a quota increase (or fewer snapshots) clears. */
const QUOTA_CODES = ["SnapshotLimitExceeded", "SnapshotQuotaExceeded", "SnapshotQuotaExceededFault"];

const GONE_CODES = [
  "InvalidSnapshot.NotFound",
  "InvalidVolume.NotFound",
  "InvalidInstanceID.NotFound",
  "DBSnapshotNotFound",
  "DBSnapshotNotFoundFault",
  "DBClusterSnapshotNotFoundFault",
  "DBInstanceNotFound",
  "DBInstanceNotFoundFault",
  "DBClusterNotFoundFault",
];

const EXISTS_CODES = [
  "DBSnapshotAlreadyExists",
  "DBSnapshotAlreadyExistsFault",
  "DBClusterSnapshotAlreadyExistsFault",
];

const FATAL_CODES = [
  "AccessDenied",
  "UnauthorizedOperation",
  "InvalidParameterValue",
  "KMSKeyNotAccessibleFault",
  "ValidationError",
];

describe("Function: classifyAwsError", () => {
  it.each(RETRY_LATER_CODES)("retries %s later", (code) => {
    // Act
    const kind = classifyAwsError(awsError(code));

    // Assess
    expect(kind).toBe<ErrorClass>("retry-later");
  });

  it.each(["ECONNRESET", "ECONNREFUSED", "EPIPE"])("retries the socket error %s later", (code) => {
    // Act
    const kind = classifyAwsError(socketError(code));

    // Assess
    expect(kind).toBe<ErrorClass>("retry-later");
  });

  it.each(QUOTA_CODES)("treats %s as a quota waiting cannot clear", (code) => {
    // Act
    const kind = classifyAwsError(awsError(code));

    // Assess
    expect(kind).toBe<ErrorClass>("quota");
  });

  it.each(GONE_CODES)("treats %s as gone", (code) => {
    // Act
    const kind = classifyAwsError(awsError(code));

    // Assess
    expect(kind).toBe<ErrorClass>("gone");
  });

  it.each(EXISTS_CODES)("treats %s as already existing", (code) => {
    // Act
    const kind = classifyAwsError(awsError(code));

    // Assess
    expect(kind).toBe<ErrorClass>("exists");
  });

  it("treats InvalidSnapshot.InUse as in use", () => {
    // Act
    const kind = classifyAwsError(awsError("InvalidSnapshot.InUse"));

    // Assess
    expect(kind).toBe<ErrorClass>("in-use");
  });

  it.each(FATAL_CODES)("treats %s (4xx, not retryable) as fatal", (code) => {
    // Act
    const kind = classifyAwsError(awsError(code, 403));

    // Assess
    expect(kind).toBe<ErrorClass>("fatal");
  });

  it.each([500, 502, 503, 504])("retries an unknown code with HTTP %i later", (status) => {
    // Act
    const kind = classifyAwsError(awsError("SomethingNew", status));

    // Assess
    expect(kind).toBe<ErrorClass>("retry-later");
  });

  it("treats an unknown code with HTTP 499 as fatal", () => {
    // Act
    const kind = classifyAwsError(awsError("SomethingNew", 499));

    // Assess
    expect(kind).toBe<ErrorClass>("fatal");
  });

  it("retries an error the SDK marked $retryable", () => {
    // Act
    const kind = classifyAwsError(awsError("SomethingNew", 400, { $retryable: { throttling: true } }));

    // Assess
    expect(kind).toBe<ErrorClass>("retry-later");
  });

  it("classifies a real SDK service exception by its name", () => {
    // Prepare
    const error = new EC2ServiceException({
      name: "InvalidSnapshot.NotFound",
      $fault: "client",
      $metadata: { httpStatusCode: 400 },
      message: "The snapshot 'snap-1' does not exist.",
    });

    // Act
    const kind = classifyAwsError(error);

    // Assess
    expect(kind).toBe<ErrorClass>("gone");
  });

  it.each([undefined, null, "boom", 42, new Error("plain")])("treats %s as fatal", (error) => {
    // Act
    const kind = classifyAwsError(error);

    // Assess
    expect(kind).toBe<ErrorClass>("fatal");
  });
});

describe("Function: errorCode", () => {
  it("reads the AWS code from name", () => {
    // Act & Assess
    expect(errorCode(awsError("RequestLimitExceeded"))).toBe("RequestLimitExceeded");
  });

  it("prefers an explicit Code over name", () => {
    // Act & Assess
    expect(
      errorCode(Object.assign(new Error("x"), { name: "ServiceException", Code: "InvalidVolume.NotFound" })),
    ).toBe("InvalidVolume.NotFound");
  });

  it("falls back to a Node socket code when name is the generic Error", () => {
    // Act & Assess
    expect(errorCode(socketError("ECONNRESET"))).toBe("ECONNRESET");
  });

  it("says Error for a plain error and stringifies non-objects", () => {
    // Act & Assess
    expect(errorCode(new Error("plain"))).toBe("Error");
    expect(errorCode("boom")).toBe("boom");
    expect(errorCode(null)).toBe("null");
    expect(errorCode(undefined)).toBe("undefined");
  });
});

describe("Function: errorMessage", () => {
  it("puts the code before the message", () => {
    // Act & Assess
    expect(errorMessage(awsError("AccessDenied", 403))).toBe("AccessDenied: AccessDenied happened");
    expect(errorMessage("boom")).toBe("boom: boom");
  });
});
