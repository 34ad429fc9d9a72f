/**
 * `npm run bench`: every whole-job benchmark of BENCHMARKS.md against AWS's floors, through the real
 * handlers and queues on the sandbox. Progress goes to stderr; stdout gets a table, or with `--json`
 * one object `{ machine, figures }`. `--size small` is CI's smoke run (test/bench); `--only P1,P5`
 * runs some of them.
 */
import { parseArgs } from "node:util";
import { type Benchmark, type Figures, machine } from "./lib/figure.ts";

/** Benchmark id → its module, loaded only when it runs. */
const BENCHMARKS: Record<string, () => Promise<{ run: Benchmark }>> = {
  P1: () => import("./p1-snapshot-sweep.ts"),
  P2: () => import("./p2-retention-sweep.ts"),
  P3: () => import("./p3-copy-backlog.ts"),
  P4: () => import("./p4-failover.ts"),
  P5: () => import("./p5-cold-start.ts"),
  retry: () => import("./retry-modes.ts"),
};

// The handlers' Powertools logs and metrics are not the benchmark's output (as in the drill).
process.env.POWERTOOLS_LOG_LEVEL ??= "SILENT";
process.env.POWERTOOLS_METRICS_DISABLED ??= "true";
// Node 20 here, Node 22 in Lambda: the SDK's notice about that (also in the benchmarks' child
// processes, which inherit this) is not the benchmark's output either.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      json: { type: "boolean", default: false },
      size: { type: "string", default: "full" },
      only: { type: "string" },
    },
  });
  const size = values.size === "small" ? "small" : "full";
  const ids = values.only ? values.only.split(",").map((s) => s.trim()) : Object.keys(BENCHMARKS);
  const unknown = ids.filter((id) => !(id in BENCHMARKS));
  if (unknown.length > 0) {
    process.stderr.write(
      `Unknown benchmark ${unknown.join(", ")} (have: ${Object.keys(BENCHMARKS).join(", ")})\n`,
    );
    process.exit(2);
  }
  const figures: Figures = {};
  for (const id of ids) {
    const started = Date.now();
    const progress = (message: string) => process.stderr.write(`[${id}] ${message}\n`);
    progress(`running (${size})`);
    try {
      const { run } = await (BENCHMARKS[id] as () => Promise<{ run: Benchmark }>)();
      Object.assign(figures, await run({ size, progress }));
      progress(`done in ${Math.round((Date.now() - started) / 1000)} s`);
    } catch (error) {
      // The other benchmarks still run and print; the exit code says one failed (its figures are missing).
      progress(`FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      process.exitCode = 1;
    }
  }
  if (values.json) process.stdout.write(`${JSON.stringify({ machine: machine(), figures }, null, 2)}\n`);
  else process.stdout.write(table(figures));
  // Sandboxes and timers of the benchmarks are closed; a stray handle must not keep CI waiting.
  process.exit(process.exitCode ?? 0);
}

function table(figures: Figures): string {
  const rows = Object.entries(figures).map(([id, f]) => [
    id,
    `${f.value} ${f.unit}`,
    `${f.floor} ${f.unit}`,
    String(f.ratio),
    f.goal,
    f.met ? "met" : "MISSED",
    `${f.scale.size}, x${f.scale.timeScale}`,
  ]);
  const header = ["figure", "value", "floor", "ratio", "goal", "", "size, time scale"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => `${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ")}\n`;
  const notes = Object.entries(figures)
    .filter(([, f]) => f.note)
    .map(([id, f]) => `  ${id}: ${f.note}\n`);
  return [line(header), ...rows.map(line), notes.length ? "\nNotes:\n" : "", ...notes].join("");
}

await main();
