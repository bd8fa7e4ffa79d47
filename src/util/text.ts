import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** How much of a log's end is read for its last lines: a long log is never read whole, however often asked. */
const TAIL_BYTES = 64 * 1024;

/** The last `n` lines of a file, for error messages that point at a component's log. */
export function tailFile(path: string, n = 30): string {
  try {
    return lastLines(readEnd(path), n);
  } catch (err) {
    return `(no log at ${path}: ${(err as Error).message})`;
  }
}

/** The file's last {@link TAIL_BYTES} (its first line possibly cut, which `n` lines rarely reach). */
function readEnd(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    return buffer.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function lastLines(text: string, n: number): string {
  const lines = text.replace(/\n+$/, '').split('\n');
  return lines.slice(Math.max(0, lines.length - n)).join('\n');
}
