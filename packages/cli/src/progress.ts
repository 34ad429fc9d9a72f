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
  stream: NodeJS.WriteStream = process.stderr,
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
