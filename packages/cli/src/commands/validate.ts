/** `validate`: check the config without touching AWS (what `npm test` and `sst deploy` also do). */
import type { Config } from "@outpost-ops/core/config";
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
  return [
    `${path} is valid: ${config.policies.length} policies, primary ${config.regions.primary}, DR ${config.regions.dr}.`,
    "",
    table(["policy", "resource", "schedule", "expression", "deployed as"], rows),
  ].join("\n");
}

export function validateOutput(config: Config, path: string, json: boolean): string {
  return json ? toJson({ valid: true, path, config }) : renderConfigSummary(config, path);
}
