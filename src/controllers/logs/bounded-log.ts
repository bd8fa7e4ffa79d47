// A container's log as it is read, held within a bound: its first quarter and its last three quarters of
// `keptBytes` (where an agent starts and where it failed), each cut at a line's end so that every line
// kept is whole and keeps its timestamp. What is left out between is said by a line of its own. The
// bound counts the text as read, timestamps included (it bounds memory); sizes reported count what the
// container wrote, without them.

/** What was read, and what of it is kept. */
export interface HeldLog {
  /** The log's size as the container wrote it (without the kubelet's timestamps), in bytes. */
  bytes: number;
  head: string;
  tail: string;
  /** Whether something between head and tail was left out. */
  cut: boolean;
}

const byteLength = (text: string) => Buffer.byteLength(text, 'utf8');

/** The bytes of timestamped lines without their timestamps (each line's text up to its first space). */
export function unstampedBytes(text: string): number {
  let stamps = 0;
  for (let start = 0; start < text.length; ) {
    const space = text.indexOf(' ', start);
    const newline = text.indexOf('\n', start);
    const end = newline < 0 ? text.length : newline + 1;
    stamps += space < 0 || space >= end ? end - start - (newline < 0 ? 0 : 1) : space - start + 1;
    start = end;
  }
  return byteLength(text) - stamps;
}

/** The longest start of `text` of at most `bytes` bytes that ends a line (or nothing). */
export function linesWithin(text: string, bytes: number): string {
  const all = Buffer.from(text, 'utf8');
  if (all.length <= bytes) return text;
  const start = all.subarray(0, bytes).toString('utf8');
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
  /** Whether the last chunk dropped ended a line: the rest then starts one. */
  private droppedAtLineEnd = true;
  /** The timestamps read so far (ASCII: characters are bytes), and whether the next character is in one. */
  private stampBytes = 0;
  private inStamp = true;
  private dropped = false;

  constructor(keptBytes: number) {
    this.headBytes = Math.floor(keptBytes / 4);
    this.tailBytes = keptBytes - this.headBytes;
  }

  add(chunk: string): void {
    this.bytes += byteLength(chunk);
    this.countStamps(chunk);
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
      const dropped = this.chunks.shift() ?? '';
      this.chunkBytes -= byteLength(dropped);
      this.droppedAtLineEnd = dropped.endsWith('\n');
      this.dropped = true;
    }
  }

  /** What is held: the tail cut to its bound at a line's start. */
  held(): HeldLog {
    const joined = this.chunks.join('');
    // After a drop in the middle of a line, the tail starts at the next whole line.
    const rest = this.droppedAtLineEnd ? joined : joined.slice(joined.indexOf('\n') + 1 || joined.length);
    const tail = lastLinesWithin(rest, this.tailBytes);
    const bytes = this.bytes - this.stampBytes;
    return { bytes, head: this.head, tail, cut: this.dropped || tail.length < joined.length };
  }

  /** Counts the timestamp each line starts with, across chunks (a stamp ends at its line's first space). */
  private countStamps(chunk: string): void {
    for (let i = 0; i < chunk.length; ) {
      const stop = chunk.indexOf(this.inStamp ? ' ' : '\n', i);
      const end = stop < 0 ? chunk.length : stop + 1;
      if (this.inStamp) this.stampBytes += end - i;
      if (stop >= 0) this.inStamp = !this.inStamp;
      i = end;
    }
  }
}
