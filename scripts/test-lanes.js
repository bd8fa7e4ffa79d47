// Which lane each test file runs in under `npm test`, and what it waits for, read from the file itself
// so that the fact lives once, beside the code that needs it:
// - `real-node`: a file whose header says `@lane real-node` starts the real node (one per host), so
//   these files run one after another, beside the other lanes;
// - `unit`: every file outside test/integration/ (no cluster: the harness refuses one there);
// - `integration`: the rest, against the one shared control plane.
// A header line `@needs a b` (then, if anything, not a plain word: `(why)`) names the programs or
// images (NEEDS) the file runs and the runner builds in the background: the file starts once they are
// built, never inside its own time limit.
// Plain JavaScript: scripts/test.js reads it before anything is compiled.
import { readFileSync } from 'node:fs';

export const LANES = ['unit', 'integration', 'real-node'];

/**
 * What a file may wait for, in the order the runner builds them: the real node's kubelet and the agent
 * image first (the real-node lane's first file, the agent's end to end, needs only those), then
 * kube-router (real-node.test.ts), the operator's image and helm (the in-cluster suite), so that the
 * real-node lane runs those while Argo's programs build (the longest build: cold, the lane waited on it
 * with nothing to run), then Argo's (the two Argo files), the Collector (two integration files, which
 * run last in their lane anyway), and the controller-runtime peer (the benchmarks' smoke rounds, last
 * in the integration lane).
 */
export const NEEDS = [
  'node',
  'agent-image',
  'kube-router',
  'operator-image',
  'helm',
  'argo',
  'otelcol',
  'peer',
];

/** The header: the comment lines before the first line of code (imports included). */
function header(text) {
  const lines = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('//') && line.trim() !== '') break;
    lines.push(line);
  }
  return lines.join('\n');
}

/** A file's lane and needs from its path and text; an unknown need is an error naming the file. */
export function classify(file, text) {
  const head = header(text);
  const tagged = /@lane (\S+)/.exec(head)?.[1];
  if (tagged !== undefined && tagged !== 'real-node')
    throw new Error(`${file}: @lane ${tagged}: the only lane a file may name is real-node`);
  const integration = file.split(/[\\/]/).includes('integration') && file.startsWith('test');
  if (tagged && !integration)
    throw new Error(`${file}: @lane real-node is for files under test/integration/`);
  const lane = tagged ?? (integration ? 'integration' : 'unit');
  const needs = [...head.matchAll(/@needs((?: +[a-z][a-z-]*)+)/g)].flatMap((m) => m[1].trim().split(/ +/));
  for (const need of needs)
    if (!NEEDS.includes(need))
      throw new Error(`${file}: @needs ${need}: known needs are ${NEEDS.join(', ')}`);
  if (lane === 'unit' && needs.length > 0)
    throw new Error(
      `${file}: @needs is for files under test/integration/ (a unit file runs before any build)`,
    );
  return { file, lane, needs: [...new Set(needs)] };
}

/** Classifies files read from disk (paths relative to `root`). */
export function classifyFiles(root, files) {
  return files.map((file) => classify(file, readFileSync(`${root}/${file}`, 'utf8')));
}

/**
 * The files of a lane in the order they run: those needing nothing first, then by the latest of their
 * needs in NEEDS' order (the order they are built); within a rank the longest first by `durations`
 * (file → ms of the last run that ran it; a file never timed counts as the longest), so that a lane
 * running several at once does not end waiting on one long file started last; the path breaks ties.
 */
export function laneOrder(classified, lane, durations = new Map()) {
  const rank = (f) => Math.max(-1, ...f.needs.map((n) => NEEDS.indexOf(n)));
  const length = (f) => durations.get(f.file) ?? Number.POSITIVE_INFINITY;
  return classified
    .filter((f) => f.lane === lane)
    .sort(
      (a, b) =>
        rank(a) - rank(b) ||
        (length(a) === length(b) ? 0 : length(b) > length(a) ? 1 : -1) ||
        (a.file < b.file ? -1 : a.file > b.file ? 1 : 0),
    );
}

/**
 * The files of `waiting` (in laneOrder's order) that may start now: every need in `settled`, the needs
 * whose build has ended, built or failed (a file whose build failed runs and fails saying so).
 */
export function readyFiles(waiting, settled) {
  return waiting.filter((f) => f.needs.every((n) => settled.has(n)));
}
