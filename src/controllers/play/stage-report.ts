// A Workflow's stages as the pull request reads them (docs/argo.md "Stage results and cost"): the
// CodeRuns an Argo Workflow created for one task (the label coderun-template sets, and the Workflow as
// their owner), each a stage named by its agent profile's role, with its outcome, attempts, pull request
// and cost. One comment per Workflow and task, posted by the App of its first run (the only one whose
// comment later stages may edit), on that run's pull request when it lies in the App's repositories.
// Only the operator's own figures go into it: names, phases, counts and the cost's decimal string, never
// text an agent wrote. Pure.
import { type CodeRun, type ControllerConfig, formatUsd, parseUsd, resolveRun } from '../../api/index.js';
import { type PullRequestRef, pullRequestOf, tokenScope } from '../../github/index.js';

/** The label Argo's coderun-template puts on each run: the Workflow's name. */
export const WORKFLOW_LABEL = 'workflows.argoproj.io/workflow';
const ENDED = new Set(['Succeeded', 'Failed', 'Cancelled']);

/** The Workflow and task a run is a stage of, or undefined for a run no Workflow made. */
export interface PlayKey {
  namespace: string;
  workflow: string;
  /** The Workflow's uid (its owner reference): a Workflow deleted and made again is another play. */
  uid: string;
  taskId: number;
}

export function playKey(run: CodeRun): PlayKey | undefined {
  const workflow = run.metadata?.labels?.[WORKFLOW_LABEL];
  const owner = run.metadata?.ownerReferences?.find(
    (o) => o.kind === 'Workflow' && o.apiVersion.startsWith('argoproj.io/') && o.name === workflow,
  );
  const namespace = run.metadata?.namespace;
  if (!workflow || !owner?.uid || !namespace) return undefined;
  return { namespace, workflow, uid: owner.uid, taskId: run.spec.taskId };
}

export const samePlay = (a: PlayKey, b: PlayKey) => a.uid === b.uid && a.taskId === b.taskId;

export const ended = (run: CodeRun) => ENDED.has(run.status?.phase ?? '');

/** One stage: a run of the play. */
export interface StageRow {
  /** The agent profile's role (implementation, quality, testing, …), else the agent's name. */
  stage: string;
  run: string;
  agent: string;
  outcome: string;
  attempts: number;
  /** The round of the quality stages (the name's `-rN`, decision 0052), when it has one. */
  round?: number;
  pullRequest?: PullRequestRef;
  costUsd?: string;
}

/** The run's stage, for a metric's label too: the profile's role is one of a bounded set. */
export function stageOf(run: CodeRun, config: ControllerConfig): { stage: string; agent: string } {
  const resolved = resolveRun('CodeRun', run, config);
  const agent = resolved.agent ?? 'unknown';
  const role = resolved.profile?.role;
  return { stage: role ?? (agent in config.agents ? agent : 'other'), agent };
}

export function stageRow(run: CodeRun, config: ControllerConfig): StageRow {
  const status = run.status;
  const round = /-(?:quality|testing)-r([1-9][0-9]{0,3})$/.exec(run.metadata?.name ?? '')?.[1];
  const pullRequest = pullRequestOf(status?.pullRequestUrl, config.github.host);
  return {
    ...stageOf(run, config),
    run: run.metadata?.name ?? '',
    outcome: status?.phase ?? 'Pending',
    attempts: status?.attempt ?? 0,
    ...(round ? { round: Number(round) } : {}),
    ...(pullRequest ? { pullRequest } : {}),
    ...(status?.usage?.costUsd ? { costUsd: status.usage.costUsd } : {}),
  };
}

const created = (run: CodeRun) => `${run.metadata?.creationTimestamp ?? ''} ${run.metadata?.name ?? ''}`;

/** The runs of `key`'s play among `runs`, in the order they were created. */
export function playRuns(key: PlayKey, runs: CodeRun[]): CodeRun[] {
  return runs
    .filter((r) => {
      const k = playKey(r);
      return k !== undefined && samePlay(k, key);
    })
    .sort((a, b) => created(a).localeCompare(created(b)));
}

/** Where the play's report goes and as whom: the first run's App, on its pull request in its repositories. */
export interface ReportTarget {
  app: string;
  pullRequest: PullRequestRef;
}

export function reportTarget(runs: CodeRun[], config: ControllerConfig): ReportTarget | undefined {
  const [first] = runs;
  const scope = first && tokenScope('CodeRun', first, config);
  if (!scope) return undefined;
  // Only the first run's pull request: a later stage's agent could report any number in the App's
  // repositories and so choose where the first App's comment goes.
  const pr = pullRequestOf(first.status?.pullRequestUrl, config.github.host);
  if (!pr || pr.owner.toLowerCase() !== scope.owner) return undefined;
  const repo = scope.repositories.find((r) => r.toLowerCase() === pr.repo.toLowerCase());
  return repo ? { app: scope.app, pullRequest: { ...pr, owner: scope.owner, repo } } : undefined;
}

/** The first line of the report: names the play, the task and the App (whose comment alone it edits). */
export const reportMarker = (key: PlayKey, app: string) =>
  `<!-- orchestrator.io/play-stages workflow=${key.uid} task=${key.taskId} app=${app.toLowerCase()} -->`;

/** The total of the rows' costs, exact (micro-dollars), or undefined when none has one. */
export function totalCost(rows: StageRow[]): string | undefined {
  const costs = rows.map((r) => parseUsd(r.costUsd)).filter((c): c is number => c !== undefined);
  return costs.length ? formatUsd(costs.reduce((a, b) => a + b, 0)) : undefined;
}

export function reportBody(key: PlayKey, app: string, rows: StageRow[]): string {
  const lines = rows.map((r) => {
    const pr = r.pullRequest ? `#${r.pullRequest.number}` : '—';
    const round = r.round ? ` (round ${r.round})` : '';
    return `| ${r.stage}${round} | \`${r.run}\` | ${r.agent} | ${r.outcome} | ${r.attempts} | ${pr} | ${r.costUsd ?? '—'} |`;
  });
  const total = totalCost(rows);
  return [
    reportMarker(key, app),
    `**Stages of \`${key.workflow}\`, task ${key.taskId}** (updated as each stage ends)`,
    '',
    '| stage | run | agent | outcome | attempts | pull request | cost (USD) |',
    '|---|---|---|---|---|---|---|',
    ...lines,
    '',
    `Total cost: ${total ?? 'not reported'} USD (the runs' \`status.usage\`).`,
  ].join('\n');
}
