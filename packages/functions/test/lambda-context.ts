import type { Context } from "aws-lambda";

/**
 * A Lambda context for handler tests: the function `outpost-ops-test-<name>` in `region`, with
 * `remainingMs` left (the handlers plan their deadlines from it).
 * @example lambdaTestContext("failover", "us-east-1", 300_000)
 */
export function lambdaTestContext(name: string, region: string, remainingMs: number): Context {
  const functionName = name ? `outpost-ops-test-${name}` : "outpost-ops-test";
  return {
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:${region}:123456789012:function:${functionName}`,
    memoryLimitInMB: "512",
    awsRequestId: "req-1",
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: "stream",
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => remainingMs,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
