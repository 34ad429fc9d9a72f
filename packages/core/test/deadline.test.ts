import { describe, expect, it } from "vitest";
import { DeadlineError, withinDeadline } from "../src/deadline.ts";

async function* pages(n: number) {
  for (let i = 0; i < n; i++) yield [i];
}

describe("Function: withinDeadline", () => {
  it("passes every page through while time remains, and without a deadline", async () => {
    // Act
    const timed: number[][] = [];
    for await (const page of withinDeadline(pages(3), { remainingMs: () => 1000 }, "listing"))
      timed.push(page);
    const untimed: number[][] = [];
    for await (const page of withinDeadline(pages(3), undefined, "listing")) untimed.push(page);

    // Assess
    expect(timed).toEqual([[0], [1], [2]]);
    expect(untimed).toEqual(timed);
  });

  it("stops with DeadlineError, naming the work and the pages read, once time runs out", async () => {
    // Prepare: time runs out after two pages
    let left = 2;
    const deadline = { remainingMs: () => left-- };
    const seen: number[][] = [];

    // Act
    const error = await (async () => {
      for await (const page of withinDeadline(pages(5), deadline, "listing volumes")) seen.push(page);
    })().catch((e: unknown) => e);

    // Assess
    expect(seen).toEqual([[0], [1]]);
    expect(error).toBeInstanceOf(DeadlineError);
    expect((error as DeadlineError).message).toContain(
      "Stopped listing volumes before the Lambda timeout after 2 page(s)",
    );
  });
});
