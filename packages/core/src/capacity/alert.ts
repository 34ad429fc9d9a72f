/**
 * The capacity alert: a subject a person understands in an inbox ("[CRITICAL] factory Outpost:
 * m5.large capacity 96 %, full in ~4 days"), a body with the numbers (now, threshold, headroom, the
 * trend and forecast with its method and confidence, top consumers, what to do) and message
 * attributes (outpost, metric, band) for subscription filters. Pure: the alarm handler gathers the
 * reading (aws/capacity-metrics.ts, aws/consumers.ts) and publishes what this returns.
 */
import { type Alert, ConsoleLinks, type Severity } from "../alerts/alert.ts";
import type { Config } from "../config/schema.ts";
import { OutpostOpsError } from "../errors.ts";
import { thresholdOf } from "./alarms.ts";
import type { CapacityDecision } from "./decide.ts";
import { describeForecast, forecastConfidence } from "./forecast.ts";
import type { Band, Condition, Forecast, Headroom, Reading } from "./model.ts";
import { BANDED_KINDS } from "./names.ts";

export interface CapacityAlertInput {
  config: Config;
  region: string;
  prefix: string;
  /** For the failover command a connected-down alert names. */
  stage?: string;
  alarmName: string;
  condition: Condition;
  band?: Band;
  decision: CapacityDecision;
  reading: Reading;
  at: Date;
  /** FailoverReady in regions.dr: true (1), false (0), "unknown" (no datapoint). Connected alerts only. */
  drReady?: boolean | "unknown";
}

const pct = (n: number) => `${Math.round(n)} %`;
const gib = (n: number) => `${Math.round(n).toLocaleString("en-US")} GiB`;

/** What the condition is called in a sentence: "m5.large capacity", "gp2 volumes", "CPU". */
export function conditionLabel(condition: Pick<Condition, "kind" | "subject">): string {
  const type = condition.subject ?? "?";
  switch (condition.kind) {
    case "instance-type":
      return `${type} capacity`;
    case "volume-type":
      return `${type} volumes`;
    case "capacity-exceptions":
      return `${type} launches`;
    case "snapshot-storage":
    case "local-snapshots":
      return "local snapshot storage";
    case "cpu":
      return "CPU";
    case "connected":
      return "service link";
  }
}

/**
 * What is left, as the alert and the report say it: "5 available, 19 used", "3,200 GiB free of 96,000 GiB".
 * @example headroomText({ available: 5, used: 19 }) // "5 available, 19 used"
 */
export function headroomText(h: Headroom | undefined): string | undefined {
  if (!h) return undefined;
  const parts = [
    h.available !== undefined ? `${h.available} available` : "",
    h.used !== undefined ? `${h.used} used` : "",
    h.freeGiB !== undefined
      ? `${gib(h.freeGiB)} free${h.totalGiB !== undefined ? ` of ${gib(h.totalGiB)}` : ""}`
      : "",
  ].filter(Boolean);
  return parts.length ? parts.join(", ") : undefined;
}

/** Percent free of the local snapshot storage: from the headroom's GiB, else 100 − used %. */
export function freePercentOf(reading: Reading): number | undefined {
  const h = reading.headroom;
  if (h?.freeGiB !== undefined && h.totalGiB) return (h.freeGiB / h.totalGiB) * 100;
  return reading.current === undefined ? undefined : 100 - reading.current;
}

/** The reading's value as the subject shows it: "96 %", "96 % used", "4 % free", "3 refused". */
function valueText(reading: Reading): string | undefined {
  const v = reading.current;
  switch (reading.condition.kind) {
    case "snapshot-storage":
      return v === undefined ? undefined : `${pct(v)} used`;
    case "local-snapshots": {
      const free = freePercentOf(reading);
      return free === undefined ? undefined : `${pct(Math.floor(free))} free`;
    }
    case "capacity-exceptions":
      return v === undefined ? undefined : `${Math.round(v)} refused`;
    case "connected":
      return v === undefined ? "no data" : `ConnectedStatus ${v}`;
    default:
      return v === undefined ? undefined : pct(v);
  }
}

function forecastSuffix(f: Forecast | undefined): string {
  if (!f) return "";
  if (f.kind === "full-in") return `, full in ~${f.days} day${f.days === 1 ? "" : "s"}`;
  return f.reason === "already-full" ? ", full" : ", no trend";
}

/** The subject's words after "<outpost> Outpost: ". */
function headline(input: CapacityAlertInput): string {
  const { condition, decision, reading } = input;
  const label = conditionLabel(condition);
  const value = valueText(reading);
  const inParens = value ? ` (${value})` : "";
  if (decision.kind === "resolved") {
    if (condition.kind === "connected") return "service link restored";
    if (condition.kind === "capacity-exceptions") return `${label} no longer refused`;
    if (condition.kind === "local-snapshots") return `local snapshots resume${inParens}`;
    return `${label} resolved${inParens}`;
  }
  if (decision.kind === "eased") return `${label} eased to ${decision.to}${inParens}`;
  switch (condition.kind) {
    case "connected":
      return "service link down";
    case "capacity-exceptions":
      return reading.current === undefined
        ? `${label} refused`
        : `${label} refused (${Math.round(reading.current)} in 5 min)`;
    case "local-snapshots":
      return `${label} ${value ?? "low"}, below the ${thresholdOf(input.config, condition)} % floor`;
    default: {
      const at = value ?? `at or above ${pct(thresholdOf(input.config, condition, input.band))}`;
      return `${label} ${at}${forecastSuffix(reading.forecast)}`;
    }
  }
}

function severityOf(condition: Condition, decision: CapacityDecision, band: Band | undefined): Severity {
  if (decision.kind !== "alert") return "info";
  const b = decision.band ?? band;
  if (b) return b === "critical" ? "critical" : "warning";
  return condition.kind === "local-snapshots" ? "warning" : "critical";
}

/** The policies that place local snapshots on this Outpost, by residency. */
export function localPolicies(config: Config, outpost: string): { flexible: string[]; strict: string[] } {
  const on = config.policies.filter(
    (p) => p.placement === "outpost" && (!p.selector.outposts || p.selector.outposts.includes(outpost)),
  );
  return {
    flexible: on.filter((p) => p.residency !== "strict").map((p) => p.name),
    strict: on.filter((p) => p.residency === "strict").map((p) => p.name),
  };
}

const list = (names: string[]) => (names.length ? names.join(", ") : "none");

function numbersLines(input: CapacityAlertInput): string[] {
  const { config, condition, reading } = input;
  const lines: string[] = [];
  const banded = BANDED_KINDS.has(condition.kind);
  const used = condition.kind === "snapshot-storage" ? " used" : "";
  if (reading.current !== undefined && banded)
    lines.push(
      `Now:        ${pct(reading.current)}${used}${reading.at ? ` (${reading.at.toISOString()})` : ""}`,
    );
  if (banded) {
    const w = thresholdOf(config, condition, "warning");
    const c = thresholdOf(config, condition, "critical");
    lines.push(`Thresholds: warning ${pct(w)}, critical ${pct(c)}${used}`);
  }
  const room = headroomText(reading.headroom);
  if (room) lines.push(`Headroom:   ${room}`);
  if (reading.weekAgo !== undefined && reading.current !== undefined && banded) {
    const change = Math.round(reading.current - reading.weekAgo);
    lines.push(`A week ago: ${pct(reading.weekAgo)} (${change >= 0 ? "+" : ""}${change} points)`);
  }
  const first = reading.daily[0];
  const last = reading.daily[reading.daily.length - 1];
  if (banded && first && last)
    lines.push(
      `Trend:      ${reading.daily.length} daily maxima, ${pct(first.value)} on ${first.at.toISOString().slice(0, 10)} to ${pct(last.value)} on ${last.at.toISOString().slice(0, 10)}`,
    );
  const f = reading.forecast;
  if (banded && f) {
    const confidence =
      f.kind === "full-in"
        ? `; ${f.slopePerDay >= 0 ? "+" : ""}${f.slopePerDay.toFixed(1)} points a day, confidence ${forecastConfidence(f.r2)}`
        : `; method: ${f.method}`;
    lines.push(`Forecast:   ${describeForecast(f)}${confidence}`);
  }
  if (reading.consumers.length) {
    lines.push("Top consumers:");
    for (const c of reading.consumers.slice(0, 5))
      lines.push(`  - ${c.id}${c.name ? ` (${c.name})` : ""}: ${c.uses}`);
  }
  for (const what of reading.unread ?? []) lines.push(`Not read:   ${what}`);
  return lines;
}

function drLine(config: Config, drReady: CapacityAlertInput["drReady"]): string {
  if (!config.failover) return "DR readiness: no failover configured";
  const state =
    drReady === true ? "ready" : drReady === false ? "NOT ready" : "unknown (no FailoverReady reading)";
  return `DR readiness: ${state} (FailoverReady in ${config.regions.dr})`;
}

function meaning(input: CapacityAlertInput): string[] {
  const { config, condition, decision, reading } = input;
  const where = `Outpost ${condition.outpost} (${condition.outpostId})`;
  const label = conditionLabel(condition);
  const stage = input.stage ?? "<stage>";
  if (condition.kind === "connected") {
    if (decision.kind === "resolved")
      return [`The service link of ${where} is connected again (ConnectedStatus 1).`];
    return [
      `The service link of ${where} is down or impaired: ${valueText(reading)} (below 1; no data counts as down).`,
      "Its instances keep running but cannot be managed from the Region; local snapshots wait.",
      drLine(config, input.drReady),
      `If the site is lost, fail over: npx outpost-ops failover --stage ${stage}`,
    ];
  }
  if (condition.kind === "local-snapshots") {
    const { flexible, strict } = localPolicies(config, condition.outpost);
    const floor = thresholdOf(config, condition);
    const free = freePercentOf(reading);
    const state = `${free === undefined ? "unknown" : pct(Math.floor(free))} free`;
    if (decision.kind === "resolved")
      return [
        `Local snapshot storage on ${where} is ${state}, at or above the ${floor} % floor again.`,
        `Local snapshots resume: ${list([...flexible, ...strict])} snapshot on the Outpost from the next window.`,
      ];
    return [
      `Local snapshot storage (S3 on Outposts) on ${where} is ${state}, below the ${floor} % floor (capacity.localSnapshots.minFreePercent).`,
      `Now snapshot in the Region instead (residency flexible): ${list(flexible)}.`,
      `Keep trying locally (residency strict), and may fail: ${list(strict)}.`,
      "Free local snapshot storage (shorter local retention, fewer local policies) to resume local snapshots.",
    ];
  }
  if (condition.kind === "capacity-exceptions") {
    if (decision.kind === "resolved") return [`No ${label} on ${where} were refused in the last 5 minutes.`];
    return [
      `Launches of ${condition.subject} on ${where} were refused for lack of capacity.`,
      `Free ${condition.subject} capacity (stop idle instances) or launch another type.`,
    ];
  }
  const threshold = (band: Band) => pct(thresholdOf(config, condition, band));
  if (decision.kind === "resolved")
    return [`${label} on ${where} is below the warning threshold of ${threshold("warning")} again.`];
  if (decision.kind === "eased")
    return [
      `${label} on ${where} is below the critical threshold again, still at or above ${threshold(decision.to)} (${decision.to}).`,
    ];
  const band = (decision.kind === "alert" && decision.band) || input.band || "warning";
  const todo: Partial<Record<Condition["kind"], string>> = {
    "instance-type": `Launches of ${condition.subject} will fail when it is full: stop or resize idle instances, or order capacity.`,
    "volume-type": `New or larger ${condition.subject} volumes will fail when it is full: delete unused volumes, or order storage.`,
    "snapshot-storage":
      "Local snapshots will fail when it is full: shorten local retention, or place policies in the Region.",
    cpu: "Find the hottest instances below and resize or move them.",
  };
  return [
    `${label} on ${where} is at or above the ${band} threshold of ${threshold(band)}.`,
    todo[condition.kind] ?? "",
  ];
}

function links(input: CapacityAlertInput): Alert["links"] {
  const { region, condition, config } = input;
  const arn = config.outposts.find((o) => o.name === condition.outpost)?.arn ?? condition.outpostId;
  const ec2 = `https://${region}.console.aws.amazon.com/ec2/home?region=${region}`;
  const out = [
    ConsoleLinks.alarm(region, input.alarmName),
    {
      label: "Outpost",
      url: `https://${region}.console.aws.amazon.com/outposts/home?region=${region}#OutpostDetails:${condition.outpostId}`,
    },
  ];
  const instances = { label: "Instances on the Outpost", url: `${ec2}#Instances:outpostArn=${arn}` };
  const volumes = { label: "Volumes on the Outpost", url: `${ec2}#Volumes:outpostArn=${arn}` };
  switch (condition.kind) {
    case "volume-type":
    case "snapshot-storage":
    case "local-snapshots":
      return [...out, volumes];
    case "connected":
      return [...out, instances, volumes];
    default:
      return [...out, instances];
  }
}

/**
 * The alert for a capacity alarm's state change the decision says to speak about (never `silent`).
 * @example capacityAlert({ config, region: "us-west-2", prefix, stage: "prod", alarmName, condition, band: "critical", decision: { kind: "alert", band: "critical" }, reading, at })
 * // { severity: "critical", subject: "[CRITICAL] factory Outpost: m5.large capacity 96 %, full in ~4 days", ... }
 */
export function capacityAlert(input: CapacityAlertInput): Omit<Alert, "stage"> {
  const { condition, decision, reading } = input;
  if (decision.kind === "silent")
    throw new OutpostOpsError(`No alert for ${input.alarmName}: the decision is silent (${decision.why}).`);
  const severity = severityOf(condition, decision, input.band);
  const title = `${condition.outpost} Outpost: ${headline(input)}`;
  const band =
    decision.kind === "alert"
      ? (decision.band ?? input.band)
      : decision.kind === "eased"
        ? decision.to
        : input.band;
  const arn = input.config.outposts.find((o) => o.name === condition.outpost)?.arn ?? condition.outpostId;
  return {
    severity,
    job: "capacity",
    title,
    subject: `[${severity.toUpperCase()}] ${title}`,
    body: [...meaning(input).filter(Boolean), "", ...numbersLines(input)].join("\n"),
    region: input.region,
    at: input.at,
    resourceIds: [arn, ...reading.consumers.slice(0, 5).map((c) => c.id)],
    links: links(input),
    attributes: { outpost: condition.outpost, metric: condition.kind, ...(band ? { band } : {}) },
  };
}
