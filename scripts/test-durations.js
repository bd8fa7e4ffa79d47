// How long each test file took the last time it ran, kept between runs (in the cache folder) so that
// each lane starts its longest files first (scripts/test-lanes.js laneOrder). A missing or unreadable
// record is no record: the first run orders by path.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** file → ms, from the record at `path` (empty when there is none or it cannot be read). */
export function readDurations(path) {
  try {
    const record = JSON.parse(readFileSync(path, 'utf8'));
    return new Map(Object.entries(record).filter(([, ms]) => typeof ms === 'number' && ms >= 0));
  } catch {
    return new Map();
  }
}

/**
 * Writes `previous` updated with this run's `files` ({ file, ms }; one without ms, a file that did not
 * finish, keeps its earlier figure), replaced whole by a rename so a reader never sees half of it.
 */
export function writeDurations(path, previous, files) {
  const record = Object.fromEntries(previous);
  for (const { file, ms } of files) if (ms !== undefined) record[file] = Math.round(ms);
  mkdirSync(dirname(path), { recursive: true });
  const partial = `${path}.${process.pid}`;
  writeFileSync(partial, `${JSON.stringify(record, null, 1)}\n`);
  renameSync(partial, path);
}
