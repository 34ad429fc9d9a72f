import type { Forwarding } from "@outpost-ops/functions/src/jobs.ts";
import { EventBus, Rule } from "aws-cdk-lib/aws-events";
import { EventBus as EventBusTarget } from "aws-cdk-lib/aws-events-targets";
import type { Stack } from "sst/constructs";
import { partitionOf } from "./iam.ts";
import { eventPatternOf } from "./job.ts";

/**
 * The rules of the primary Region that forward events to another Region's default bus, where the
 * job's own rules see them (EventBridge delivers cross-Region to an event bus only). One imported
 * bus per destination; CDK's EventBus target gives each rule a role allowed events:PutEvents on
 * exactly that bus. Each stack builds the forwarding of its own jobs (jobs.ts forwardingIn).
 * @example buildForwarding(stack, forwardingIn(app.region, config).filter((f) => f.job === "copy"))
 */
export function buildForwarding(stack: Stack, forwarding: readonly Forwarding[]): Record<string, Rule> {
  const rules: Record<string, Rule> = {};
  const buses = new Map<string, ReturnType<typeof EventBus.fromEventBusArn>>();
  for (const { id, spec, to } of forwarding) {
    let bus = buses.get(to);
    if (!bus) {
      const arn = `arn:${partitionOf(stack)}:events:${to}:${stack.account}:event-bus/default`;
      bus = EventBus.fromEventBusArn(stack, `DefaultBus_${to}`, arn);
      buses.set(to, bus);
    }
    rules[id] = new Rule(stack, id, {
      description: `${spec.description} (to ${to})`,
      eventPattern: eventPatternOf(spec.pattern),
      targets: [new EventBusTarget(bus)],
    });
  }
  return rules;
}
