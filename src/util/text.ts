import { readFileSync } from 'node:fs';

/** The last `n` lines of a file, for error messages that point at a component's log. */
export function tailFile(path: string, n = 30): string {
  try {
    return lastLines(readFileSync(path, 'utf8'), n);
  } catch (err) {
    return `(no log at ${path}: ${(err as Error).message})`;
  }
}

function lastLines(text: string, n: number): string {
  const lines = text.replace(/\n+$/, '').split('\n');
  return lines.slice(Math.max(0, lines.length - n)).join('\n');
}
