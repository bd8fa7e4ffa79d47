// A container's log as it is read, held within a bound: its first quarter and its last three quarters of
// `keptBytes` (where an agent starts and where it failed), each cut at a line's end so that every line
// kept is whole and keeps its timestamp. What is left out between is said by a line of its own.

/** What was read, and what of it is kept. */
export interface HeldLog {
  /** The log's size as read, in bytes. */
  bytes: number;
  head: string;
  tail: string;
  /** Whether something between head and tail was left out. */
  cut: boolean;
}

const byteLength = (text: string) => Buffer.byteLength(text, 'utf8');

/** The longest start of `text` of at most `bytes` bytes that ends a line (or nothing). */
export function linesWithin(text: string, bytes: number): string {
  const start = Buffer.from(text, 'utf8').subarray(0, bytes).toString('utf8');
  if (start.length === text.length) return text;
  return start.slice(0, start.lastIndexOf('\n') + 1);
}

/** The shortest end of `text` of at most `bytes` bytes that starts a line (or nothing). */
export function lastLinesWithin(text: string, bytes: number): string {
  const all = Buffer.from(text, 'utf8');
  if (all.length <= bytes) return text;
  const from = all.length - bytes;
  const end = all.subarray(from).toString('utf8');
  // Cut right after a newline, the end starts a line already.
  if (all[from - 1] === 0x0a) return end;
  const newline = end.indexOf('\n');
  return newline < 0 ? '' : end.slice(newline + 1);
}

export class BoundedLog {
  private readonly headBytes: number;
  private readonly tailBytes: number;
  private head = '';
  private headFull = false;
  /** Chunks after the head, the oldest dropped once the rest holds the tail's bytes. */
  private chunks: string[] = [];
  private chunkBytes = 0;
  private bytes = 0;
  private dropped = false;

  constructor(keptBytes: number) {
    this.headBytes = Math.floor(keptBytes / 4);
    this.tailBytes = keptBytes - this.headBytes;
  }

  add(chunk: string): void {
    this.bytes += byteLength(chunk);
    if (!this.headFull) {
      this.head += chunk;
      if (byteLength(this.head) <= this.headBytes) return;
      const kept = linesWithin(this.head, this.headBytes);
      chunk = this.head.slice(kept.length);
      this.head = kept;
      this.headFull = true;
    }
    this.chunks.push(chunk);
    this.chunkBytes += byteLength(chunk);
    while (this.chunks.length > 1 && this.chunkBytes - byteLength(this.chunks[0] ?? '') >= this.tailBytes) {
      this.chunkBytes -= byteLength(this.chunks.shift() ?? '');
      this.dropped = true;
    }
  }

  /** What is held: the tail cut to its bound at a line's start. */
  held(): HeldLog {
    const rest = this.chunks.join('');
    const tail = lastLinesWithin(rest, this.tailBytes);
    return { bytes: this.bytes, head: this.head, tail, cut: this.dropped || tail.length < rest.length };
  }
}
