import { TimeFormatError } from "./errors.ts";

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

/**
 * The one time format the jobs accept, from an event's `time` or the CLI's `--at`: an ISO-8601
 * date-time with a zone, as EventBridge sends. `Date.parse` alone takes "1" (2001), RFC 1123 dates and
 * zone-less local times (read in the machine's zone), and a job is a function of this time, so a
 * looser check would let the same command plan differently on two laptops.
 */
export const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** What to tell a user who wrote something else. */
export const ISO_TIME_ACCEPTED = "an ISO-8601 time with a zone, such as 2024-05-14T10:00:00Z";

/** True when `text` matches ISO_DATE_TIME and parses to an instant (not month 13 or hour 25). */
export function isIsoTime(text: string): boolean {
  return ISO_DATE_TIME.test(text) && !Number.isNaN(Date.parse(text));
}

/** Parses an ISO-8601 date-time with a zone; throws TimeFormatError naming `field` otherwise. */
export function parseIsoTime(text: string, field: string): Date {
  if (!isIsoTime(text)) throw new TimeFormatError(field, text, ISO_TIME_ACCEPTED);
  return new Date(text);
}
