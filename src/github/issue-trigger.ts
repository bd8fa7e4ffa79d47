// An issue request that may start a run (issue-mapping.ts), acted on (decision 0082): the actor's
// permission asked of GitHub with the run's App (trigger-permission.ts), then the issue's runs listed
// (by the githubIssue label, on the repository) so that one works on an issue at a time, then the
// TaskRun created (issue-run.ts) under a name that counts the issue's runs, so two deliveries racing for
// the same issue meet at the apiserver (409) rather than both starting one. A refusal of someone GitHub
// says may start runs (one already running, admission refusing the run) is answered on the issue
// through the run's App; a refusal of anyone else is only logged, so a stranger cannot make the bot
// speak. Every answer comes within the delivery's deadline.
import type { Logger } from 'pino';
import { type ControllerConfig, LABELS, runFinished, runResource, type TaskRun } from '../api/index.js';
import type { AccessReviewer } from '../auth/index.js';
import { repositoryKey } from '../naming/index.js';
import { ApiError, type ApiRequester, resourcePath } from '../runtime/index.js';
import type { Answer } from './answer.js';
import type { IssueTarget } from './issue-mapping.js';
import { ISSUE_ANNOTATIONS, issueRun, issueRunName } from './issue-run.js';
import { submitterVerdict } from './issue-submitter.js';
import type { PullRequestComments } from './pull-request-comments.js';
import { type RepositoryPermissions, triggerVerdict } from './trigger-permission.js';

/** How an issue request ended, as counted (orchestrator_github_issue_runs_total). */
export type IssueOutcome = 'created' | 'running' | 'redelivery' | 'refused' | 'unknown' | 'rejected';

export interface IssueTriggerDeps {
  api: ApiRequester;
  config: ControllerConfig;
  permissions: RepositoryPermissions | undefined;
  /** Where answers on the issue are posted; none (no App keys): they are only logged. */
  comments: PullRequestComments | undefined;
  /** What RBAC says the runs' submitter may use (issue-submitter.ts); none: runs that use anything are refused. */
  reviewer: AccessReviewer | undefined;
  logger: Logger;
  count: (outcome: IssueOutcome) => void;
}

/** The runs of the target's issue on its repository, newest name last. */
async function issueRuns(deps: IssueTriggerDeps, target: IssueTarget, timeoutMs: number): Promise<TaskRun[]> {
  const { repository, request } = target;
  const list = await deps.api.request<{ items?: TaskRun[] }>(
    'GET',
    resourcePath(runResource('TaskRun'), repository.namespace),
    { query: { labelSelector: `${LABELS.githubIssue}=${request.number}` }, timeoutMs },
  );
  const host = deps.config.github.host;
  // Spelt as the run's URL is (issue-run.ts): a host with a port keys apart from `owner/name`'s shorthand.
  const wanted = repositoryKey(`https://${host}/${repository.name}`, host);
  return (list.items ?? []).filter((r) => repositoryKey(r.spec?.repository?.url ?? '', host) === wanted);
}

/** Says `body` on the issue through the run's App, once per `marker`; a failure is logged, never the delivery's. */
async function answerOnIssue(
  deps: IssueTriggerDeps,
  target: IssueTarget,
  marker: string,
  body: string,
  signal: AbortSignal,
): Promise<void> {
  const { app, request } = target;
  const [owner = '', repo = ''] = target.repository.name.split('/');
  const where = `${target.repository.name}#${request.number}`;
  if (!app || !deps.comments) {
    deps.logger.info({ issue: where }, `not answered on the issue (no App to answer with): ${body}`);
    return;
  }
  try {
    const posted = await deps.comments.post(
      {
        app,
        pullRequest: { owner, repo, number: request.number },
        marker,
        body: `${marker}\n${body}`,
        on: 'issue',
      },
      signal,
    );
    deps.logger.info({ issue: where, comment: posted.url, found: posted.found }, 'answered on the issue');
  } catch (err) {
    deps.logger.warn({ issue: where, err: (err as Error).message }, 'could not answer on the issue');
  }
}

/**
 * A refused run, said on the issue without the why: the cluster's RBAC, namespaces and accounts are no
 * business of an issue's readers (a public repository's are anyone). The delivery's answer (GitHub's
 * delivery log, for the repository's admins) and the operator's log say it whole.
 */
const refusedOnIssue = (deps: IssueTriggerDeps, target: IssueTarget, delivery: string, signal: AbortSignal) =>
  answerOnIssue(
    deps,
    target,
    `<!-- orchestrator:issue-refused:${target.request.key.slice(0, 200)} -->`,
    `Not started: the cluster refused this issue's run. Its operators can see why in the orchestrator's log, or in this repository's webhook deliveries (delivery \`${delivery.slice(0, 200)}\`).`,
    signal,
  );

export async function startIssueRun(
  deps: IssueTriggerDeps,
  target: IssueTarget,
  delivery: { id: string; event: string; deadline: number },
): Promise<Answer> {
  const { config } = deps;
  const { request, repository } = target;
  const where = `${repository.name}#${request.number}`;
  const left = () => delivery.deadline - Date.now();
  const signal = () => AbortSignal.timeout(Math.max(1, left()));
  const verdict = await triggerVerdict({
    feedback: { actor: request.actor, repository: request.repository, trigger: 'issue' },
    app: target.app,
    config,
    permissions: deps.permissions,
    signal: signal(),
  });
  if ('refused' in verdict) {
    deps.count('refused');
    return { status: 403, message: `refused: ${verdict.refused}` };
  }
  if ('unknown' in verdict) {
    deps.count('unknown');
    return { status: 503, message: verdict.unknown };
  }
  if (left() <= 0) return { status: 503, message: 'no time left to reach the Kubernetes API' };
  const runs = await issueRuns(deps, target, left());
  const ns = repository.namespace;
  const same = runs.find((r) => r.metadata?.annotations?.[ISSUE_ANNOTATIONS.trigger] === request.key);
  if (same) {
    deps.count('redelivery');
    const name = same.metadata?.name ?? '';
    return {
      status: 200,
      message: `already done: TaskRun ${ns}/${name} was started by this`,
      run: { namespace: ns, name },
    };
  }
  const busy = runs.find((r) => !runFinished('TaskRun', r));
  if (busy) {
    deps.count('running');
    const name = busy.metadata?.name ?? '';
    const message = `a run is already working on ${where}: TaskRun ${ns}/${name}; one runs per issue at a time`;
    await answerOnIssue(
      deps,
      target,
      `<!-- orchestrator:issue-busy:${request.key.slice(0, 200)} -->`,
      `Not started: TaskRun \`${ns}/${name}\` is already working on this issue (one run per issue at a time). Ask again when it has finished.`,
      signal(),
    );
    return { status: 202, message: `not started: ${message}`, run: { namespace: ns, name } };
  }
  // The how-manieth run of the issue: a second delivery racing this one wants the same name.
  const name = issueRunName(repository.name, request.number, runs.length + 1);
  const run = issueRun({ target, name, delivery: delivery.id, event: delivery.event }, config);
  const allowed = await submitterVerdict(run, target.issues.submitter, config, deps.reviewer);
  if ('refused' in allowed) {
    if (allowed.status === 503) {
      deps.count('unknown');
      return { status: 503, message: allowed.refused };
    }
    deps.count('rejected');
    await refusedOnIssue(deps, target, delivery.id, signal());
    return { status: 422, message: `the issue's run is refused: ${allowed.refused}` };
  }
  if (left() <= 0) return { status: 503, message: 'no time left to reach the Kubernetes API' };
  try {
    await deps.api.request('POST', resourcePath(runResource('TaskRun'), ns), {
      body: run,
      timeoutMs: left(),
    });
  } catch (err) {
    if (err instanceof ApiError && err.status === 409) {
      deps.count('running');
      return {
        status: 202,
        message: `not started: TaskRun ${ns}/${name} was created for ${where} at the same time (one run per issue at a time)`,
        run: { namespace: ns, name },
      };
    }
    if (err instanceof ApiError && (err.status === 400 || err.status === 422)) {
      deps.count('rejected');
      await refusedOnIssue(deps, target, delivery.id, signal());
      return { status: 422, message: `the apiserver refused the issue's run: ${err.message}` };
    }
    throw err;
  }
  deps.count('created');
  await answerOnIssue(
    deps,
    target,
    `<!-- orchestrator:issue-run:${ns}/${name} -->`,
    `Started TaskRun \`${ns}/${name}\` (agent ${target.agent}) for this issue, asked by @${request.actor}. Its pull request will close this issue.`,
    signal(),
  );
  return {
    status: 201,
    message: `TaskRun ${ns}/${name} works on ${where} (task ${run.spec.taskId})`,
    run: { namespace: ns, name },
  };
}
