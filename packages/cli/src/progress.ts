/**
 * Progress of long runs on stderr (stdout stays clean for --json): a live line on a terminal, a line
 * per 10% otherwise (CI logs).
 */
export interface Progress {
  tick(done: number, detail: string): void;
  end(): void;
}

export function progress(
  total: number,
  label: string,
  stream: { write(text: string): unknown; isTTY?: boolean } = process.stderr,
): Progress {
  const tty = stream.isTTY === true;
  let lastDecile = -1;
  return {
    tick(done, detail) {
      const pct = total === 0 ? 100 : Math.floor((done / total) * 100);
      const text = `${label} ${done}/${total} (${pct}%) ${detail}`;
      if (tty) stream.write(`\r\x1b[2K${text}`);
      else if (Math.floor(pct / 10) > lastDecile) {
        lastDecile = Math.floor(pct / 10);
        stream.write(`${text}\n`);
      }
    },
    end() {
      if (tty) stream.write("\n");
    },
  };
}

export const silentProgress: Progress = { tick() {}, end() {} };

/**
 * Progress of a read whose total is unknown until it ends (pages of snapshots, Region by Region):
 * `update("source snapshots", 12000)` as pages arrive. On a terminal, one live line; otherwise a line
 * each time a phase passes another `every` items, so a CI log of a large estate shows it moving and a
 * small one stays quiet.
 */
export interface Counter {
  update(what: string, count: number): void;
  end(): void;
}

export function counter(
  label: string,
  stream: { write(text: string): unknown; isTTY?: boolean },
  every = 10_000,
): Counter {
  const tty = stream.isTTY === true;
  const logged = new Map<string, number>();
  let live = false;
  return {
    update(what, count) {
      if (tty) {
        stream.write(`\r\x1b[2K${label}: ${what} ${count}`);
        live = true;
        return;
      }
      const step = Math.floor(count / every);
      if (step > (logged.get(what) ?? 0)) {
        logged.set(what, step);
        stream.write(`${label}: ${what} ${count}\n`);
      }
    },
    end() {
      // Clear the live line: what follows on stdout (the table) should not share a line with it.
      if (tty && live) stream.write("\r\x1b[2K");
    },
  };
}

export const silentCounter: Counter = { update() {}, end() {} };
