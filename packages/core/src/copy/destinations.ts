/**
 * One destination's view of the config. The copy planner, recovery points, metrics, alarms, DR
 * retention and `status` all work on a single destination Region, and all read a policy's `copy` rule
 * for what to copy and with which key. So each is handed the config as seen from its destination:
 * the policies that copy there keep `copy` with that Region's key, the others lose it. One projection,
 * instead of every consumer learning about `alsoTo`.
 */
import { type Config, destinationsOf, type Policy } from "../config/index.ts";

/**
 * @example copyView(config, "eu-west-1").policies.filter((p) => p.copy) // the policies copying there
 */
export function copyView(config: Config, destination: string): Config {
  return { ...config, policies: config.policies.map((p) => policyIn(p, config, destination)) };
}

function policyIn(policy: Policy, config: Config, destination: string): Policy {
  const { copy, ...rest } = policy;
  const here = destinationsOf(policy, config).find((d) => d.region === destination);
  if (!copy || !here) return rest;
  return { ...rest, copy: { ...copy, kmsKeyArn: here.kmsKeyArn } };
}
