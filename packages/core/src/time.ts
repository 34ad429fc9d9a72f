/** Durations in config are written `90d`, `12h`, `2w`, `30m` so they read well in a policy. */
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
export const DURATION_PATTERN = /^(\d+)([mhdw])$/;

/** Parses `90d` into milliseconds. Throws on anything else (the config schema validates first). */
export function parseDuration(text: string): number {
  const match = DURATION_PATTERN.exec(text);
  if (!match) throw new Error(`not a duration: ${text} (use e.g. 30m, 12h, 90d, 2w)`);
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/** A window id: the nominal fire time of a schedule, to the minute, e.g. `2024-05-14T10:00Z`. */
export function windowId(t: Date): string {
  return `${t.toISOString().slice(0, 16)}Z`;
}
