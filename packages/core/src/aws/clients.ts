/**
 * AWS clients for any service, per account and Region, created on first use and reused (each holds
 * a connection pool). Callers name the client class where they call it (`clients.get(EC2Client,
 * region)`), so a Lambda bundle holds exactly the clients its code calls and no fixed interface has
 * to grow a method per service: the EC2 client alone is ~1.5 MB and ~220 ms of cold start
 * (PRODUCT.md, "Realities"), which an alarm relay that only publishes to SNS must not pay.
 *
 * Clients are keyed by account as well as Region. Today every call runs in the deployment's own
 * account (`account` omitted); a hub-and-spoke estate later passes the spoke's account and supplies
 * `credentialsFor` (an assumed role with an ExternalId), and no call site has to change shape.
 *
 * Every client shares one retry policy (see `clientConfig`). The endpoint comes from the SDK's own
 * resolution (AWS_ENDPOINT_URL, AWS_PROFILE, AWS_REGION) unless a caller overrides it.
 */
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { OutpostOpsError } from "../errors.ts";

/** Where a call goes: a Region, and the account (omitted: the deployment's own). */
export interface Where {
  region: string;
  account?: string;
}

/** The SDK's retry modes; `standard` is ours (see RETRY_MODE). */
export type RetryMode = "standard" | "adaptive";

export interface ClientOptions {
  /** Overrides the SDK's endpoint resolution (tests); normally leave unset and use AWS_ENDPOINT_URL. */
  endpoint?: string;
  credentials?: AwsCredentialIdentity;
  /** Credentials for another account (hub and spoke, later); the own account uses the default chain. */
  credentialsFor?: (account: string) => AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Total attempts per call, first one included. */
  maxAttempts?: number;
  /** Milliseconds before a silent response is abandoned (and retried). */
  requestTimeoutMs?: number;
  /** Called with `service:Command` for every command sent (the permission test records calls). */
  onCommand?: (call: { service: string; command: string; where: Where }) => void;
}

// biome-ignore lint/suspicious/noExplicitAny: any SDK v3 client class; its config type varies per service
export type ClientClass<C> = new (config: any) => C;

interface SdkClient {
  middlewareStack: {
    add(
      middleware: (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => unknown,
      options: { step: "initialize"; name: string },
    ): void;
  };
}

export interface AwsClients {
  /**
   * The client of `Class` for a Region (a string) or an account and Region.
   * @example await clients.get(EC2Client, "us-west-2").send(new DescribeVolumesCommand({}))
   */
  get<C>(Class: ClientClass<C>, where: string | Where): C;
}

/**
 * The SDK's `standard` mode: exponential backoff with jitter and a retry quota. Our workers already
 * pace themselves below the API's token buckets; `adaptive` adds a second, client-side limiter. With
 * 30% of EC2 calls throttled at random, the snapshot worker as deployed (two containers at 2.5/s)
 * made 4.88 items/s in `standard` mode (0.98 of the 5/s pacing ceiling) and 1.81 in `adaptive`
 * (0.36): the second limiter only costs throughput (`npm run bench -- --only retry`).
 * The figures behind this choice are in BENCHMARKS.md ("Retry modes").
 */
export const RETRY_MODE: RetryMode = "standard";
/** More than the default 3: a throttle below our own pacing is transient, not a failure. */
export const MAX_ATTEMPTS = 8;

export function clientConfig(region: string, options: ClientOptions & { retryMode?: RetryMode }) {
  return {
    region,
    retryMode: options.retryMode ?? RETRY_MODE,
    maxAttempts: options.maxAttempts ?? MAX_ATTEMPTS,
    requestHandler: {
      requestTimeout: options.requestTimeoutMs ?? 20_000,
      throwOnRequestTimeout: true,
      connectionTimeout: 5_000,
    },
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  };
}

/** `EC2Client` → `ec2`, `Route53Client` → `route53`: the prefix IAM actions use for most services. */
function serviceOf(Class: ClientClass<unknown>): string {
  return Class.name.replace(/Client$/, "").toLowerCase();
}

/**
 * @example const clients = createClients(); clients.get(SNSClient, "us-west-2")
 */
export function createClients(options: ClientOptions & { retryMode?: RetryMode } = {}): AwsClients {
  // By the class itself, not its name: two copies of one SDK client (SST pins an older EventBridge
  // client at the root of node_modules) must not share an entry.
  const cache = new Map<ClientClass<unknown>, Map<string, unknown>>();
  return {
    get<C>(Class: ClientClass<C>, target: string | Where): C {
      const where: Where = typeof target === "string" ? { region: target } : target;
      const key = `${where.account ?? "self"}:${where.region}`;
      let perClass = cache.get(Class);
      if (!perClass) {
        perClass = new Map();
        cache.set(Class, perClass);
      }
      let client = perClass.get(key) as C | undefined;
      if (client) return client;
      const config = clientConfig(where.region, options);
      if (where.account !== undefined) {
        if (!options.credentialsFor)
          throw new OutpostOpsError(
            `A call for account ${where.account} needs credentials for it, and this deployment has none configured (multi-account estates are not supported yet).`,
          );
        Object.assign(config, { credentials: options.credentialsFor(where.account) });
      }
      client = new Class(config);
      const record = options.onCommand;
      if (record) {
        const service = serviceOf(Class);
        (client as SdkClient).middlewareStack.add(
          (next, context) => (args: unknown) => {
            record({ service, command: (context.commandName ?? "").replace(/Command$/, ""), where });
            return next(args);
          },
          { step: "initialize", name: "outpostOpsRecordCommand" },
        );
      }
      perClass.set(key, client);
      return client;
    },
  };
}
