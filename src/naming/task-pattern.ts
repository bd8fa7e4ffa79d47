// Where a pull request names its task: a head branch like `feature/task-7-implementation` or a label
// like `task-7`, each a config pattern with `{taskId}` where the id stands (docs/github-webhook.md);
// and the task's marker file on its branch, which the stop hook writes and a play's association reads
// (decision 0057).
const PLACEHOLDER = '{taskId}';

/** Where task N's marker lies in the repository. */
export const taskMarkerPath = (taskId: number) => `.orchestrator/tasks/task-${taskId}.json`;

/** Why `pattern` cannot name a task (it needs `{taskId}` exactly once), or undefined. */
export function taskPatternProblem(pattern: string): string | undefined {
  const count = pattern.split(PLACEHOLDER).length - 1;
  return count === 1 ? undefined : `must contain ${PLACEHOLDER} exactly once (it has ${count})`;
}

const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The task id `value` names under `pattern` (a whole match, an id ≥ 1 without a leading 0), or undefined. */
export function taskIdFrom(pattern: string, value: string): number | undefined {
  const [before = '', after = ''] = pattern.split(PLACEHOLDER);
  const match = new RegExp(`^${literal(before)}([1-9][0-9]{0,14})${literal(after)}$`).exec(value);
  return match ? Number(match[1]) : undefined;
}
