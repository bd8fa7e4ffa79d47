// metadata.yaml, written beside the task files in each attempt's directory (.task/{id}/run-{n}/ for a
// task's run), as the seeds' workspace layout has it (000, 001: "Include metadata for tracking"): what
// the attempt was, for whoever inspects the workspace later. Derived from the template context; no
// time or other value that would make two renders of one attempt differ.
import { stringify } from 'yaml';
import type { TemplateContext } from './context-types.js';
import { taskFileKey } from './keys.js';

/** Its name in the run directory; task files are *.md (schema), so it never replaces one. */
export const METADATA_FILE = 'metadata.yaml';
/** Its ConfigMap key: a file placed at the top of the run directory (keys.ts). */
export const METADATA_KEY = taskFileKey(METADATA_FILE);

export function runMetadata(c: TemplateContext): string {
  return stringify({
    kind: c.run.kind,
    name: c.run.name,
    namespace: c.run.namespace,
    attempt: c.run.attempt,
    taskId: c.task.id,
    service: c.task.service,
    agent: c.agent.name,
    githubApp: c.agent.githubApp,
    model: c.agent.model,
    repository: c.repo && { url: c.repo.url, baseBranch: c.repo.baseBranch, branch: c.repo.branch },
    docs: c.docs && { url: c.docs.url, branch: c.docs.branch, taskDir: c.docs.taskDir },
    sessionResumed: c.session.resume,
  });
}
