import { CONFIGMAP_LIMIT_BYTES, type TaskRun } from '../../api/index.js';
import { error } from '../../validation/index.js';
import type { Rule } from './context.js';

/**
 * Kept free in the run's ConfigMap for the rendered templates (entry script, each CLI's script,
 * CLAUDE.md, settings...): they render to about 130 KiB, and src/render/render-content.test.ts holds a
 * run at the markdown budget under this reserve.
 */
export const TEMPLATE_RESERVE_BYTES = 160 * 1024;
export const MARKDOWN_BUDGET_BYTES = CONFIGMAP_LIMIT_BYTES - TEMPLATE_RESERVE_BYTES;

const files = (run: TaskRun) => (Array.isArray(run.spec?.markdownFiles) ? run.spec.markdownFiles : []);

/** Each file becomes a ConfigMap key: two files with one name would silently lose one of them. */
export const uniqueFilenames: Rule<TaskRun> = ({ object }) => {
  const seen = new Map<string, number>();
  return files(object).flatMap((file, i) => {
    const name = file?.filename;
    if (typeof name !== 'string') return [];
    const first = seen.get(name);
    if (first === undefined) {
      seen.set(name, i);
      return [];
    }
    return [
      error(
        'unique-filenames',
        `spec.markdownFiles[${i}].filename`,
        `Duplicate value: "${name}" (also spec.markdownFiles[${first}]); each file becomes a ConfigMap key, so names must be unique`,
      ),
    ];
  });
};

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
/** Only strings reach the ConfigMap; any other type is the schema's finding (and String() may throw on it). */
const byteLength = (v: unknown) => (typeof v === 'string' ? Buffer.byteLength(v) : 0);

export const sizeBudget: Rule<TaskRun> = ({ object }) => {
  const total = files(object).reduce((sum, f) => sum + byteLength(f?.content) + byteLength(f?.filename), 0);
  if (total <= MARKDOWN_BUDGET_BYTES) return [];
  const largest = files(object)
    .map((f, i) => ({ i, size: byteLength(f?.content) }))
    .sort((a, b) => b.size - a.size)
    .slice(0, 3)
    .map(({ i, size }) => `spec.markdownFiles[${i}] ${kib(size)}`)
    .join(', ');
  return [
    error(
      'size-budget',
      'spec.markdownFiles',
      `Too long: the files total ${kib(total)} (${total} bytes), over the budget of ${kib(MARKDOWN_BUDGET_BYTES)} ` +
        `(the 1 MiB ConfigMap limit less ${kib(TEMPLATE_RESERVE_BYTES)} for rendered templates); largest: ${largest}. ` +
        'Move large content into the repository and reference it.',
    ),
  ];
};
