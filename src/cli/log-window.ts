// `logs --tail N` and `--since D`: the first read of a pod's log asks the apiserver for that window only,
// with each line's timestamp; a read after a cut stream asks from the second of the last line printed,
// and what was printed is dropped by its timestamp. So a window followed with -f across a reconnect
// neither repeats nor loses a line (without a window, logs.ts counts the characters printed instead).
// The timestamps are the kubelet's (RFC3339 with up to nine fractional digits, trailing zeros trimmed)
// and are not printed.

/** What part of the log the first read asks for: its last lines, or those of its last seconds. */
export interface LogWindow {
  tailLines?: number;
  sinceSeconds?: number;
}

/** A timestamp's whole seconds since the epoch and its fraction's nine digits; undefined if it is none. */
function parts(timestamp: string): { seconds: number; nanos: string } | undefined {
  const m = /^(.+?:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(timestamp);
  const ms = m ? Date.parse(`${m[1]}${m[3]}`) : Number.NaN;
  if (!m || Number.isNaN(ms)) return undefined;
  return { seconds: ms / 1000, nanos: (m[2] ?? '').padEnd(9, '0') };
}

/** A timestamp as a string that sorts as time does (trimmed fractions do not). */
function sortable(timestamp: string): string | undefined {
  const p = parts(timestamp);
  return p && `${String(p.seconds).padStart(12, '0')}.${p.nanos}`;
}

/** The whole second a timestamp falls in, in UTC, as the log API's sinceTime takes it. */
const wholeSecond = (timestamp: string) =>
  new Date((parts(timestamp)?.seconds ?? 0) * 1000).toISOString().replace(/\.\d+Z$/, 'Z');

export class WindowedLog {
  private started = false;
  /** The last line printed: its timestamp as given, its sortable form, how many printed lines share it. */
  private last: { given: string; key: string; count: number } | undefined;
  /** In the current read: lines at the last timestamp passed over so far, and an unfinished line. */
  private repeated = 0;
  private partial = '';
  private total = 0;

  constructor(private readonly window: LogWindow) {}

  /** The query of the next read (its `container` and `follow` are the caller's); starts a read. */
  nextQuery(): Record<string, string | number | boolean> {
    const first = !this.started || !this.last;
    this.started = true;
    this.repeated = 0;
    this.partial = '';
    if (first || !this.last)
      return {
        timestamps: true,
        ...(this.window.tailLines !== undefined ? { tailLines: this.window.tailLines } : {}),
        ...(this.window.sinceSeconds !== undefined ? { sinceSeconds: this.window.sinceSeconds } : {}),
      };
    return { timestamps: true, sinceTime: wholeSecond(this.last.given) };
  }

  /** How many lines it has printed (a read that printed none is no news). */
  printed(): number {
    return this.total;
  }

  /** What to print of a chunk of the read: its complete lines not printed before, without timestamps. */
  take(chunk: string): string {
    const lines = `${this.partial}${chunk}`.split('\n');
    this.partial = lines.pop() ?? '';
    return lines.map((line) => this.line(line)).join('');
  }

  /** The read ended with its stream: its last line, if it had no newline. */
  end(): string {
    const rest = this.partial;
    this.partial = '';
    return rest ? this.line(rest).replace(/\n$/, '') : '';
  }

  private line(line: string): string {
    const space = line.indexOf(' ');
    const given = space < 0 ? line : line.slice(0, space);
    const key = sortable(given);
    // A line the apiserver sent without a timestamp (none should come): printed as it is.
    if (!key) {
      this.total++;
      return `${line}\n`;
    }
    const text = `${space < 0 ? '' : line.slice(space + 1)}\n`;
    const last = this.last;
    if (last && key < last.key) return '';
    if (last && key === last.key) {
      if (this.repeated < last.count) {
        this.repeated++;
        return '';
      }
      last.count++;
      this.repeated++;
      this.total++;
      return text;
    }
    this.last = { given, key, count: 1 };
    this.repeated = 1;
    this.total++;
    return text;
  }
}
