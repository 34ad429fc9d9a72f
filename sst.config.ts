import type { SSTConfig } from "sst";
import userConfig from "./outpost-ops.config.ts";
import { buildApp } from "./stacks/index.ts";

/*
 * Deployed once per Region: `npx sst deploy` (regions.primary) and
 * `npx sst deploy --region <regions.dr>`; stacks/select.ts picks the stacks for each.
 */
export default {
  config() {
    // Unvalidated here (stacks() validates): a config without regions must still reach the ConfigError.
    return { name: "outpost-ops", region: userConfig.regions?.primary };
  },
  stacks(app) {
    buildApp(app, userConfig);
  },
} satisfies SSTConfig;
