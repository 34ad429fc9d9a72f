/** Field types the config's sections share (schema.ts, failover.ts), each with an error that names the fix. */
import * as z from "zod";
import { parseScheduleExpression, ScheduleExpressionError } from "../schedule/expression.ts";
import { DURATION_PATTERN, parseDuration } from "../time.ts";

export const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
const NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;

export const region = z.string().regex(REGION, "must be an AWS Region code such as us-west-2");
export const name = (what: string) =>
  z
    .string()
    .regex(NAME, `${what} must be 1-40 lowercase letters, digits or dashes, starting with a letter or digit`);
export const count = (max: number) => z.int().min(1).max(max);
export const duration = z
  .string()
  .regex(DURATION_PATTERN, "must be a duration such as 30m, 12h, 90d or 2w")
  // Zod runs refinements after a failed regex too; parseDuration would throw on "10 days".
  .refine((d) => !DURATION_PATTERN.test(d) || parseDuration(d) > 0, "must be longer than zero");

export const scheduleExpression = z.string().superRefine((text, ctx) => {
  try {
    parseScheduleExpression(text);
  } catch (error) {
    if (!(error instanceof ScheduleExpressionError)) throw error;
    ctx.addIssue({ code: "custom", message: `${error.message} (got "${text}")` });
  }
});
