/**
 * The failover function, in the DR Region: a trigger alarm going to ALARM (delivered by its rules,
 * the primary's forwarded), the manual event (`outpost-ops failover`, `aws lambda invoke`) or the
 * classic DR Lambda's event → one failover run (core/jobs/failover.ts) → its alerts, its event, its
 * metrics, and its result as JSON for whoever invoked it.
 *
 * The run itself keeps no state: where DNS points and the last change are in the zone. An alarm
 * that flaps after the failover finds DNS already on the DR site: nothing to do, logged and an
 * event, no alert. A bad event is refused, naming the field, before any AWS call.
 */
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { Alert } from "@outpost-ops/core/alerts";
import { errorMessage } from "@outpost-ops/core/aws/errors";
import { failoverEvent } from "@outpost-ops/core/events/from-failover";
import { type FailoverResult, toFailoverResult } from "@outpost-ops/core/failover/result";
import { type FailoverRun, failoverOf, runFailover } from "@outpost-ops/core/jobs/failover";
import {
  failoverFailedAlert,
  failoverOutcomeAlert,
  failoverStartedAlert,
} from "@outpost-ops/core/jobs/failover-alerts";
import { durations, failoverCode, timelineLines } from "@outpost-ops/core/jobs/failover-summary";
import type { Context } from "aws-lambda";
import { topicAlerts } from "../lib/alert-topic.ts";
import { eventBridgeEvents, eventContext, publishEvents } from "../lib/event-stream.ts";
import { lambda } from "../lib/handler.ts";
import { logger, metrics } from "../lib/observability.ts";
import { lazyRuntime, type Runtime } from "../lib/runtime.ts";
import { type FailoverRequest, parseFailoverEvent, requestOf } from "./request.ts";

export const parseEvent = parseFailoverEvent;

/** Time kept back from the Lambda timeout to report (alerts, event) after waiting for INSYNC. */
const REPORT_MARGIN_MS = 30_000;
/**
 * Route 53 propagates within a minute. Three minutes, so that the preflight, a minute's wait for
 * another PENDING change of the zone (core/jobs/failover.ts), this wait and the report fit in the
 * function's 5-minute timeout; a change still PENDING then is reported as such.
 */
const MAX_SYNC_WAIT_MS = 3 * 60_000;

/**
 * A refusal (or, in alert-only mode, a "failover needed") of an alarm's run is alerted once in this
 * long per container and reason: an alarm that flaps is refused (or reported) on every ALARM, and one
 * alert says it.
 * Its events still record every refusal; the memory dies with the container, so it cannot stick.
 */
export const ALARM_REFUSAL_QUIET_MS = 30 * 60_000;

/** Alerts never fail the run (the DNS change stands): a publish that fails is logged and counted. */
async function publishAlert(rt: Runtime, alert: Omit<Alert, "stage">): Promise<void> {
  try {
    await rt.alerts.publish({ ...alert, stage: rt.env.stage });
    metrics.addMetric("AlertsPublished", MetricUnit.Count, 1);
  } catch (error) {
    logger.error("alert not published", { title: alert.title, error: errorMessage(error) });
    metrics.addMetric("AlertsFailed", MetricUnit.Count, 1);
  }
}

/** The RTO's parts as metrics (EMF): the tool's own time, Route 53's, and from the alarm. */
function reportTimings(run: FailoverRun): void {
  metrics.addDimension("job", "failover");
  const d = durations(run.timeline);
  metrics.addMetric("FailoverDecisionMs", MetricUnit.Milliseconds, d.decisionMs);
  if (d.submitMs !== undefined) metrics.addMetric("FailoverSubmitMs", MetricUnit.Milliseconds, d.submitMs);
  if (d.inSyncMs !== undefined) metrics.addMetric("FailoverInSyncMs", MetricUnit.Milliseconds, d.inSyncMs);
  if (d.alarmToSubmitMs !== undefined)
    metrics.addMetric("AlarmToSubmitMs", MetricUnit.Milliseconds, d.alarmToSubmitMs);
  if (d.alarmToInSyncMs !== undefined)
    metrics.addMetric("AlarmToInSyncMs", MetricUnit.Milliseconds, d.alarmToInSyncMs);
  const single = metrics.singleMetric();
  single.addDimensions({ job: "failover", outcome: run.outcome });
  single.addMetric("FailoverRuns", MetricUnit.Count, 1);
}

export function createHandler(
  runtime: () => Runtime = lazyRuntime({ alerts: topicAlerts, events: eventBridgeEvents }),
) {
  const refusalAlerted = new Map<string, number>();

  /** The outcome's alert, if any, with alarm refusals held back as ALARM_REFUSAL_QUIET_MS says. */
  async function announce(rt: Runtime, run: FailoverRun, request: FailoverRequest): Promise<void> {
    const alert = failoverOutcomeAlert(run, {
      region: rt.env.region,
      trigger: request.trigger,
      stage: rt.env.stage,
    });
    if (!alert) return;
    // A flapping alarm repeats its refusal, or in alert-only mode its "failover needed", on every
    // ALARM: one alert per outcome and reason in the quiet time says it.
    if ((run.outcome === "refused" || run.outcome === "alert-only") && request.trigger.kind === "alarm") {
      const now = rt.clock.now();
      const key = `${run.outcome}/${run.plan.code}`;
      const last = refusalAlerted.get(key);
      if (last !== undefined && now - last < ALARM_REFUSAL_QUIET_MS) {
        logger.info("already alerted", {
          outcome: run.outcome,
          code: run.plan.code,
          since: new Date(last).toISOString(),
        });
        return;
      }
      refusalAlerted.set(key, now);
    }
    await publishAlert(rt, alert);
  }

  return lambda(
    parseEvent,
    async (event, context: Context): Promise<FailoverResult | { ignored: string }> => {
      const rt = runtime();
      const failover = failoverOf(rt.config);
      const request = requestOf(event, rt.config, failover);
      if ("ignored" in request) {
        logger.info("event ignored", { reason: request.ignored });
        return request;
      }
      const alertContext = { region: rt.env.region, trigger: request.trigger, stage: rt.env.stage };
      const zone = failover.hostedZone.id ? { id: failover.hostedZone.id } : undefined;
      const started: Promise<void>[] = [];
      let submitted = false;
      let run: FailoverRun;
      try {
        run = await runFailover({
          clients: rt.clients,
          config: rt.config,
          clock: rt.clock,
          target: request.target,
          trigger: request.trigger,
          reason: request.reason,
          force: request.force,
          dryRun: request.dryRun,
          syncTimeoutMs: Math.min(MAX_SYNC_WAIT_MS, context.getRemainingTimeInMillis() - REPORT_MARGIN_MS),
          onStep: (step, plan) => {
            // Announced once Route 53 accepted the change, while it propagates: the alert costs the
            // failover no time, and a run that loses a race (a duplicate delivery) announces nothing.
            if (step !== "sync" || !plan) return;
            submitted = true;
            started.push(publishAlert(rt, failoverStartedAlert(plan, zone, alertContext)));
          },
        });
      } catch (error) {
        // The run stopped before a result: an AWS error in the preflight (DNS is as it was), or
        // while following an accepted change (DNS is moving): the alert says which.
        await Promise.all(started);
        await publishAlert(
          rt,
          failoverFailedAlert(
            {
              target: request.target,
              error: errorMessage(error),
              at: new Date(rt.clock.now()),
              afterSubmit: submitted,
            },
            alertContext,
          ),
        );
        throw error;
      }
      await Promise.all(started);
      await announce(rt, run, request);
      await publishEvents(rt, [
        failoverEvent(
          run,
          { trigger: request.trigger, dryRun: request.dryRun },
          eventContext(rt, context, run.timeline.decidedAt),
        ),
      ]);
      reportTimings(run);
      logger.info("failover run", {
        outcome: run.outcome,
        code: failoverCode(run),
        target: request.target,
        trigger: request.trigger,
        forced: run.plan.forced,
        changeId: run.changeId,
        timeline: timelineLines(run.timeline).map((l) => l.trim()),
        durations: durations(run.timeline),
        ...(run.error ? { error: run.error } : {}),
      });
      return toFailoverResult(run);
    },
  );
}

export const handler = createHandler();
