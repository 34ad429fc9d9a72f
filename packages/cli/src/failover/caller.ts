/**
 * Who is asking, for the audit: the caller's ARN from STS GetCallerIdentity, written into the state
 * record (`by=manual:<ARN>`) and the function's event. Best effort: CloudTrail records the invoking
 * principal anyway, so an STS that cannot be reached (a local endpoint, a network without it) must not
 * stop a failover; the run is then recorded as by "unknown".
 */
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import type { AwsClients } from "@outpost-ops/core/aws/clients";

/** The manual event's `requestedBy` holds at most 200 characters. */
const MAX_LENGTH = 200;
/** Long enough for STS anywhere; short enough that a missing endpoint does not hold up a failover. */
const TIMEOUT_MS = 5_000;

export async function callerArn(clients: AwsClients, region: string): Promise<string> {
  try {
    const out = await clients
      .get(STSClient, region)
      .send(new GetCallerIdentityCommand({}), { abortSignal: AbortSignal.timeout(TIMEOUT_MS) });
    return out.Arn ? out.Arn.slice(0, MAX_LENGTH) : "unknown";
  } catch {
    return "unknown";
  }
}
