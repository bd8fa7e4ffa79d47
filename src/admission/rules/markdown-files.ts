import { CONFIGMAP_LIMIT_BYTES, PROMPT_FILENAME, type TaskRun } from '../../api/index.js';
import { isPlainObject } from '../../util/index.js';
import { error } from '../../validation/index.js';
import type { Rule } from './context.js';

/**
 * Kept free in the run's ConfigMap for the rendered templates (entry script, each CLI's script,
 * CLAUDE.md, settings...): they render to about 165 KiB, and src/render/render-content.test.ts holds a
 * run at the markdown budget under this reserve.
 */
export const TEMPLATE_RESERVE_BYTES = 176 * 1024;
export const MARKDOWN_BUDGET_BYTES = CONFIGMAP_LIMIT_BYTES - TEMPLATE_RESERVE_BYTES;

/** A task file as admission sees it: the field that writes it, its name and its text (any JSON). */
interface TaskFileField {
  where: string;
  filename: unknown;
  content: unknown;
}

/** The run's task files in the order they are rendered (taskFilesOf): the prompt's first. */
function files(run: TaskRun): TaskFileField[] {
  const spec = run.spec;
  const out: TaskFileField[] =
    typeof spec?.prompt === 'string'
      ? [{ where: 'spec.prompt', filename: PROMPT_FILENAME, content: spec.prompt }]
      : [];
  const markdown = Array.isArray(spec?.markdownFiles) ? spec.markdownFiles : [];
  for (const [i, f] of markdown.entries())
    out.push({ where: `spec.markdownFiles[${i}]`, filename: f?.filename, content: f?.content });
  return out;
}

/** The CRD says the same in CEL; this gives the message offline and without the CRD's rules. */
export const taskGiven: Rule<TaskRun> = ({ object }) => {
  // Any JSON reaches a rule: a spec that is no object is the schema's finding.
  const spec: unknown = object.spec;
  if (!isPlainObject(spec) || spec.markdownFiles !== undefined || spec.prompt !== undefined) return [];
  return [
    error(
      'task-given',
      'spec.markdownFiles',
      'Required value: give the task, as markdown files (spec.markdownFiles) or as a prompt (spec.prompt)',
    ),
  ];
};

/** Each file becomes a ConfigMap key: two files with one name would silently lose one of them. */
export const uniqueFilenames: Rule<TaskRun> = ({ object }) => {
  const seen = new Map<string, string>();
  return files(object).flatMap(({ where, filename }) => {
    if (typeof filename !== 'string') return [];
    const first = seen.get(filename);
    if (first === undefined) {
      seen.set(filename, where);
      return [];
    }
    const also = first === 'spec.prompt' ? "spec.prompt, the prompt's task file" : first;
    return [
      error(
        'unique-filenames',
        `${where}.filename`,
        `Duplicate value: "${filename}" (also ${also}); each file becomes a ConfigMap key, so names must be unique`,
      ),
    ];
  });
};

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
/** Only strings reach the ConfigMap; any other type is the schema's finding (and String() may throw on it). */
const byteLength = (v: unknown) => (typeof v === 'string' ? Buffer.byteLength(v) : 0);

export const sizeBudget: Rule<TaskRun> = ({ object }) => {
  const all = files(object);
  const total = all.reduce((sum, f) => sum + byteLength(f.content) + byteLength(f.filename), 0);
  if (total <= MARKDOWN_BUDGET_BYTES) return [];
  const largest = all
    .map((f) => ({ where: f.where, size: byteLength(f.content) }))
    .sort((a, b) => b.size - a.size)
    .slice(0, 3)
    .map(({ where, size }) => `${where} ${kib(size)}`)
    .join(', ');
  return [
    error(
      'size-budget',
      'spec.markdownFiles',
      `Too long: the task files total ${kib(total)} (${total} bytes), over the budget of ${kib(MARKDOWN_BUDGET_BYTES)} ` +
        `(the 1 MiB ConfigMap limit less ${kib(TEMPLATE_RESERVE_BYTES)} for rendered templates); largest: ${largest}. ` +
        'Move large content into the repository and reference it.',
    ),
  ];
};
