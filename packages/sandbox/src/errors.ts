/** An AWS error as a service would answer it; each protocol renders it in its own shape. */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    /** awsQuery `<Type>`: Sender for the caller's fault, Receiver for the service's. */
    readonly type: "Sender" | "Receiver" = status >= 500 ? "Receiver" : "Sender",
    /** SQS (awsQuery-compatible JSON) reports the legacy query code in `x-amzn-query-error`. */
    readonly queryCode?: string,
  ) {
    super(message);
    this.name = code;
  }
}

export type { ServiceId as ServiceName } from "./types.ts";

import type { ServiceId as ServiceName } from "./types.ts";

/** The errors each service answers when throttled, as AWS documents them. */
export function throttlingError(service: ServiceName): AwsError {
  switch (service) {
    case "ec2":
      return new AwsError("RequestLimitExceeded", "Request limit exceeded.", 503);
    case "sqs":
      return new AwsError("RequestThrottled", "Request is throttled.", 403, "Sender", "RequestThrottled");
    case "cloudwatch":
      return new AwsError("Throttling", "Rate exceeded", 400);
    case "outposts":
      return new AwsError("ThrottlingException", "Rate exceeded", 429);
    case "lambda":
      // Invoke documents TooManyRequestsException (429) for request-rate and concurrency limits.
      return new AwsError("TooManyRequestsException", "Rate Exceeded.", 429);
    case "events":
    case "kms":
      // Listed among EventBridge's and KMS's common errors (400).
      return new AwsError("ThrottlingException", "Rate exceeded", 400);
    default:
      return new AwsError("Throttling", "Rate exceeded", 400);
  }
}

export function serverError(service: ServiceName, alternate: boolean): AwsError {
  if (alternate && service === "kms") {
    // DescribeKey documents DependencyTimeoutException (503) as its retryable server fault.
    return new AwsError(
      "DependencyTimeoutException",
      "The system timed out while trying to fulfill the request.",
      503,
    );
  }
  if (service === "lambda") {
    // Lambda documents one 5xx of its own for Invoke: ServiceException (500).
    return new AwsError("ServiceException", "The service encountered an internal error.", 500);
  }
  if (alternate) {
    return new AwsError(
      service === "outposts" ? "InternalServerException" : "ServiceUnavailable",
      "Service is unavailable. Please try again shortly.",
      503,
    );
  }
  const codes: Partial<Record<ServiceName, string>> = {
    outposts: "InternalServerException",
    // PutEvents documents InternalException (500), DescribeKey KMSInternalException (500).
    events: "InternalException",
    kms: "KMSInternalException",
  };
  return new AwsError(
    codes[service] ?? "InternalError",
    "We encountered an internal error. Please try again.",
    500,
  );
}
