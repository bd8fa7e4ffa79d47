// What a set of watched paths holds right now, read in full, with one fingerprint for all of it: "did
// anything change?" is then one string compare however many files there are, and a poll that finds
// the same bytes costs a read and a hash, never a parse.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface Snapshot {
  /** Equal fingerprints, equal files (an unreadable path counts by its error). */
  readonly fingerprint: string;
  /** The bytes of a watched file or of a file under a watched directory; throws what reading it threw. */
  bytes(path: string): Buffer;
  /** `bytes` as UTF-8. */
  text(path: string): string;
}

/** Reads every path: a file as itself, a directory as every file under it. Never throws. */
export function readSnapshot(paths: readonly string[]): Snapshot {
  const entries = new Map<string, Buffer | Error>();
  for (const path of paths) readPath(resolve(path), entries);
  const hash = createHash('sha256');
  for (const [path, content] of [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    // Lengths keep the boundaries unambiguous: no two different sets of files hash the same stream.
    hash.update(`${path.length}:${path}`);
    if (content instanceof Error) hash.update(`!${content.message.length}:${content.message}`);
    else hash.update(`=${content.length}:`).update(content);
  }
  const bytes = (path: string): Buffer => {
    const content = entries.get(resolve(path));
    if (content === undefined) throw new Error(`${path} is not among the files read`);
    if (content instanceof Error) throw content;
    return content;
  };
  return { fingerprint: hash.digest('hex'), bytes, text: (path) => bytes(path).toString('utf8') };
}

/** Follows links, as a reader of the path would: a kubelet volume's files are links into `..data`. */
function readPath(path: string, entries: Map<string, Buffer | Error>): void {
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) readDirectory(path, entries);
    else if (stat.isFile()) entries.set(path, readFileSync(path));
  } catch (err) {
    // Gone between the listing and the read, or never there: part of the state, not a crash.
    entries.set(path, err as Error);
  }
}

function readDirectory(dir: string, entries: Map<string, Buffer | Error>): void {
  for (const name of readdirSync(dir)) {
    // The kubelet's `..data` and `..<timestamp>` hold the same files again, reached through the links.
    if (!name.startsWith('..')) readPath(join(dir, name), entries);
  }
}
