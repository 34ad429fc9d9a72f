import type { App, FunctionProps } from "sst/constructs";

/** Props every function gets; individual functions add timeout, environment and permissions. */
export function defaultFunctionProps(app: App): FunctionProps {
  return {
    runtime: "nodejs22.x",
    architecture: "arm_64",
    tracing: "disabled",
    memorySize: 512,
    // Minified ESM: AWS-LIMITS.md measures a 1.5 MB bundle at ~1 s of cold start, ~100 ms minified.
    nodejs: { format: "esm", minify: true },
    environment: {
      POWERTOOLS_SERVICE_NAME: "outpost-ops",
      POWERTOOLS_METRICS_NAMESPACE: "OutpostOps",
      OUTPOST_OPS_STAGE: app.stage,
    },
  };
}
