/**
 * What a handler needs from the outside world, built once per container. Handlers are created from a
 * runtime so tests and the offline drill can run the very same handler code with their own clients,
 * config and pacing.
 */
import type { AlertSink } from "@outpost-ops/core/alerts";
import { type AwsClients, createClients } from "@outpost-ops/core/aws/clients";
import type { Config } from "@outpost-ops/core/config";
import type { Deadline } from "@outpost-ops/core/deadline";
import { OutpostOpsError } from "@outpost-ops/core/errors";
import type { EventSink } from "@outpost-ops/core/events/publish";
import { createPacer, type Pacer, type Sleeper } from "@outpost-ops/core/pacing";
import type { Context } from "aws-lambda";
import { config as deployedConfig } from "./config.ts";
import { type Env, readEnv } from "./env.ts";
import { WORKER_RATE } from "./worker-pacing.ts";

export interface Runtime {
  config: Config;
  env: Env;
  clients: AwsClients;
  alerts: AlertSink;
  /** The event stream (EventBridge); functions that publish none get one that refuses. */
  events: EventSink;
  /** Paces one worker container's creates and deletes: its share of EC2's bucket (WORKER_RATE). */
  pacer: Pacer;
  /** Wall-clock milliseconds, to stop before the Lambda timeout. */
  clock: Sleeper;
}

export const systemClock: Sleeper = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Planners stop reading pages this long before the Lambda timeout, leaving time to report why
 * (and to enqueue what they planned) instead of being killed mid-page.
 */
export const PLANNER_SAFETY_MS = 90_000;

export function plannerDeadline(context: Pick<Context, "getRemainingTimeInMillis">): Deadline {
  return { remainingMs: () => context.getRemainingTimeInMillis() - PLANNER_SAFETY_MS };
}

/** One worker container's pacing (lib/worker-pacing.ts): its share of EC2's snapshot bucket. */
export { WORKER_CONCURRENCY, WORKER_RATE } from "./worker-pacing.ts";

/** How a handler that publishes events gets its sink (lib/event-stream.ts for the deployed one). */
export type EventSinkFactory = (clients: AwsClients, env: Env) => EventSink;

/**
 * How a handler that alerts gets its sink (lib/alert-topic.ts for the deployed one). Passed in, not
 * built here, so a function that never alerts (`alerts: false` in jobs.ts) does not bundle the SNS
 * client.
 */
export type AlertSinkFactory = (clients: AwsClients, env: Env) => AlertSink;

/** For functions declared `alerts: false`: publishing is a wiring mistake, said loudly. */
export const noAlerts: AlertSink = {
  publish: () =>
    Promise.reject(
      new OutpostOpsError(
        "This function was built without an alert sink: pass `alerts` to lazyRuntime (its role has no publish right while jobs.ts declares it `alerts: false`).",
      ),
    ),
};

/** What a deployed handler's runtime is built with: every handler says whether it alerts. */
export interface RuntimeOptions {
  alerts: AlertSinkFactory | false;
  events?: EventSinkFactory;
}

/** For functions that publish no events: using it is a wiring mistake, said loudly. */
export const noEvents: EventSink = {
  publish: () =>
    Promise.reject(
      new OutpostOpsError("This function was built without an event stream: pass `events` to lazyRuntime."),
    ),
};

/** The deployed runtime. Clients are created on first use, of the classes the handler's code calls. */
export function defaultRuntime(options: RuntimeOptions): Runtime {
  const env = readEnv();
  const clients = createClients();
  return {
    config: deployedConfig(),
    env,
    clients,
    alerts: options.alerts ? options.alerts(clients, env) : noAlerts,
    events: options.events ? options.events(clients, env) : noEvents,
    pacer: createPacer(WORKER_RATE, systemClock),
    clock: systemClock,
  };
}

/** Builds the runtime on first invocation, so importing a handler stays free of side effects. */
export function lazyRuntime(options: RuntimeOptions): () => Runtime {
  let runtime: Runtime | undefined;
  return () => {
    runtime ??= defaultRuntime(options);
    return runtime;
  };
}
