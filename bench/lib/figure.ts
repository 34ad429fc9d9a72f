/**
 * A benchmark figure: what was measured, against AWS's floor (AWS-LIMITS.md), as the ratio the
 * benchmark issue sets a goal on. Every figure says the size and the time scale it ran at: ratios do
 * not depend on the scale, absolute times do.
 */
import { cpus, totalmem } from "node:os";

export type Comparison = ">=" | "<=";

export interface Figure {
  /** The measurement, in `unit`. */
  value: number;
  /** What AWS's limits allow at best, in `unit` (0 where the floor is "none": failures, errors). */
  floor: number;
  /** The figure the goal is on: floor/value, value/floor, or the value itself (see `goal`). */
  ratio: number;
  /** E.g. ">= 0.9" (on `ratio`). */
  goal: string;
  unit: string;
  met: boolean;
  /** What it ran at: work size and time scale (1 = real time). */
  scale: { size: string; timeScale: number };
  /** One line: how the floor is derived, or why a goal is missed. */
  note?: string;
}

export type Figures = Record<string, Figure>;

/**
 * @example figure({ value: 2200, floor: 1980, ratio: 1980 / 2200, goal: [">=", 0.9], unit: "s", scale, note })
 */
export function figure(input: {
  value: number;
  floor: number;
  ratio: number;
  goal: [Comparison, number];
  unit: string;
  scale: Figure["scale"];
  note?: string;
}): Figure {
  const [cmp, target] = input.goal;
  const ratio = round(input.ratio);
  return {
    value: round(input.value),
    floor: round(input.floor),
    ratio,
    goal: `${cmp} ${target}`,
    unit: input.unit,
    met: cmp === ">=" ? ratio >= target : ratio <= target,
    scale: input.scale,
    ...(input.note ? { note: input.note } : {}),
  };
}

/** A count whose goal is a bound on the value itself (failures: "<= 0"). */
export function countFigure(input: {
  value: number;
  goal: [Comparison, number];
  unit: string;
  scale: Figure["scale"];
  note?: string;
}): Figure {
  return figure({ ...input, floor: 0, ratio: input.value });
}

function round(n: number): number {
  return Number.isFinite(n) ? Math.round(n * 1000) / 1000 : n;
}

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  platform: string;
}

export function machine(): Machine {
  const list = cpus();
  return {
    cpus: list.length,
    cpuModel: list[0]?.model ?? "unknown",
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

/** What a benchmark module is given. */
export interface BenchOptions {
  /** `full`: the sizes the issue names (10,000 volumes, 100,000 snapshots); `small`: CI's smoke run. */
  size: "full" | "small";
  /** One line of progress (stderr; stdout carries the figures). */
  progress: (message: string) => void;
}

export type Benchmark = (options: BenchOptions) => Promise<Figures>;
