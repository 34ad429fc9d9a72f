import { describe, expect, it } from "vitest";
import { counter } from "../src/progress.ts";

function stream(isTTY: boolean) {
  const out: string[] = [];
  return { isTTY, write: (text: string) => out.push(text), out };
}

describe("Function: counter (progress of reads with no known total)", () => {
  it("at a terminal, rewrites one live line and clears it at the end", () => {
    // Prepare
    const s = stream(true);
    const c = counter("reading", s);

    // Act
    c.update("source snapshots", 1000);
    c.update("source snapshots", 2000);
    c.end();

    // Assess
    expect(s.out).toEqual([
      "\r\x1b[2Kreading: source snapshots 1000",
      "\r\x1b[2Kreading: source snapshots 2000",
      "\r\x1b[2K",
    ]);
  });

  it("in a log, one line per phase each time it passes another 10,000; a small estate stays quiet", () => {
    // Prepare
    const s = stream(false);
    const c = counter("reading", s);

    // Act
    for (let n = 1000; n <= 25_000; n += 1000) c.update("source snapshots", n);
    c.update("copies in us-east-1", 900);
    c.end();

    // Assess
    expect(s.out).toEqual(["reading: source snapshots 10000\n", "reading: source snapshots 20000\n"]);
  });
});
