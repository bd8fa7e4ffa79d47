// What the console reads of a run, whatever its kind: the kinds' paths and the fields each keeps its
// agent and repository in (schemas/: TaskRun's spec.agent and spec.repository.url, CodeRun's
// spec.githubApp and spec.repositoryUrl, DocsRun's spec.repositoryUrl).
export const KINDS = [
  { kind: 'TaskRun', plural: 'agenttaskruns', retry: true },
  { kind: 'CodeRun', plural: 'coderuns', retry: true },
  { kind: 'DocsRun', plural: 'docsruns', retry: false },
];

export const PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Cancelled'];

export const kindOf = (plural) => KINDS.find((k) => k.plural === plural);

export const runPath = (plural, namespace, name) =>
  `/api/v1/namespaces/${encodeURIComponent(namespace)}/${plural}/${encodeURIComponent(name)}`;

export const runLink = (plural, namespace, name) =>
  `#/runs/${encodeURIComponent(namespace)}/${plural}/${encodeURIComponent(name)}`;

/** The fields of a run every page shows. */
export function summary(plural, run) {
  const spec = run.spec ?? {};
  const status = run.status ?? {};
  return {
    plural,
    kind: kindOf(plural)?.kind ?? plural,
    namespace: run.metadata?.namespace ?? '',
    name: run.metadata?.name ?? '',
    created: run.metadata?.creationTimestamp,
    labels: run.metadata?.labels ?? {},
    phase: status.phase ?? 'Pending',
    agent: spec.agent ?? spec.githubApp ?? '',
    repository: spec.repository?.url ?? spec.repositoryUrl ?? '',
    attempt: status.attempt ?? 0,
    cost: status.usage?.costUsd,
    pullRequest: status.pullRequestUrl,
    message: status.message ?? '',
  };
}
