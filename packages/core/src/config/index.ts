export { type Config, type ConfigInput, ConfigSchema, defineConfig, parseConfig, type Policy, type ResourceKind, type Retention, type Schedule } from "./schema.ts";
