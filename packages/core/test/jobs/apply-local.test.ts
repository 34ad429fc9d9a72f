import { describe, expect, it } from "vitest";
import { applyBatchesLocally, applyLocally } from "../../src/jobs/apply-local.ts";
import type { ItemOutcome } from "../../src/jobs/outcome.ts";
import type { Sleeper } from "../../src/pacing.ts";

function fakeClock(): Sleeper & { sleeps: number[] } {
  let t = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => t,
    sleep: async (ms) => {
      sleeps.push(ms);
      t += ms;
    },
  };
}

const outcome = (key: string, status: ItemOutcome["status"]): ItemOutcome => ({
  key,
  status,
  code: status === "retry" ? "rate-limited" : status === "failed" ? "aws-error" : "created",
  snapshotIds: [],
  detail: status,
});

/** Applies items from a script: item → statuses, one per attempt (the last one repeats). */
function scripted(script: Record<string, ItemOutcome["status"][]>) {
  const attempts: string[] = [];
  const apply = async (item: string): Promise<ItemOutcome[]> => {
    const n = attempts.filter((a) => a === item).length;
    attempts.push(item);
    const statuses = script[item] ?? ["created"];
    return [outcome(item, statuses[Math.min(n, statuses.length - 1)] ?? "created")];
  };
  return { apply, attempts };
}

describe("Function: applyLocally", () => {
  it("applies every item once when nothing needs a retry, without sleeping", async () => {
    // Prepare
    const clock = fakeClock();
    const { apply, attempts } = scripted({});

    // Act
    const outcomes = await applyLocally(["a", "b", "c"], apply, { clock });

    // Assess
    expect(outcomes.map((o) => [o.key, o.status])).toEqual([
      ["a", "created"],
      ["b", "created"],
      ["c", "created"],
    ]);
    expect(attempts).toEqual(["a", "b", "c"]);
    expect(clock.sleeps).toEqual([]);
  });

  it("retries items that came back retry in later rounds, after the retry wait", async () => {
    // Prepare
    const clock = fakeClock();
    const { apply, attempts } = scripted({ b: ["retry", "retry", "created"], c: ["retry", "exists"] });

    // Act
    const outcomes = await applyLocally(["a", "b", "c"], apply, { clock, retryWaitMs: 1_000 });

    // Assess
    expect(attempts).toEqual(["a", "b", "c", "b", "c", "b"]);
    expect(clock.sleeps).toEqual([1_000, 1_000]);
    expect(outcomes.map((o) => [o.key, o.status])).toEqual([
      ["a", "created"],
      ["c", "exists"],
      ["b", "created"],
    ]);
  });

  it("waits 15 s between rounds by default", async () => {
    // Prepare
    const clock = fakeClock();
    const { apply } = scripted({ a: ["retry", "created"] });

    // Act
    await applyLocally(["a"], apply, { clock });

    // Assess
    expect(clock.sleeps).toEqual([15_000]);
  });

  it("gives up after the last round and reports the retry outcome", async () => {
    // Prepare
    const clock = fakeClock();
    const { apply, attempts } = scripted({ a: ["retry"] });

    // Act
    const outcomes = await applyLocally(["a", "b"], apply, { clock, retryRounds: 2, retryWaitMs: 10 });

    // Assess
    expect(attempts).toEqual(["a", "b", "a", "a"]);
    expect(clock.sleeps).toEqual([10, 10]);
    expect(outcomes.map((o) => [o.key, o.status])).toEqual([
      ["b", "created"],
      ["a", "retry"],
    ]);
  });

  it("does not retry at all with zero retry rounds", async () => {
    // Prepare
    const clock = fakeClock();
    const { apply, attempts } = scripted({ a: ["retry"] });

    // Act
    const outcomes = await applyLocally(["a"], apply, { clock, retryRounds: 0 });

    // Assess
    expect(attempts).toEqual(["a"]);
    expect(outcomes.map((o) => o.status)).toEqual(["retry"]);
    expect(clock.sleeps).toEqual([]);
  });

  it("retries an item when any of its outcomes is retry, keeping only the final attempt's outcomes", async () => {
    // Prepare
    const clock = fakeClock();
    let calls = 0;
    const apply = async (_item: string): Promise<ItemOutcome[]> => {
      calls += 1;
      return calls === 1
        ? [outcome("snap-1", "deleted"), outcome("snap-2", "retry")]
        : [outcome("snap-1", "gone"), outcome("snap-2", "deleted")];
    };

    // Act
    const outcomes = await applyLocally(["batch"], apply, { clock, retryWaitMs: 1 });

    // Assess
    expect(outcomes.map((o) => [o.key, o.status])).toEqual([
      ["snap-1", "gone"],
      ["snap-2", "deleted"],
    ]);
  });

  it("reports progress after every attempt: items finished so far, the total, and the latest outcomes", async () => {
    // Prepare
    const clock = fakeClock();
    const { apply } = scripted({ b: ["retry", "created"] });
    const progress: [number, number, string[]][] = [];

    // Act
    await applyLocally(["a", "b", "c"], apply, {
      clock,
      retryWaitMs: 1,
      onProgress: (done, total, last) =>
        progress.push([done, total, last.map((o) => `${o.key}:${o.status}`)]),
    });

    // Assess
    expect(progress).toEqual([
      [1, 3, ["a:created"]],
      [1, 3, ["b:retry"]],
      [2, 3, ["c:created"]],
      [3, 3, ["b:created"]],
    ]);
  });

  it("returns nothing and calls nothing for no items", async () => {
    // Prepare
    const clock = fakeClock();
    const { apply, attempts } = scripted({});

    // Act
    const outcomes = await applyLocally([], apply, { clock });

    // Assess
    expect(outcomes).toEqual([]);
    expect(attempts).toEqual([]);
  });
});

describe("Function: applyBatchesLocally", () => {
  it("applies items in batches and re-applies only the items that came back retry", async () => {
    // Prepare: b is throttled once; a and c were created in its batch
    const clock = fakeClock();
    const { apply, attempts } = scripted({ b: ["retry", "created"] });
    const batches: string[][] = [];
    const applyBatch = async (batch: string[]) => {
      batches.push(batch);
      const outcomes: ItemOutcome[] = [];
      for (const item of batch) outcomes.push(...(await apply(item)));
      return outcomes;
    };

    // Act
    const outcomes = await applyBatchesLocally(["a", "b", "c", "d"], applyBatch, { clock, batchSize: 3 });

    // Assess
    expect(batches).toEqual([["a", "b", "c"], ["d"], ["b"]]);
    expect(attempts).toEqual(["a", "b", "c", "d", "b"]);
    expect(outcomes.map((o) => [o.key, o.status])).toEqual([
      ["a", "created"],
      ["c", "created"],
      ["d", "created"],
      ["b", "created"],
    ]);
    expect(clock.sleeps).toEqual([15_000]);
  });

  it("reports progress after each batch", async () => {
    // Prepare
    const { apply } = scripted({});
    const progress: number[] = [];

    // Act
    await applyBatchesLocally(
      ["a", "b", "c"],
      async (batch) => (await Promise.all(batch.map(apply))).flat(),
      {
        clock: fakeClock(),
        batchSize: 2,
        onProgress: (done) => progress.push(done),
      },
    );

    // Assess
    expect(progress).toEqual([2, 3]);
  });
});
