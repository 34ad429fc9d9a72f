/**
 * P5, cold start: every function's bundle, built as `sst deploy` builds it (bench/lib/bundle.ts),
 * against a bare handler that imports the same SDK clients and nothing else: the floor no handler
 * that calls those clients can go below. Per function:
 * - `P5.<fn>.bundle`: bundle size over the bare handler's (goal <= 1.1);
 * - `P5.<fn>.init`: median time to load the module in a fresh Node process, over the bare's
 *   (goal <= 1.2; runs alternate between the two, so drift on the machine hits both);
 * - `P5.<fn>.clients`: SDK clients loaded but not called, plus called but not loaded (goal 0),
 *   against the clients its role is granted (bench/lib/bundle-clients.ts says why that is the truth).
 * Absolute times are this machine's (x64, the local Node), not Lambda's arm64 Node 22: the ratios
 * are what carries over.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { AllFunctionSpecs, type FunctionName, type FunctionSpec } from "@outpost-ops/functions/src/jobs.ts";
import type { App } from "sst/constructs";
import { defaultFunctionProps } from "../stacks/defaults.ts";
import { type Bundle, bundle, extraByPackage } from "./lib/bundle.ts";
import { calledClients, clientMismatch } from "./lib/bundle-clients.ts";
import { bareHandlerSource, initMs, median } from "./lib/cold-start.ts";
import { type Benchmark, countFigure, type Figures, figure } from "./lib/figure.ts";

/** Imports per bundle (each in its own process); the median is the figure. */
const RUNS = { full: 7, small: 2 } as const;

const REGION = "us-west-2";
const ACCOUNT = "123456789012";
const STAGE = "bench";

/** Example values of the variables the stacks set on functions (jobs.ts `environment`). */
const EXAMPLE_VALUES: Record<string, string> = {
  ALERT_TOPIC_ARN: `arn:aws:sns:${REGION}:${ACCOUNT}:outpost-ops-${STAGE}-alerts`,
  EVENT_BUS_NAME: "default",
  SNAPSHOT_QUEUE_URL: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/outpost-ops-${STAGE}-snapshot-work.fifo`,
  RETENTION_QUEUE_URL: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/outpost-ops-${STAGE}-retention-work.fifo`,
};

/**
 * What the function's process sees in Lambda: the runtime's variables, the stacks' defaults
 * (stacks/defaults.ts, read from there so they cannot drift) and its own, and nothing of ours.
 */
function lambdaEnvironment(name: string, spec: FunctionSpec): Record<string, string> {
  const defaults = defaultFunctionProps({ stage: STAGE } as App).environment ?? {};
  const own = Object.fromEntries(spec.environment.map((v) => [v, EXAMPLE_VALUES[v] ?? "bench"]));
  return {
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_LAMBDA_FUNCTION_NAME: `outpost-ops-${STAGE}-${name}`,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "512",
    AWS_EXECUTION_ENV: "AWS_Lambda_nodejs22.x",
    AWS_NODEJS_CONNECTION_REUSE_ENABLED: "1",
    // The SDK's notice that Node 20 is old: this machine's Node, not Lambda's.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    ...defaults,
    ...own,
  };
}

/** `packages/functions/src/alarm/state-change.handler` → its source file, as SST finds it. */
function entryOf(spec: FunctionSpec): string {
  return spec.path.replace(/\.[^./]+$/, ".ts");
}

const kib = (bytes: number) => bytes / 1024;

export const run: Benchmark = async ({ size, progress }) => {
  const scale = { size, timeScale: 1 };
  const out = await mkdtemp(join(tmpdir(), "outpost-ops-p5-"));
  const figures: Figures = {};
  try {
    // Bare handlers by client set: functions that load the same clients share one floor.
    const bares = new Map<string, Bundle>();
    for (const [name, spec] of Object.entries(AllFunctionSpecs) as [FunctionName, FunctionSpec][]) {
      const entry = entryOf(spec);
      // Named as SST names it (the handler file's), so even the source-map comment is the same length.
      const ours = await bundle({ entry }, join(out, name, `${basename(entry, ".ts")}.mjs`));
      const key = ours.sdkClients.join(",");
      let bare = bares.get(key);
      if (!bare) {
        const contents = await bareHandlerSource(ours.resolvedClients);
        bare = await bundle({ contents }, join(out, `bare-${bares.size}`, "handler.mjs"));
        bares.set(key, bare);
      }

      const env = lambdaEnvironment(name, spec);
      const oursMs: number[] = [];
      const bareMs: number[] = [];
      for (let i = 0; i < RUNS[size]; i++) {
        oursMs.push(await initMs(ours.file, env));
        bareMs.push(await initMs(bare.file, env));
      }
      const init = median(oursMs);
      const floorInit = median(bareMs);

      const called = calledClients(name);
      const { notCalled, notLoaded } = clientMismatch(ours.sdkClients, called);
      const short = (clients: string[]) =>
        clients.map((c) => c.replace("@aws-sdk/client-", "")).join(", ") || "none";
      progress(
        `${name}: ${kib(ours.bytes).toFixed(0)} KiB (bare ${kib(bare.bytes).toFixed(0)}), init ${init.toFixed(0)} ms (bare ${floorInit.toFixed(0)}), loads ${short(ours.sdkClients)}`,
      );

      figures[`P5.${name}.bundle`] = figure({
        value: kib(ours.bytes),
        floor: kib(bare.bytes),
        ratio: ours.bytes / bare.bytes,
        goal: ["<=", 1.1],
        unit: "KiB",
        scale,
        note: `beyond a bare handler importing ${short(ours.sdkClients)}: ${extraByPackage(ours, bare)
          .slice(0, 5)
          .map(([owner, bytes]) => `${owner} ${kib(bytes).toFixed(1)}`)
          .join(", ")} KiB`,
      });
      figures[`P5.${name}.init`] = figure({
        value: init,
        floor: floorInit,
        ratio: init / floorInit,
        goal: ["<=", 1.2],
        unit: "ms",
        scale,
        note: `median of ${RUNS[size]} module loads in a fresh node ${process.version} each, alternating with the bare handler's`,
      });
      figures[`P5.${name}.clients`] = countFigure({
        value: notCalled.length + notLoaded.length,
        goal: ["<=", 0],
        unit: "clients",
        scale,
        note: [
          `loads ${short(ours.sdkClients)}; calls (its grants) ${short(called)}`,
          ...(notCalled.length ? [`loaded, never called: ${short(notCalled)}`] : []),
          ...(notLoaded.length ? [`called, not loaded: ${short(notLoaded)}`] : []),
        ].join("; "),
      });
    }
  } finally {
    await rm(out, { recursive: true, force: true });
  }
  return figures;
};
