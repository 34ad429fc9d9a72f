/**
 * The drill's AWS clients: the product's (core's clientConfig: standard retry mode, 8 attempts, its
 * timeouts) pointed at the sandbox, with one difference: the SDK's backoff between attempts is a
 * millisecond instead of up to 20 seconds of wall clock. The sandbox's faults are random rates, not
 * buckets that refill while a client waits, and its clock does not move while the SDK sleeps, so the
 * wait changes nothing the drill shows; it only made the day-2 incident cost tens of seconds. Which
 * errors are retried, how often, and the retry quota stay the SDK's standard mode's.
 */
import { type AwsClients, type ClientClass, clientConfig, MAX_ATTEMPTS } from "@outpost-ops/core/aws/clients";
import { OutpostOpsError } from "@outpost-ops/core/errors";
import type { AwsCredentialIdentity } from "@smithy/types";
import { ConfiguredRetryStrategy } from "@smithy/util-retry";

/** Wall-clock backoff per attempt (ms). */
const BACKOFF_MS = 1;

/**
 * The SDK's logger middleware filters every command's input and output for sensitive fields before it
 * calls `logger.info`, even when that is a no-op (the default NoOpLogger); a logger without `info` skips
 * it (about a tenth of the drill's CPU). Like the default, it prints nothing: errors reach the code as
 * exceptions.
 */
const QUIET_LOGGER = { debug: () => {}, trace: () => {}, warn: () => {}, error: () => {} };

/**
 * @example const clients = drillClients({ endpoint: sandbox.endpoint, credentials })
 */
export function drillClients(options: {
  endpoint: string;
  credentials: AwsCredentialIdentity;
  /**
   * Wall-clock backoff before retry `attempt` (default 1 ms). The benchmarks, whose buckets do
   * refill while a client waits, give the standard mode's own backoff divided by their time scale.
   */
  backoffMs?: (attempt: number) => number;
}): AwsClients {
  const backoff = options.backoffMs ?? ((attempt: number) => attempt * BACKOFF_MS);
  const cache = new Map<ClientClass<unknown>, Map<string, unknown>>();
  return {
    get<C>(Class: ClientClass<C>, target: string | { region: string; account?: string }): C {
      const region = typeof target === "string" ? target : target.region;
      if (typeof target !== "string" && target.account !== undefined)
        throw new OutpostOpsError(`The drill runs in one account; no clients for account ${target.account}.`);
      let perClass = cache.get(Class);
      if (!perClass) {
        perClass = new Map();
        cache.set(Class, perClass);
      }
      let client = perClass.get(region) as C | undefined;
      if (!client) {
        client = new Class({
          ...clientConfig(region, {
            endpoint: options.endpoint,
            credentials: options.credentials,
            maxAttempts: MAX_ATTEMPTS,
          }),
          retryStrategy: new ConfiguredRetryStrategy(MAX_ATTEMPTS, backoff),
          logger: QUIET_LOGGER,
        });
        perClass.set(region, client);
      }
      return client;
    },
  };
}
