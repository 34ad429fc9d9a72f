/**
 * Builds per-region AWS clients from the client classes a caller passes in. A Lambda names only the
 * clients it calls, so its bundle leaves the others out: the EC2 client alone is ~1.5 MB and ~220 ms
 * of cold start (PRODUCT.md, "Realities"), which an alarm relay that only publishes to SNS should not pay.
 *
 * Every client shares one retry policy: the SDK's adaptive retry mode (client-side rate limiting that
 * backs off on throttling) with more attempts than the default 3, because our workers run below the
 * API's token buckets and a throttle is transient, not a failure. The endpoint comes from the SDK's
 * own resolution (AWS_ENDPOINT_URL, AWS_PROFILE, AWS_REGION) unless a caller overrides it.
 */
import type { EC2Client } from "@aws-sdk/client-ec2";
import type { RDSClient } from "@aws-sdk/client-rds";
import type { SNSClient } from "@aws-sdk/client-sns";
import type { SQSClient } from "@aws-sdk/client-sqs";
import { OutpostOpsError } from "../errors.ts";

export interface ClientOptions {
  /** Overrides the SDK's endpoint resolution (tests); normally leave unset and use AWS_ENDPOINT_URL. */
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Total attempts per call, first one included. */
  maxAttempts?: number;
  /** Milliseconds before a silent response is abandoned (and retried). */
  requestTimeoutMs?: number;
}

export interface AwsClients {
  ec2(region: string): EC2Client;
  rds(region: string): RDSClient;
  sqs(region: string): SQSClient;
  sns(region: string): SNSClient;
}

type ClientClass<C> = new (config: Record<string, unknown>) => C;
export interface ClientClasses {
  ec2?: ClientClass<EC2Client>;
  rds?: ClientClass<RDSClient>;
  sqs?: ClientClass<SQSClient>;
  sns?: ClientClass<SNSClient>;
}

export function clientConfig(region: string, options: ClientOptions): Record<string, unknown> {
  return {
    region,
    retryMode: "adaptive",
    maxAttempts: options.maxAttempts ?? 8,
    requestHandler: {
      requestTimeout: options.requestTimeoutMs ?? 20_000,
      throwOnRequestTimeout: true,
      connectionTimeout: 5_000,
    },
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  };
}

/**
 * Clients per region, created on first use and reused (each holds a connection pool).
 * @example const clients = regionalClients({ sns: SNSClient }); clients.sns("us-west-2")
 */
export function regionalClients(classes: ClientClasses, options: ClientOptions = {}): AwsClients {
  const cache = new Map<string, unknown>();
  const get = <C>(name: keyof ClientClasses, region: string): C => {
    const Class = classes[name] as ClientClass<C> | undefined;
    if (!Class)
      throw new OutpostOpsError(
        `No ${name} client was configured for this function; add it to the classes its runtime passes to regionalClients.`,
      );
    const key = `${name}:${region}`;
    let client = cache.get(key) as C | undefined;
    if (!client) {
      client = new Class(clientConfig(region, options));
      cache.set(key, client);
    }
    return client;
  };
  return {
    ec2: (region) => get("ec2", region),
    rds: (region) => get("rds", region),
    sqs: (region) => get("sqs", region),
    sns: (region) => get("sns", region),
  };
}
