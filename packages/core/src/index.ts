/**
 * The outpost-ops domain, by namespace. Jobs are pure planners (`Snapshot.planSnapshots`,
 * `Retention.planRetention`) plus executors in `Jobs`; `Aws` holds the adapters and the IAM each call
 * needs. Deep imports (`@outpost-ops/core/jobs/snapshot`) keep Lambda bundles to what they use.
 */
export * as Alerts from "./alerts/index.ts";
export * as Config from "./config/index.ts";
export { defineConfig } from "./config/index.ts";
export * as Errors from "./errors.ts";
export * as Retention from "./retention/index.ts";
export * as Schedule from "./schedule/due.ts";
export * as SnapshotPlan from "./snapshot/plan.ts";
export * as Tags from "./tags.ts";
