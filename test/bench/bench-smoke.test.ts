/**
 * The benchmark is not a timed test (BENCHMARKS.md): CI only checks that `npm run bench` runs at its
 * small size and that its JSON carries every figure the benchmark issue names, each with its
 * measurement, floor, ratio, goal and scale. Whether a figure meets its goal is for the full run.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { AllFunctionSpecs } from "@outpost-ops/functions/src/jobs.ts";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const TSX = path.join(ROOT, "node_modules/.bin/tsx");

const SWEEP = ["", ".failures", ".longest-invocation", ".calls"];
const EXPECTED = [
  ...SWEEP.map((s) => `P1${s}`),
  ...SWEEP.map((s) => `P1-sets${s}`),
  "P2.pages",
  "P2.failures",
  "P2.delete-rate",
  "P2.peak-rss",
  "P3",
  "P3.quota-errors",
  "P3.slot-to-copy",
  "P4.alarm-to-change",
  "P4.insync-to-detection",
  "P4.cli-to-change",
  "P4.cli-insync-to-detection",
  ...Object.keys(AllFunctionSpecs).flatMap((fn) => [`P5.${fn}.bundle`, `P5.${fn}.init`, `P5.${fn}.clients`]),
  "retry.standard",
  "retry.adaptive",
];

describe("npm run bench -- --size small --json", () => {
  it("runs and reports every figure", { timeout: 300_000 }, async () => {
    const { stdout } = await promisify(execFile)(TSX, ["bench/run.ts", "--size", "small", "--json"], {
      cwd: ROOT,
      maxBuffer: 16 * 2 ** 20,
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    });
    const report = JSON.parse(stdout) as {
      machine: Record<string, unknown>;
      figures: Record<string, Record<string, unknown>>;
    };
    expect(report.machine).toMatchObject({ cpus: expect.any(Number), node: expect.any(String) });
    expect(Object.keys(report.figures).sort()).toEqual([...EXPECTED].sort());
    for (const [id, f] of Object.entries(report.figures)) {
      expect(f, id).toMatchObject({
        value: expect.any(Number),
        floor: expect.any(Number),
        ratio: expect.any(Number),
        goal: expect.stringMatching(/^(>=|<=) \d/),
        unit: expect.any(String),
        met: expect.any(Boolean),
        scale: { size: expect.any(String), timeScale: expect.any(Number) },
      });
    }
  });
});
