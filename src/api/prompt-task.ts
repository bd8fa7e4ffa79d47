// A TaskRun written as a prompt (`orchestrator run -p`, decision 0079): its task file is the prompt, and
// what a seed run names by hand is derived from what it was given, at admission (defaulting.ts), so
// `kubectl get` shows it and every later reader finds it stored:
// - serviceName: the repository's name as a DNS label (`acme/Payments.API` → `payments-api`);
// - taskId: a 10-digit number hashed from the repository's URL and branch and the prompt. The same prompt
//   on the same branch is the same task (its work branch and attempt directories); another prompt is
//   another task. A hash, not the run's name: a generateName run has no name yet when the webhook sees it.
import { createHash } from 'node:crypto';
import { boundedName, slug } from '../naming/index.js';
import { isPlainObject } from '../util/index.js';
import type { MarkdownFile } from './types.js';

type Obj = Record<string, unknown>;

/** The task file a prompt becomes (a markdown file of that name is refused beside a prompt). */
export const PROMPT_FILENAME = 'prompt.md';

/** Prompt task ids: 10 digits, so they read apart from a task list's small ids and rarely meet. */
const PROMPT_TASK_ID_MIN = 1_000_000_000;
const PROMPT_TASK_ID_SPAN = 9_000_000_000;

/** The repository's last path segment, without `.git`, as a DNS label; undefined when none is left. */
export function promptService(repositoryUrl: string): string | undefined {
  const last = repositoryUrl
    .replace(/\/+$/, '')
    .split(/[/:]/)
    .pop()
    ?.replace(/\.git$/, '');
  const name = slug(last ?? '');
  return name === '' ? undefined : boundedName(name);
}

/** The task id of a prompt on a repository's branch (both empty for a run without a repository). */
export function promptTaskId(prompt: string, repositoryUrl = '', branch = ''): number {
  const digest = createHash('sha256').update(`${repositoryUrl}\n${branch}\n${prompt}`).digest();
  // 48 bits are exact in a double; their spread over 9e9 values is even to within 1 in 30,000.
  return PROMPT_TASK_ID_MIN + (digest.readUIntBE(0, 6) % PROMPT_TASK_ID_SPAN);
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * What a TaskRun spec with a prompt derives (only what it lacks; nothing without a prompt). `spec` has
 * its shorthands made explicit and its schema defaults (the repository's URL and branch as stored).
 */
export function promptDefaults(spec: Obj): Obj {
  const prompt = str(spec.prompt);
  if (prompt === undefined) return {};
  const repository = isPlainObject(spec.repository) ? spec.repository : {};
  const url = str(repository.url);
  return {
    serviceName: url === undefined ? undefined : promptService(url),
    taskId: promptTaskId(prompt, url, str(repository.branch)),
  };
}

/** A TaskRun's task files in the order the agent reads them: the prompt's first, then markdownFiles. */
export function taskFilesOf(spec: { prompt?: string; markdownFiles?: MarkdownFile[] }): MarkdownFile[] {
  const files = spec.markdownFiles ?? [];
  return spec.prompt === undefined
    ? files
    : [{ filename: PROMPT_FILENAME, fileType: 'prompt', content: spec.prompt }, ...files];
}
