/** Output helpers: aligned tables for people, stable JSON for scripts. */
import type { RunSummary } from "@outpost-ops/core/summary";
import type { Paint } from "./colour.ts";

export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...cells.slice(1).map(line)].join("\n");
}

/** JSON with Dates as ISO strings and Sets/Maps as arrays/objects. */
export function toJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, v) => {
      if (v instanceof Set) return [...v];
      if (v instanceof Map) return Object.fromEntries(v);
      return v;
    },
    2,
  );
}

export function countBy<T>(items: T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
}

/** "retried N, failed N", the non-zero ones coloured so they are not missed at a terminal. */
export function counted(paint: Paint, summary: Pick<RunSummary, "retried" | "failed">): string {
  const retried = `retried ${summary.retried}`;
  const failed = `failed ${summary.failed}`;
  return `${summary.retried > 0 ? paint.yellow(retried) : retried}, ${summary.failed > 0 ? paint.red(failed) : failed}`;
}
