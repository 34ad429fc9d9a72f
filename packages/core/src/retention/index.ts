export type { RetentionAction, RetentionDecision, RetentionInput, RetentionPlan } from "./plan.ts";
export { planRetention } from "./plan.ts";
export { retentionReachMs } from "./reach.ts";
export type { Tier } from "./tiers.ts";
export { periodIndex, periodKey, selectTier, TIER_PERIOD_MS, TIERS, tierPicks } from "./tiers.ts";
