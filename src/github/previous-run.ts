// The CodeRun a remediation continues: the task's latest run on the delivery's repository, in the
// repository's namespace (by the run labels of docs/design.md §3), or, for a comment whose payload
// names no task, the task of the run that opened the pull request (status.pullRequestUrl).
import {
  type CodeRun,
  type ControllerConfig,
  type DefaultedRun,
  LABELS,
  MANAGED_BY,
  resolveRun,
  runResource,
} from '../api/index.js';
import { repositoryKey } from '../naming/index.js';
import { type ApiRequester, resourcePath } from '../runtime/index.js';
import type { Target } from './mapping.js';

type Stored = DefaultedRun<'CodeRun'>;

const newestFirst = (a: Stored, b: Stored): number =>
  (b.metadata?.creationTimestamp ?? '').localeCompare(a.metadata?.creationTimestamp ?? '') ||
  b.spec.contextVersion - a.spec.contextVersion ||
  (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');

/** The run to continue, or why there is none. */
export async function previousRun(
  api: ApiRequester,
  target: Target,
  config: ControllerConfig,
  timeoutMs: number,
): Promise<{ run: Stored } | { none: string }> {
  const { repository, taskId, feedback } = target;
  const host = config.github.host;
  const selector = [
    taskId === undefined ? `${LABELS.managedBy}=${MANAGED_BY}` : `${LABELS.taskId}=${taskId}`,
    repository.service === undefined ? undefined : `${LABELS.service}=${repository.service}`,
  ].filter(Boolean);
  const list = await api.request<{ items?: CodeRun[] }>(
    'GET',
    resourcePath(runResource('CodeRun'), repository.namespace),
    { query: { labelSelector: selector.join(',') }, timeoutMs },
  );
  const wanted = repositoryKey(repository.name, host);
  // The apiserver applies the CRD's defaults on every read, but a CRD installed without them (an
  // older one) would not: the resolver (src/api/resolved-run.ts) makes the run the reconciler would see
  // either way.
  const runs = (list.items ?? [])
    .filter(
      (r) =>
        repositoryKey(r.spec?.repositoryUrl ?? '', host) === wanted &&
        (repository.service === undefined || r.spec.service === repository.service),
    )
    .map((r) => resolveRun('CodeRun', r, config).run);
  let task = taskId === undefined ? undefined : { taskId, service: undefined as string | undefined };
  if (!task) {
    const opener = runs.find((r) => r.status?.pullRequestUrl === feedback.pullRequestUrl);
    if (!opener)
      return {
        none: `no CodeRun in ${repository.namespace} opened ${feedback.pullRequestUrl}, and it has no task label`,
      };
    task = { taskId: opener.spec.taskId, service: opener.spec.service };
  }
  const { taskId: id, service } = task;
  const candidates = runs
    .filter((r) => r.spec.taskId === id && (service === undefined || r.spec.service === service))
    .sort(newestFirst);
  const latest = candidates[0];
  if (!latest)
    return {
      none: `no CodeRun of task ${id} on ${repository.name} in namespace ${repository.namespace} to continue`,
    };
  return { run: latest };
}
