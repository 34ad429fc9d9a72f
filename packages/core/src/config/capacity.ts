/**
 * The `capacity` section: when the capacity monitor and the weekly report run, the bands each
 * utilization alarms at, and the free local snapshot storage below which snapshots move to the Region.
 * Strict like the rest of the config; every error names its field.
 */
import * as z from "zod";
import { parseScheduleExpression } from "../schedule/expression.ts";
import { scheduleExpression } from "./fields.ts";

const MONITOR_MAX_INTERVAL_MS = 3_600_000;

const percent = z.int().min(1).max(100);

/** Two bands in percent, warning below critical (an equal pair would make one alarm of two). */
const bands = (warning: number, critical: number) =>
  z
    .strictObject({ warning: percent.default(warning), critical: percent.default(critical) })
    .superRefine((b, ctx) => {
      if (b.warning >= b.critical)
        ctx.addIssue({
          code: "custom",
          path: ["warning"],
          message: `warning (${b.warning} %) must be below critical (${b.critical} %)`,
        });
    })
    .prefault({});

export const CapacitySchema = z
  .strictObject({
    /** How often the capacity monitor discovers types, reconciles the alarms and publishes the CPU gauge. */
    schedule: scheduleExpression
      .refine((text) => {
        try {
          return parseScheduleExpression(text).largestIntervalMs <= MONITOR_MAX_INTERVAL_MS;
        } catch {
          return true; // reported by scheduleExpression
        }
      }, "must run at least every hour: a new instance type gets its alarms, and the CPU gauge a datapoint, only when the monitor runs")
      .default("rate(5 minutes)"),
    report: z
      .strictObject({
        /** The weekly capacity report (UTC). */
        schedule: scheduleExpression.default("cron(0 8 ? * MON *)"),
      })
      .prefault({}),
    /** Percent utilization per kind (snapshot storage: percent used) at which each band alarms. */
    thresholds: z
      .strictObject({
        instanceType: bands(80, 95),
        volumeType: bands(80, 95),
        snapshotStorage: bands(80, 95),
        cpu: bands(80, 95),
      })
      .prefault({}),
    localSnapshots: z
      .strictObject({
        /** Below this percent free, `residency: "flexible"` policies snapshot in the Region instead. */
        minFreePercent: z.int().min(1).max(90).default(10),
      })
      .prefault({}),
  })
  .prefault({});

export type CapacityConfig = z.output<typeof CapacitySchema>;
export type CapacityThresholds = CapacityConfig["thresholds"];
