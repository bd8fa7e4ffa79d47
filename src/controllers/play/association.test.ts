// The play's task marker recorded on its Workflow for the `associated` step: removed when its
// implementation or quality run starts, read and recorded (the verdict's word, the operator's sentence,
// the commit, the pull request) when that run succeeds, once; only for the play's latest such run, of a
// Workflow named as a play of its task, on the first run's pull request; `unchecked` without App keys;
// GitHub's transient failures tried again, then recorded `unreadable` with why; the Workflow's uid a
// precondition of every write.
import pino from 'pino';
import t from 'tap';
import { apiError, FakeApi } from '../../../test/harness/fakes/fake-api.js';
import { playStage } from '../../../test/harness/fakes/play-stage.js';
import { seedConfig } from '../../../test/harness/util/app-configs.js';
import type { CodeRun } from '../../api/index.js';
import { TokenFailure } from '../../github/app-tokens/index.js';
import type { MarkerReading, TaskMarkers } from '../../github/index.js';
import { Store } from '../../runtime/index.js';
import { MARKER_WINDOW_MS, PlayAssociation } from './association.js';
import { playKey } from './stage-report.js';

const config = seedConfig();
const PR = 'https://github.com/acme/payments/pull/12';
const NOW = new Date('2026-11-27T10:00:00Z');
const WF = '/apis/argoproj.io/v1alpha1/namespaces/team-a/workflows/play-payments-t3';
const COMMIT = 'a'.repeat(40);

/** A stage of play-payments-t3 (uid wf-1), or of the Workflow `workflow`. */
const stage = (
  name: string,
  app: string,
  created: string,
  status: Partial<NonNullable<CodeRun['status']>> = {},
  workflow = 'play-payments-t3',
) => playStage(name, app, created, status, { name: workflow, uid: 'wf-1' });

const succeeded = (at = '2026-11-27T09:59:00Z', pullRequestUrl: string | undefined = PR) => ({
  phase: 'Succeeded' as const,
  completionTime: at,
  ...(pullRequestUrl ? { pullRequestUrl } : {}),
});

const found = (taskId: number): MarkerReading => ({
  verdict: { kind: 'task', taskId },
  commit: COMMIT,
  detail: `.orchestrator/tasks/task-3.json at aaaaaaaaaaaa of acme/payments#12 names task ${taskId}`,
});

function world(read?: TaskMarkers['read']) {
  const api = new FakeApi();
  const runs = new Store<CodeRun>();
  const asked: Array<Parameters<TaskMarkers['read']>[0]> = [];
  const association = new PlayAssociation({
    client: api,
    runs,
    ...(read
      ? {
          markers: {
            read: (req, signal) => {
              asked.push(req);
              return read(req, signal);
            },
          },
        }
      : {}),
    maxTries: 3,
    now: () => NOW,
  });
  const sync = (run: CodeRun, retries = 0) => {
    runs.set(run);
    const key = playKey(run);
    if (!key) throw new Error('not a stage');
    return association.sync(run, key, config, {
      signal: new AbortController().signal,
      logger: pino({ level: 'silent' }),
      retries,
    });
  };
  const patches = () => api.made('PATCH', WF).map((c) => c.body as { metadata: Record<string, unknown> });
  return { api, runs, asked, sync, patches };
}

t.test('removed as the implementation run starts, recorded once as it succeeds', async (t) => {
  const w = world(async () => found(3));
  const impl = stage('payments-t3-abcde', '5DLabs-Rex', '2026-11-27T09:00:00Z');
  await w.sync(impl);
  await w.sync(impl);
  t.same(w.patches(), [
    {
      metadata: {
        uid: 'wf-1',
        labels: { 'play-marker-read': null },
        annotations: {
          'play-marker': null,
          'play-marker-detail': null,
          'play-marker-commit': null,
          'play-marker-pr': null,
        },
      },
    },
  ]);
  t.equal(w.api.made('PATCH', WF)[0]?.contentType, 'application/merge-patch+json');
  const done = { ...impl, status: { ...impl.status, ...succeeded() } } as CodeRun;
  await w.sync(done);
  await w.sync(done);
  t.same(w.asked, [
    { app: '5DLabs-Rex', pullRequest: { owner: 'acme', repo: 'payments', number: 12 }, taskId: 3 },
  ]);
  t.same(w.patches()[1], {
    metadata: {
      uid: 'wf-1',
      labels: { 'play-marker-read': 'true' },
      annotations: {
        'play-marker': 'task-3',
        'play-marker-detail': found(3).detail,
        'play-marker-commit': COMMIT,
        'play-marker-pr': '12',
      },
    },
  });
  t.equal(w.patches().length, 2, 'once');
});

t.test('each verdict as its word: another task, missing, unreadable', async (t) => {
  const readings: Array<[MarkerReading, string]> = [
    [found(4), 'task-4'],
    [{ verdict: { kind: 'missing' }, commit: COMMIT, detail: 'd' }, 'missing'],
    [{ verdict: { kind: 'unreadable', why: 'it is not JSON' }, commit: COMMIT, detail: 'd' }, 'unreadable'],
  ];
  for (const [reading, word] of readings) {
    const w = world(async () => reading);
    await w.sync(stage('payments-t3-abcde', '5DLabs-Rex', '2026-11-27T09:00:00Z', succeeded()));
    t.match(w.patches()[0]?.metadata, { annotations: { 'play-marker': word } }, word);
  }
});

t.test('the quality run’s own reading; the implementation run’s no longer counts', async (t) => {
  const w = world(async () => found(3));
  const impl = stage(
    'payments-t3-abcde',
    '5DLabs-Rex',
    '2026-11-27T09:00:00Z',
    succeeded('2026-11-27T09:10:00Z'),
  );
  const quality = stage('play-payments-t3-quality-r1', '5DLabs-Cleo', '2026-11-27T09:20:00Z');
  w.runs.set(impl);
  await w.sync(quality);
  t.match(w.patches(), [{ metadata: { labels: { 'play-marker-read': null } } }], 'removed as quality starts');
  await w.sync(impl);
  t.equal(w.patches().length, 1, 'an earlier stage is not read again (a restart sees it too)');
  await w.sync({ ...quality, status: { ...quality.status, ...succeeded() } } as CodeRun);
  t.match(w.patches()[1]?.metadata, { labels: { 'play-marker-read': 'true' } });
  t.same(
    w.asked.map((a) => a.pullRequest.number),
    [12],
    'read on the first run’s pull request, with its App',
  );
  t.equal(w.asked[0]?.app, '5DLabs-Rex');
});

t.test('nothing for other stages, other Workflows, failed runs, old ends', async (t) => {
  const w = world(async () => found(3));
  const cases: CodeRun[] = [
    stage('play-payments-t3-testing-r1', '5DLabs-Tess', '2026-11-27T09:00:00Z', succeeded()),
    stage('payments-t3-dag', '5DLabs-Rex', '2026-11-27T09:00:00Z', succeeded(), 'orchestrator-dag-x1'),
    stage('payments-t3-other', '5DLabs-Rex', '2026-11-27T09:00:00Z', succeeded(), 'play-payments-t4'),
  ];
  for (const run of cases) {
    const one = world(async () => found(3));
    await one.sync(run);
    t.same(one.api.calls, [], String(run.metadata?.name));
  }
  const failed = stage('payments-t3-abcde', '5DLabs-Rex', '2026-11-27T09:00:00Z', {
    ...succeeded(),
    phase: 'Failed',
  });
  await w.sync(failed);
  const old = new Date(NOW.getTime() - MARKER_WINDOW_MS - 1000).toISOString();
  const stale = world(async () => found(3));
  await stale.sync(stage('payments-t3-abcde', '5DLabs-Rex', '2026-11-25T09:00:00Z', succeeded(old)));
  t.same([...w.asked, ...stale.asked], [], 'nothing read');
  t.same([...w.patches(), ...stale.patches()], []);
});

t.test('without App keys: unchecked; without the first run’s pull request: unreadable', async (t) => {
  const w = world();
  await w.sync(stage('payments-t3-abcde', '5DLabs-Rex', '2026-11-27T09:00:00Z', succeeded()));
  t.match(w.patches()[0]?.metadata, {
    labels: { 'play-marker-read': 'true' },
    annotations: {
      'play-marker': 'unchecked',
      'play-marker-detail':
        '.orchestrator/tasks/task-3.json was not read: the operator holds no GitHub App keys',
    },
  });
  const none = world(async () => found(3));
  await none.sync(
    stage(
      'payments-t3-abcde',
      '5DLabs-Rex',
      '2026-11-27T09:00:00Z',
      succeeded(undefined, 'https://github.com/mallory/payments/pull/1'),
    ),
  );
  t.same(none.asked, [], 'another owner’s pull request is not read');
  t.match(none.patches()[0]?.metadata, {
    annotations: {
      'play-marker': 'unreadable',
      'play-marker-detail': /the play's first run reported no pull request in its App's repositories$/,
    },
  });
});

t.test('GitHub failing: tried again while transient, then unreadable, saying why', async (t) => {
  const w = world(async () => {
    throw new TokenFailure('GithubUnreachable', 'reading pull request acme/payments#12: GitHub answered 502');
  });
  const run = stage('payments-t3-abcde', '5DLabs-Rex', '2026-11-27T09:00:00Z', succeeded());
  await t.rejects(w.sync(run, 0), TokenFailure);
  await t.rejects(w.sync(run, 1), TokenFailure);
  t.same(w.patches(), [], 'nothing recorded while it is tried again');
  await w.sync(run, 2);
  t.match(w.patches()[0]?.metadata, {
    annotations: {
      'play-marker': 'unreadable',
      'play-marker-detail':
        '.orchestrator/tasks/task-3.json could not be read: reading pull request acme/payments#12: GitHub answered 502',
      'play-marker-pr': '12',
    },
  });
  const refused = world(async () => {
    throw new TokenFailure('GithubRequestRefused', 'no such pull request');
  });
  await refused.sync(run);
  t.match(
    refused.patches()[0]?.metadata,
    { annotations: { 'play-marker': 'unreadable' } },
    'a refusal at once',
  );
});

t.test('the Workflow gone or made again under its name: nothing to record on, no failure', async (t) => {
  const w = world(async () => found(3));
  w.api.failNext('PATCH', WF, apiError(409, 'Conflict', 'Precondition failed: UID in precondition: wf-1'));
  await w.sync(stage('payments-t3-abcde', '5DLabs-Rex', '2026-11-27T09:00:00Z', succeeded()));
  t.equal(w.patches().length, 1, 'tried, refused by the uid, not thrown');
});
