/**
 * One way to build AWS clients, so every job shares one retry policy: the SDK's adaptive retry mode
 * (client-side rate limiting that backs off on throttling) with more attempts than the default 3,
 * because our workers run below the API's token buckets and a throttle is transient, not a failure.
 * The endpoint comes from the SDK's own resolution (AWS_ENDPOINT_URL, AWS_PROFILE, AWS_REGION), so
 * the same code talks to AWS or to the sandbox.
 */
import { EC2Client } from "@aws-sdk/client-ec2";
import { RDSClient } from "@aws-sdk/client-rds";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";

export interface ClientOptions {
  /** Overrides the SDK's endpoint resolution (tests); normally leave unset and use AWS_ENDPOINT_URL. */
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Total attempts per call, first one included. */
  maxAttempts?: number;
  /** Milliseconds before a silent connection or response is abandoned and retried. */
  requestTimeoutMs?: number;
}

export interface AwsClients {
  ec2(region: string): EC2Client;
  rds(region: string): RDSClient;
  sqs(region: string): SQSClient;
  sns(region: string): SNSClient;
}

type ClientClass<C> = new (config: Record<string, unknown>) => C;

/**
 * Clients per region, created on first use and reused (each holds a connection pool).
 * @example const clients = createClients(); await clients.ec2("us-west-2").send(cmd)
 */
export function createClients(options: ClientOptions = {}): AwsClients {
  const config = (region: string) => ({
    region,
    retryMode: "adaptive",
    maxAttempts: options.maxAttempts ?? 8,
    requestHandler: { requestTimeout: options.requestTimeoutMs ?? 20_000, connectionTimeout: 5_000 },
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });
  const cache = new Map<string, unknown>();
  const get = <C>(Class: ClientClass<C>, name: string, region: string): C => {
    const key = `${name}:${region}`;
    let client = cache.get(key) as C | undefined;
    if (!client) {
      client = new Class(config(region));
      cache.set(key, client);
    }
    return client;
  };
  return {
    ec2: (region) => get(EC2Client as unknown as ClientClass<EC2Client>, "ec2", region),
    rds: (region) => get(RDSClient as unknown as ClientClass<RDSClient>, "rds", region),
    sqs: (region) => get(SQSClient as unknown as ClientClass<SQSClient>, "sqs", region),
    sns: (region) => get(SNSClient as unknown as ClientClass<SNSClient>, "sns", region),
  };
}
