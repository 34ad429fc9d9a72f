/** `validate`: check the config without touching AWS (what `npm test` and `sst deploy` also do). */
import { type Config, copyRegions, deploymentRegions } from "@outpost-ops/core/config";
import { parseScheduleExpression } from "@outpost-ops/core/schedule/expression";
import { table, toJson } from "../format.ts";

export function renderConfigSummary(config: Config, path: string): string {
  const rows = config.policies.flatMap((p) =>
    p.schedules.map((s) => [
      p.name,
      p.resource,
      s.name,
      s.expression,
      parseScheduleExpression(s.expression).eventBridge,
    ]),
  );
  const more = copyRegions(config).filter((r) => r !== config.regions.dr);
  return [
    `${path} is valid: ${config.policies.length} policies, primary ${config.regions.primary}, DR ${config.regions.dr}${more.length ? `, also copied to ${more.join(", ")}` : ""}.`,
    `Deploy: npx outpost-ops deploy --stage NAME, which runs ${deploymentRegions(config)
      .map((r) => `npx sst deploy --stage NAME --region ${r}`)
      .join(", then ")}.`,
    "",
    table(["policy", "resource", "schedule", "expression", "deployed as"], rows),
  ].join("\n");
}

export function validateOutput(config: Config, path: string, json: boolean): string {
  return json ? toJson({ valid: true, path, config }) : renderConfigSummary(config, path);
}
