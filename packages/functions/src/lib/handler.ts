/**
 * Wraps a handler body in middy with Powertools' logger context and metrics flushing. The body gets
 * the parsed event; a malformed event throws EventShapeError before any AWS call.
 */
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { logger, metrics } from "./observability.ts";

export function lambda<E, R>(
  parseEvent: (raw: unknown) => E,
  body: (event: E, context: Context) => Promise<R>,
) {
  return middy(async (raw: unknown, context: Context) => body(parseEvent(raw), context))
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics));
}
