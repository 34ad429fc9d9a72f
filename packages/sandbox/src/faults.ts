import { mulberry32 } from "./ids.ts";
import type { FaultRule, ServiceId } from "./types.ts";

/** What the fault rules decided for one request. */
export interface FaultDecision {
  latencyMs: number;
  timeout: boolean;
  throttle: boolean;
  serverError: boolean;
  quotaError: boolean;
  /** A rule's `error` to answer instead of serving the request. */
  error?: FaultRule["error"];
  /**
   * Batch calls that answer per-entry results (EventBridge PutEvents): asked once per entry, true = fail
   * that entry with a retryable per-entry error while the call itself succeeds.
   */
  entryFailure: () => boolean;
}

interface ActiveRule {
  rule: FaultRule;
  random: () => number;
}

/**
 * Fault rules are evaluated in the order they were added; each has its own seeded PRNG so a test
 * that adds one rule gets the same sequence of failures on every run.
 */
export class Faults {
  private rules: ActiveRule[] = [];

  set(rule: FaultRule): void {
    this.rules.push({ rule, random: mulberry32(rule.seed ?? 1) });
  }

  clear(): void {
    this.rules = [];
  }

  decide(service: ServiceId, operation: string): FaultDecision | undefined {
    if (this.rules.length === 0) return undefined;
    const d: FaultDecision = {
      latencyMs: 0,
      timeout: false,
      throttle: false,
      serverError: false,
      quotaError: false,
      entryFailure: () => false,
    };
    const entryRules: ActiveRule[] = [];
    let any = false;
    for (const { rule, random } of this.rules) {
      if (rule.service && rule.service !== service) continue;
      if (rule.operation && rule.operation !== operation) continue;
      any = true;
      if (rule.latencyMs) {
        const [lo, hi] = rule.latencyMs;
        d.latencyMs += lo + random() * Math.max(0, hi - lo);
      }
      if (rule.timeoutRate && random() < rule.timeoutRate) d.timeout = true;
      if (rule.throttleRate && random() < rule.throttleRate) d.throttle = true;
      if (rule.serverErrorRate && random() < rule.serverErrorRate) d.serverError = true;
      if (rule.quotaErrorRate && random() < rule.quotaErrorRate) d.quotaError = true;
      if (rule.error && random() < (rule.errorRate ?? 1)) d.error = rule.error;
      if (rule.entryFailureRate) entryRules.push({ rule, random });
    }
    if (entryRules.length > 0) {
      // Every rule draws for every entry, so one rule's sequence does not depend on the others' outcomes.
      d.entryFailure = () =>
        entryRules.map(({ rule, random }) => random() < (rule.entryFailureRate ?? 0)).some(Boolean);
    }
    return any ? d : undefined;
  }
}
