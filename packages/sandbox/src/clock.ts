/**
 * The sandbox clock: every AWS-side time (snapshot completion, visibility timeouts, dedupe windows,
 * Route 53 propagation) is measured on it, so tests can jump hours ahead without waiting.
 */
export class Clock {
  private ms: number;
  private readonly listeners = new Set<() => void>();

  constructor(start: Date) {
    this.ms = start.getTime();
  }

  now(): Date {
    return new Date(this.ms);
  }

  nowMs(): number {
    return this.ms;
  }

  set(t: Date): void {
    this.ms = t.getTime();
    this.notify();
  }

  advance(ms: number): void {
    this.ms += ms;
    this.notify();
  }

  /** Long-polling SQS receivers wake up when time moves (a message may have become visible). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }
}
