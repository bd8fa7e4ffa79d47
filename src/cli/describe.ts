// `orchestrator describe <kind> <name>`: a run as kubectl describe shows an object: identity, a summary
// of its spec, its status, the agent's result, conditions, its attempts (the Jobs of the run), and its
// Events.
import type { Command } from 'commander';
import { githubAuth, githubAuthText, LABELS, type RunStatus, showUsd } from '../api/index.js';
import { runLabelValue } from '../naming/index.js';
import { EVENTS, JOBS, jobFinishTime, jobState, type KubeObject, resourcePath } from '../runtime/index.js';
import { age } from './duration.js';
import type { CliIO } from './io.js';
import { KIND_HELP, parseRef, runPath } from './kinds.js';
import { addKubeOptions, type Connection, type KubeFlags, withConnection } from './kube.js';
import { runStatus } from './progress.js';
import { formatTable } from './table.js';

const NONE = '<none>';
/** Longer spec values (markdown contents, long env values) are summarised by their size. */
const LONG = 80;

const field = (label: string, value: unknown, indent = 0) =>
  `${' '.repeat(indent)}${`${label}:`.padEnd(Math.max(14 - indent, label.length + 2))}${value ?? NONE}\n`;

const pairs = (record: Record<string, string> | undefined) =>
  record && Object.keys(record).length
    ? Object.entries(record)
        .map(([k, v]) => `${k}=${v}`)
        .join('\n              ')
    : NONE;

/** camelCase → Camel Case, as kubectl describe titles fields. */
const title = (key: string) =>
  key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase());

function scalar(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > LONG || text.includes('\n') ? `<${Buffer.byteLength(text)} bytes>` : text;
}

/** The spec as indented `Field: value` lines; nested objects and lists indented below their field. */
export function specLines(value: unknown, indent = 2): string {
  if (value === null || typeof value !== 'object') return '';
  const entries = Array.isArray(value) ? value.map((v, i) => [`[${i}]`, v] as const) : Object.entries(value);
  return entries
    .map(([key, v]) => {
      const label = key.startsWith('[') ? key : title(key);
      if (v !== null && typeof v === 'object')
        return `${' '.repeat(indent)}${label}:\n${specLines(v, indent + 2)}`;
      return field(label, scalar(v), indent);
    })
    .join('');
}

/** A titled table, its header underlined as kubectl describe does; `<none>` when it has no rows. */
const section = (heading: string, [header = [], ...rows]: string[][]) =>
  rows.length
    ? `${heading}:\n${formatTable([header, header.map((h) => '-'.repeat(h.length)), ...rows])
        .split('\n')
        .filter(Boolean)
        .map((l) => `  ${l}`)
        .join('\n')}\n`
    : `${heading}:  ${NONE}\n`;

/** The base branch's setup script (status.setup): its exit status and last line; its output is setup.log's. */
function setupLine(setup: RunStatus['setup']): string | undefined {
  if (!setup) return undefined;
  const last = setup.output?.trimEnd().split('\n').at(-1);
  return `${setup.script} exited ${setup.exitCode} (attempt ${setup.attempt})${last ? `: ${last}` : ''}`;
}

/**
 * What the agent reported (the result protocol, docs/result-protocol.md) and the pod and retries of
 * the attempt: only the fields present, aligned as one block; nothing when none is.
 */
export function resultSection(status: ReturnType<typeof runStatus>): string {
  const rows = (
    [
      ['Pull Request', status.pullRequestUrl],
      ['Session', status.sessionId],
      ['Work Completed', status.workCompleted],
      ['Summary', status.summary],
      ['Setup', setupLine(status.setup)],
      ['Commit', status.commit],
      ['Pod', status.podName],
      ['Retries', status.retryCount],
    ] as const
  ).filter(([, v]) => v !== undefined && v !== '');
  if (!rows.length) return '';
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  return `Result:\n${rows.map(([label, v]) => `  ${`${label}:`.padEnd(width)}${v}\n`).join('')}`;
}

const count = (n: number | undefined) => (n ?? 0).toLocaleString('en-US');

/**
 * What the agent's model calls cost (docs/economics.md): the run's total, then each attempt's, with the
 * limit that stopped it; nothing when no attempt reported any.
 */
export function usageSection(status: RunStatus | undefined): string {
  const u = status?.usage;
  if (!u) return '';
  const tokens = `${count(u.inputTokens)} in, ${count(u.outputTokens)} out, ${count(u.cacheReadInputTokens)} cache read, ${count(u.cacheCreationInputTokens)} cache write`;
  const models = (u.models ?? []).map((m) => `${m.model} ${showUsd(m.costUsd)}`).join(', ');
  const head = `Usage:
  Cost:    ${showUsd(u.costUsd)}
  Tokens:  ${tokens}
  Turns:   ${count(u.turns)}
${
  models
    ? `  Models:  ${models}
`
    : ''
}`;
  const rows = (status?.attemptUsage ?? []).map((a) => [
    String(a.attempt),
    showUsd(a.costUsd),
    count(a.turns),
    count(
      (a.inputTokens ?? 0) +
        (a.outputTokens ?? 0) +
        (a.cacheReadInputTokens ?? 0) +
        (a.cacheCreationInputTokens ?? 0),
    ),
    a.stopReason ?? '',
    a.finishedAt,
  ]);
  if (rows.length === 0) return head;
  const header = ['ATTEMPT', 'COST', 'TURNS', 'TOKENS', 'STOPPED', 'FINISHED'];
  const table = formatTable([header, header.map((h) => '-'.repeat(h.length)), ...rows])
    .split('\n')
    .filter(Boolean)
    .map((l) => `    ${l.trimEnd()}\n`);
  return `${head}  Attempts:\n${table.join('')}`;
}

/** Who the run acts as on GitHub. A TaskRun's App is its agent profile's, which only the controller config names. */
export function githubText(run: KubeObject): string {
  const spec = (run.spec ?? {}) as Record<string, unknown>;
  const auth = githubAuth(spec);
  if (auth.method === 'none' && run.kind === 'TaskRun')
    return `the GitHub App of the agent profile (${typeof spec.agent === 'string' ? spec.agent : 'default'})`;
  return githubAuthText(auth);
}

interface Job extends KubeObject {
  status?: { startTime?: string; completionTime?: string; conditions?: { type: string; status: string }[] };
}

async function related(conn: Connection, run: KubeObject) {
  const { name = '', namespace = '', uid = '' } = run.metadata ?? {};
  const [jobs, events] = await Promise.all([
    conn.client.request<{ items?: Job[] }>('GET', resourcePath(JOBS, namespace), {
      query: { labelSelector: `${LABELS.run}=${runLabelValue(name)}` },
    }),
    conn.client.request<{ items?: KubeObject[] }>('GET', resourcePath(EVENTS, namespace), {
      query: { fieldSelector: `involvedObject.uid=${uid}` },
    }),
  ]);
  // The run label is a name; runs of other kinds may share it, the owner reference may not.
  const own = (jobs.items ?? []).filter((j) => j.metadata?.ownerReferences?.some((o) => o.uid === uid));
  const byTime = (a: KubeObject, b: KubeObject) =>
    String(a.metadata?.creationTimestamp).localeCompare(String(b.metadata?.creationTimestamp));
  return { jobs: own.sort(byTime), events: (events.items ?? []).sort(byTime) };
}

export function describeText(run: KubeObject, jobs: Job[], events: KubeObject[], now = Date.now()): string {
  const meta = run.metadata ?? {};
  const created = meta.creationTimestamp as string | undefined;
  const status = runStatus(run);
  const conditions = status.conditions ?? [];
  // A failed Job has no completion time: it finished when its Failed condition became true.
  const finished = (j: Job) => {
    const at = jobFinishTime(j);
    return at ? `${age(at.toISOString(), now)} ago` : '-';
  };
  const eventTime = (e: KubeObject) =>
    (e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp) as string;
  return [
    field('Name', meta.name),
    field('Namespace', meta.namespace),
    field('Kind', run.kind),
    field('Labels', pairs(meta.labels)),
    field('Annotations', pairs(meta.annotations)),
    field('Created', created ? `${created} (${age(created, now)} ago)` : undefined),
    `Spec:\n${specLines(run.spec)}`,
    field('GitHub', githubText(run)),
    'Status:\n',
    field('Phase', status.phase ?? 'Pending', 2),
    field('Attempt', status.attempt, 2),
    field('Job', status.jobName, 2),
    field('ConfigMap', status.configMapName, 2),
    field('Message', status.message, 2),
    resultSection(status),
    usageSection(run.status as RunStatus | undefined),
    section('Conditions', [
      ['Type', 'Status', 'Reason', 'Age', 'Message'],
      ...conditions.map((c) => [
        c.type,
        c.status,
        c.reason,
        age(c.lastTransitionTime, now),
        String(c.message),
      ]),
    ]),
    section('Attempts', [
      ['Job', 'State', 'Started', 'Finished', 'Current'],
      ...jobs.map((j) => [
        j.metadata?.name ?? '',
        jobState(j),
        j.status?.startTime ? `${age(j.status.startTime, now)} ago` : '-',
        finished(j),
        j.metadata?.name === status.jobName ? '*' : '',
      ]),
    ]),
    section('Events', [
      ['Type', 'Reason', 'Age', 'From', 'Message'],
      ...events.map((e) => [
        String(e.type ?? ''),
        String(e.reason ?? ''),
        age(eventTime(e), now),
        String((e.source as { component?: string } | undefined)?.component ?? e.reportingComponent ?? ''),
        String(e.message ?? ''),
      ]),
    ]),
  ].join('');
}

export function registerDescribeCommand(program: Command, io: CliIO): void {
  addKubeOptions(
    program
      .command('describe')
      .description('show a run in detail: spec, status, conditions, attempts (Jobs) and events')
      .argument('<kind>', `${KIND_HELP}, or kind/name`)
      .argument('[name]', 'the run'),
  ).action(async (kindArg: string, nameArg: string | undefined, flags: KubeFlags) => {
    const { kind, name } = parseRef(kindArg, nameArg);
    await withConnection(flags, async (conn) => {
      const run = await conn.client.request<KubeObject>('GET', runPath(kind, conn.namespace, name));
      const { jobs, events } = await related(conn, run);
      io.out(describeText(run, jobs, events));
    });
  });
}
