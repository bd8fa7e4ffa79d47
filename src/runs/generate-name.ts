// The generateName of a run created without a name (the CLI, the REST API): its identity fields, so a
// person recognises it, short enough that the names derived from it stay within 63 characters.
import { promptService, type RunKindName, runService } from '../api/index.js';
import { slug } from '../naming/index.js';
import { isPlainObject } from '../util/index.js';

/** A generateName prefix short enough that the derived Job names stay within 63 characters. */
export const namePrefix = (...parts: string[]) => `${slug(parts.join('-')).slice(0, 40).replace(/-+$/, '')}-`;

/**
 * `payments-task-7-` for a TaskRun or CodeRun, `docs-projects-payments-` for a DocsRun, and for a prompt
 * run without a task id `payments-prompt-` (the service admission will derive from its repository).
 */
export function defaultGenerateName(kind: RunKindName, spec: Record<string, unknown>): string {
  if (kind === 'DocsRun') return namePrefix('docs', String(spec.workingDirectory ?? ''));
  if (kind === 'TaskRun' && typeof spec.prompt === 'string' && spec.taskId === undefined) {
    const url = isPlainObject(spec.repository) ? spec.repository.url : undefined;
    return namePrefix(
      runService(kind, spec) ?? (typeof url === 'string' ? promptService(url) : undefined) ?? 'task',
      'prompt',
    );
  }
  const service = runService(kind, spec) ?? kind.toLowerCase();
  return namePrefix(service, 'task', String(spec.taskId ?? ''));
}
