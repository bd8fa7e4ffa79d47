// The generateName of a run created without a name (the CLI, the REST API): its identity fields, so a
// person recognises it, short enough that the names derived from it stay within 63 characters.
import { type RunKindName, runService } from '../api/index.js';
import { slug } from '../naming/index.js';

/** A generateName prefix short enough that the derived Job names stay within 63 characters. */
export const namePrefix = (...parts: string[]) => `${slug(parts.join('-')).slice(0, 40).replace(/-+$/, '')}-`;

/** `payments-task-7-` for a TaskRun or CodeRun, `docs-projects-payments-` for a DocsRun. */
export function defaultGenerateName(kind: RunKindName, spec: Record<string, unknown>): string {
  if (kind === 'DocsRun') return namePrefix('docs', String(spec.workingDirectory ?? ''));
  const service = runService(kind, spec) ?? kind.toLowerCase();
  return namePrefix(service, 'task', String(spec.taskId ?? ''));
}
