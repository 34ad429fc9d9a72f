/**
 * Wraps a handler body in middy with Powertools' logger context and metrics flushing. The body gets
 * the parsed event; a malformed event throws EventShapeError before any AWS call.
 */
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy, { type MiddlewareObj } from "@middy/core";
import { EventShapeError } from "@outpost-ops/core/errors";
import type { Context } from "aws-lambda";
import { logger, metrics } from "./observability.ts";

/**
 * Counts what failed an invocation before the body could report anything: `MalformedEvents` for an
 * event we do not understand (a rule or queue pointing at the wrong function), `InvocationErrors`
 * for the rest. Middy runs onError hooks last-registered first, so this one runs before logMetrics
 * flushes, and the count is published (it also keeps Powertools from warning of empty metrics).
 */
function countInvocationErrors(): MiddlewareObj {
  return {
    onError: async function countInvocationError(request) {
      const malformed = request.error instanceof EventShapeError;
      metrics.addMetric(malformed ? "MalformedEvents" : "InvocationErrors", MetricUnit.Count, 1);
    },
  };
}

export function lambda<E, R>(
  parseEvent: (raw: unknown) => E,
  body: (event: E, context: Context) => Promise<R>,
) {
  return middy(async (raw: unknown, context: Context) => body(parseEvent(raw), context))
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics))
    .use(countInvocationErrors());
}
