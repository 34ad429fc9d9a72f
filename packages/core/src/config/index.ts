export { type CapacityConfig, CapacitySchema } from "./capacity.ts";
export {
  absolute,
  type FailoverConfig,
  type FailoverRecord,
  type RecordTargetConfig,
} from "./failover.ts";
export { type CopyDestination, copyRegions, deploymentRegions, destinationsOf } from "./regions.ts";
export {
  type Config,
  type ConfigInput,
  ConfigSchema,
  defineConfig,
  type Policy,
  parseConfig,
  type ResourceKind,
  type Retention,
  type Schedule,
} from "./schema.ts";
