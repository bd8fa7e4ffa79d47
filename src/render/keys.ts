// ConfigMap keys of a run's rendered files. A key may only hold [-._a-zA-Z0-9] (and may not start with
// ".."), but the files form a small tree (agent-shell/stop-commit.sh), so paths are encoded:
//
//   rendered file  agent-shell/stop-commit.sh  →  key agent-shell_stop-commit.sh   ("/" becomes "_")
//   task file      task.md               →  key task_task.md           ("task_" + the file name)
//
// Reverse (what the entry script and any init container do), relative to the run directory: a key
// starting with "task_" is a task file whose name is the rest of the key, placed at the top; any other
// key is a rendered file placed under config/ at the key with every "_" turned back into "/" (a
// subdirectory, so that a task file named prompt.md or CLAUDE.md never overwrites a rendered one). This is unambiguous because rendered paths may not contain "_" and may not
// start with "task/" (checked by templateOutputProblem when templates load). The one exception: a task
// file name too long for the prefix (over 248 characters) is cut and given a hash, so its name is then
// only known from the explicit list (RenderedRun.files) — it is never guessed.
import { createHash } from 'node:crypto';

export const MAX_KEY_LENGTH = 253;
export const TASK_FILE_PREFIX = 'task_';
const KEY = /^[-._a-zA-Z0-9]+$/;
const SEGMENT = /^[-.a-zA-Z0-9]+$/;

/** Why `key` is not a valid ConfigMap key, or undefined when it is. */
export function configMapKeyProblem(key: string): string | undefined {
  if (key.length === 0 || key.length > MAX_KEY_LENGTH) return `must be 1 to ${MAX_KEY_LENGTH} characters`;
  if (!KEY.test(key)) return "may only contain letters, digits, '-', '.' and '_'";
  if (key === '.' || key.startsWith('..')) return "may not be '.' nor start with '..'";
  return undefined;
}

/** Why a rendered file's path (relative, "/"-separated) cannot be encoded reversibly, or undefined. */
export function templateOutputProblem(path: string): string | undefined {
  const segments = path.split('/');
  const bad = segments.find((s) => !SEGMENT.test(s) || s === '.' || s === '..');
  if (bad !== undefined) return `path segment "${bad}" must match [-.a-zA-Z0-9]+ ('_' is the key separator)`;
  if (segments.length > 1 && segments[0] === 'task')
    return 'a rendered path may not start with "task/" (keys starting "task_" are task files)';
  return configMapKeyProblem(segments.join('_'));
}

/** Keys of the paths seen so far: every render asks again for the same few template outputs. */
const renderedKeys = new Map<string, string>();

/** The key of a rendered file. Throws for a path that has no reversible key. */
export function renderedFileKey(path: string): string {
  const known = renderedKeys.get(path);
  if (known !== undefined) return known;
  const problem = templateOutputProblem(path);
  if (problem) throw new Error(`rendered file ${path}: ${problem}`);
  const key = path.split('/').join('_');
  renderedKeys.set(path, key);
  return key;
}

/** The key of a task markdown file (whose name is already in the key alphabet). */
export function taskFileKey(filename: string): string {
  const key = TASK_FILE_PREFIX + filename;
  if (key.length <= MAX_KEY_LENGTH) return key;
  const hash = createHash('sha256').update(filename).digest('hex').slice(0, 8);
  return `${key.slice(0, MAX_KEY_LENGTH - hash.length - 4)}-${hash}.md`;
}

/** The run directory's subdirectory holding the rendered files. */
export const RENDERED_DIR = 'config';

/** Where a key's file goes, relative to the run directory. */
export function configMapKeyToPath(key: string): string {
  return key.startsWith(TASK_FILE_PREFIX)
    ? key.slice(TASK_FILE_PREFIX.length)
    : `${RENDERED_DIR}/${key.split('_').join('/')}`;
}
