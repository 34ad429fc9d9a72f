/**
 * P2's planner container: the retentionSweep handler in a process of its own, as Lambda runs it in a
 * container of its own, so its peak RSS is the planner's and not the benchmark's (whose sandbox holds
 * the 100,000 snapshots). Started by bench/p2-retention-sweep.ts as `node --import tsx <this file>`
 * with an IPC channel; it loads only what the deployed function loads (its handler, the SDK clients
 * it calls), pointed at the sandbox, then runs one invocation per "invoke" message, sampling
 * process.memoryUsage().rss every SAMPLE_EVERY_MS while it runs.
 *
 * Protocol: env P2_CONTAINER = JSON { endpoint, config (parseConfig input), env (the function's
 * variables, wiring.ts variablesFor), scale }; child → "ready" { bareRss, loadedRss }; parent →
 * "invoke" { event, nowMs, remainingMs }; child → "result" { result | error, peakRss, samples, vmHwm }.
 */
import { readFileSync } from "node:fs";

// Before any module of the handler is loaded: the bare process (Node, tsx's loader).
const bareRss = process.memoryUsage().rss;

/** How often the invocation's RSS is sampled (wall ms). */
const SAMPLE_EVERY_MS = 20;
const CREDENTIALS = { accessKeyId: "bench", secretAccessKey: "bench" };

export interface ContainerSetup {
  endpoint: string;
  config: unknown;
  env: Record<string, string>;
  scale: number;
}

export type ToContainer = { type: "invoke"; event: unknown; nowMs: number; remainingMs: number };
export type FromContainer =
  | { type: "ready"; bareRss: number; loadedRss: number }
  | {
      type: "result";
      result?: unknown;
      error?: string;
      /** Max of the samples taken during the invocation (bytes). */
      peakRss: number;
      /** Peaks of the samples' V8 heap (total, used) and external (Buffers) memory (bytes). */
      peakHeap: { total: number; used: number; external: number };
      samples: number;
      /** /proc/self/status VmHWM: the process's high-water mark so far (bytes), where Linux has it. */
      vmHwm?: number;
    };

/** The kernel's high-water mark of this process's resident set, in bytes (Linux only). */
function vmHwm(): number | undefined {
  try {
    const kb = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync("/proc/self/status", "utf8"))?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

function send(message: FromContainer): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const setup = JSON.parse(process.env.P2_CONTAINER ?? "null") as ContainerSetup | null;
  if (!setup || !process.send)
    throw new Error("p2-planner-container: start me from bench/p2-retention-sweep.ts");
  const [
    { SNSClient },
    { snsAlertSink },
    { parseConfig },
    { eventBridgeEvents },
    { createPacer },
    { createHandler },
    { readEnv },
    { drillClients },
    { lambdaContext },
    { ScaledTime },
  ] = await Promise.all([
    import("@aws-sdk/client-sns"),
    import("@outpost-ops/core/alerts"),
    import("@outpost-ops/core/config"),
    import("@outpost-ops/core/events/publish"),
    import("@outpost-ops/core/pacing"),
    import("@outpost-ops/functions/src/schedule/retention-sweep.ts"),
    import("@outpost-ops/functions/src/lib/env.ts"),
    import("../packages/cli/src/drill/clients.ts"),
    import("../packages/cli/src/drill/lambda.ts"),
    import("./lib/scaled-time.ts"),
  ]);
  const config = parseConfig(setup.config);
  const env = readEnv(setup.env);
  // The SDK standard mode's backoff in scaled time, as bench/lib/live.ts gives every client.
  const clients = drillClients({
    endpoint: setup.endpoint,
    credentials: CREDENTIALS,
    backoffMs: (attempt) => Math.min(20_000, Math.random() * 2 ** attempt * 500) / setup.scale,
  });
  let clock = new ScaledTime(setup.scale, new Date());
  const runtime = {
    config,
    env,
    clients,
    alerts: snsAlertSink(clients.get(SNSClient, env.region), env.alertTopicArn),
    events: eventBridgeEvents(clients, env.region, env.eventBusName),
    // The planner makes no paced calls; the deployed runtime has one all the same.
    pacer: createPacer(
      { ratePerSecond: 2, burst: 4 },
      { now: () => clock.now(), sleep: (ms) => clock.sleep(ms) },
    ),
    clock: { now: () => clock.now(), sleep: (ms: number) => clock.sleep(ms) },
  };
  const handler = createHandler(() => runtime);
  send({ type: "ready", bareRss, loadedRss: process.memoryUsage().rss });

  process.on("message", async (message: ToContainer) => {
    if (message.type !== "invoke") return;
    clock = new ScaledTime(setup.scale, new Date(message.nowMs));
    let samples = 0;
    const peak = { rss: 0, heapTotal: 0, heapUsed: 0, external: 0 };
    const sample = () => {
      const now = process.memoryUsage();
      for (const key of Object.keys(peak) as (keyof typeof peak)[]) peak[key] = Math.max(peak[key], now[key]);
      samples++;
    };
    sample();
    const sampler = setInterval(sample, SAMPLE_EVERY_MS);
    let outcome: { result?: unknown; error?: string };
    try {
      const context = lambdaContext("retentionSweep", message.remainingMs, () => clock.now());
      outcome = { result: await handler(message.event, context) };
    } catch (error) {
      outcome = { error: String(error) };
    } finally {
      clearInterval(sampler);
      sample();
    }
    const hwm = vmHwm();
    send({
      type: "result",
      ...outcome,
      peakRss: peak.rss,
      peakHeap: { total: peak.heapTotal, used: peak.heapUsed, external: peak.external },
      samples,
      ...(hwm !== undefined ? { vmHwm: hwm } : {}),
    });
  });
  process.on("disconnect", () => process.exit(0));
}

await main();
