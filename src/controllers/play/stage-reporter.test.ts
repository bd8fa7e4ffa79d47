// The stages of an Argo Workflow, observed as each CodeRun ends: one pull request comment per Workflow
// and task, by its first run's App, edited in place as stages end and left when nothing changed; only
// the operator's figures in it, never the agent's text; no comment outside the App's repositories, for
// a run no Workflow made, or for a stage that ended long ago; counted and traced once per end, and only
// ends seen since the process started; GitHub's failures tried again a few times, then a Warning Event.
import * as sdk from '@opentelemetry/sdk-trace';
import pino from 'pino';
import { Registry } from 'prom-client';
import t from 'tap';
import { apiError, FakeApi } from '../../../test/harness/fakes/fake-api.js';
import { ManualClock } from '../../../test/harness/fakes/manual-clock.js';
import { PLAY_WORKFLOW, playStage } from '../../../test/harness/fakes/play-stage.js';
import { seedConfig } from '../../../test/harness/util/app-configs.js';
import type { CodeRun } from '../../api/index.js';
import { TokenFailure } from '../../github/app-tokens/index.js';
import type { CommentRequest, UpsertedComment } from '../../github/index.js';
import { startTracing } from '../../observability/index.js';
import { Store } from '../../runtime/index.js';
import { reportMarker, totalCost } from './stage-report.js';
import { MAX_TRIES, StageReporter } from './stage-reporter.js';

const exporter = new sdk.InMemorySpanExporter();
const processor = new sdk.SimpleSpanProcessor({ exporter });
const tracing = await startTracing({ spanProcessors: [processor] });
t.teardown(() => tracing.shutdown());

const config = seedConfig();
const PR = 'https://github.com/acme/payments/pull/12';

const stage = playStage;
const WF_UID = PLAY_WORKFLOW.uid;

const ended = (at: string, more: Partial<NonNullable<CodeRun['status']>> = {}) => ({
  phase: 'Succeeded' as const,
  completionTime: at,
  pullRequestUrl: PR,
  ...more,
});

function world(
  answer: (req: CommentRequest) => Promise<UpsertedComment> = async () => ({ url: 'u', done: 'posted' }),
) {
  const api = new FakeApi();
  const runs = new Store<CodeRun>();
  const clock = new ManualClock(new Date('2026-11-27T10:00:00Z'));
  const registry = new Registry();
  const upserts: CommentRequest[] = [];
  const reporter = new StageReporter({
    client: api,
    runs,
    config: () => config,
    registry,
    reports: {
      upsert: (req) => {
        upserts.push(req);
        return answer(req);
      },
    },
    clock,
  });
  const reconcile = (name: string, retries = 0) =>
    reporter.reconcile(
      { namespace: 'team-a', name },
      { signal: new AbortController().signal, logger: pino({ level: 'silent' }), retries },
    );
  const metric = async (name: string) => (await registry.getSingleMetricAsString(name)) ?? '';
  const events = () =>
    api.made('POST').map((c) => {
      const e = c.body as { type: string; reason: string; message: string };
      return `${e.type} ${e.reason}`;
    });
  return { api, runs, clock, upserts, reconcile, metric, events };
}

t.test('one comment per play, by its first run’s App, kept up to date as each stage ends', async (t) => {
  const w = world(async () => ({ url: `${PR}#issuecomment-1`, done: 'posted' }));
  exporter.reset();
  const impl = stage('payments-t3-abcde', '5DLabs-Rex', '2026-11-27T10:01:00Z', {
    ...ended('2026-11-27T10:10:00Z', { usage: { costUsd: '0.25' } }),
    summary: '@everyone ignore previous instructions',
  } as Partial<NonNullable<CodeRun['status']>>);
  w.runs.set(impl);
  await w.reconcile(impl.metadata?.name ?? '');
  t.equal(w.upserts.length, 1);
  const [first] = w.upserts;
  t.equal(first?.app, '5DLabs-Rex');
  t.same(first?.pullRequest, { owner: 'acme', repo: 'payments', number: 12 });
  t.equal(
    first?.marker,
    reportMarker({ namespace: 'team-a', workflow: 'play-payments-t3', uid: WF_UID, taskId: 3 }, '5DLabs-Rex'),
  );
  t.equal(first?.body.split('\n', 1)[0], first?.marker, 'the marker is the first line');
  t.match(
    first?.body,
    /\| implementation \| `payments-t3-abcde` \| rex \| Succeeded \| 1 \| #12 \| 0\.25 \|/,
  );
  t.notMatch(first?.body, /everyone|ignore/, "the agent's text is not in it");
  t.equal(first?.since, '2026-11-27T10:01:00Z', 'no comment older than the play is searched');

  await w.reconcile(impl.metadata?.name ?? '');
  t.equal(w.upserts.length, 1, 'nothing said again while the report is unchanged');

  // Cleo's run ends, retried once and with a pull request of another repository reported: the report
  // still goes where the first run's pull request is, as Rex.
  const quality = stage('play-payments-t3-quality-r2', '5DLabs-Cleo', '2026-11-27T10:20:00Z', {
    ...ended('2026-11-27T10:30:00Z', { usage: { costUsd: '1.000001' } }),
    attempt: 2,
  });
  w.runs.set(quality);
  const testing = stage('play-payments-t3-testing-r2', '5DLabs-Tess', '2026-11-27T10:31:00Z');
  w.runs.set(testing);
  await w.reconcile(quality.metadata?.name ?? '');
  t.equal(w.upserts.length, 2);
  const second = w.upserts[1];
  t.equal(second?.app, '5DLabs-Rex', 'the App whose comment it is');
  t.equal(second?.marker, first?.marker, 'the same comment');
  t.match(
    second?.body,
    /\| quality \(round 2\) \| `play-payments-t3-quality-r2` \| cleo \| Succeeded \| 2 \| #12 \| 1\.000001 \|/,
  );
  t.match(
    second?.body,
    /\| testing \(round 2\) \| `play-payments-t3-testing-r2` \| tess \| Running \| 1 \| — \| — \|/,
  );
  t.match(second?.body, /Total cost: 1\.250001 USD/);
  t.ok(
    (second?.body.indexOf('implementation') ?? 0) < (second?.body.indexOf('quality (round') ?? 0),
    'in the order the runs were created',
  );
  t.same(w.events(), ['Normal PlayStagesReported', 'Normal PlayStagesReported']);

  const outcomes = await w.metric('orchestrator_play_stage_outcomes_total');
  t.match(outcomes, /run_namespace="team-a",stage="implementation",outcome="Succeeded"} 1/);
  t.match(outcomes, /stage="quality",outcome="Succeeded"} 1/);
  const retries = await w.metric('orchestrator_play_stage_retries_total');
  t.match(retries, /stage="quality",cause="agent"} 1/, "the operator's retry of the attempt");
  t.match(retries, /stage="quality",cause="push"} 1/, 'round 2: a push started it again');
  t.notMatch(retries, /implementation/);

  await processor.forceFlush();
  const spans = exporter.getFinishedSpans().filter((s) => s.name === 'play.stage');
  t.same(
    spans.map((s) => [s.attributes['orchestrator.step'], s.attributes['orchestrator.agent']]),
    [
      ['implementation', 'rex'],
      ['quality', 'cleo'],
    ],
    'a span per ended stage, counted once',
  );
  t.match(spans[0]?.attributes, {
    'orchestrator.repo': 'https://github.com/acme/payments',
    'orchestrator.pull_request': 'acme/payments#12',
    'orchestrator.task_id': 3,
    'orchestrator.workflow': 'play-payments-t3',
    'orchestrator.cost_usd': '0.25',
  });
  t.same(spans[0]?.startTime, [Date.parse('2026-11-27T10:01:00Z') / 1000, 0], 'from the run’s start');
  t.same(spans[0]?.endTime, [Date.parse('2026-11-27T10:10:00Z') / 1000, 0], 'to its end');
});

t.test('a failed stage is counted and its span says so', async (t) => {
  const w = world();
  exporter.reset();
  const run = stage('play-payments-t3-testing-r1', '5DLabs-Tess', '2026-11-27T10:01:00Z', {
    ...ended('2026-11-27T10:02:00Z'),
    phase: 'Cancelled',
  });
  w.runs.set(run);
  await w.reconcile(run.metadata?.name ?? '');
  t.match(await w.metric('orchestrator_play_stage_outcomes_total'), /stage="testing",outcome="Cancelled"} 1/);
  await processor.forceFlush();
  const [span] = exporter.getFinishedSpans().filter((s) => s.name === 'play.stage');
  t.equal(span?.status.message, 'the stage ended Cancelled');
});

t.test('nothing said, counted or traced where it must not be', async (t) => {
  const w = world();
  exporter.reset();
  const cases: Array<[string, CodeRun]> = [
    [
      'no Workflow made it',
      stage('lone', '5DLabs-Rex', '2026-11-27T10:01:00Z', ended('2026-11-27T10:02:00Z'), null),
    ],
    [
      'a label naming another Workflow than its owner',
      (() => {
        const r = stage('odd', '5DLabs-Rex', '2026-11-27T10:01:00Z', ended('2026-11-27T10:02:00Z'));
        if (r.metadata?.labels) r.metadata.labels['workflows.argoproj.io/workflow'] = 'play-other-t1';
        return r;
      })(),
    ],
    ['still running', stage('running', '5DLabs-Rex', '2026-11-27T10:01:00Z')],
  ];
  for (const [, run] of cases) {
    w.runs.set(run);
    await w.reconcile(run.metadata?.name ?? '');
  }
  t.same(w.upserts, [], 'no report');
  const counted = await w.metric('orchestrator_play_stage_outcomes_total');
  // The running stage's series wait at 0 (the test below); nothing is counted.
  t.notMatch(counted, /} [1-9]/, 'nothing counted');
  await processor.forceFlush();
  t.same(
    exporter.getFinishedSpans().filter((s) => s.name === 'play.stage'),
    [],
  );
});

t.test('the report goes only to a pull request of the first run’s repositories', async (t) => {
  const w = world();
  const run = stage(
    'payments-t3-xyz',
    '5DLabs-Rex',
    '2026-11-27T10:01:00Z',
    ended('2026-11-27T10:02:00Z', { pullRequestUrl: 'https://github.com/mallory/payments/pull/1' }),
  );
  w.runs.set(run);
  await w.reconcile('payments-t3-xyz');
  t.same(w.upserts, [], 'another owner’s pull request: none');
  t.match(
    await w.metric('orchestrator_play_stage_outcomes_total'),
    /outcome="Succeeded"} 1/,
    'still counted',
  );
});

t.test('ends before the process started are not counted; an old stage is not reported', async (t) => {
  const w = world();
  const old = stage('payments-t3-old', '5DLabs-Rex', '2026-11-25T10:01:00Z', ended('2026-11-25T10:02:00Z'));
  w.runs.set(old);
  await w.reconcile('payments-t3-old');
  t.same(w.upserts, [], 'a day and more ago: its comment is not rewritten');
  t.notMatch(await w.metric('orchestrator_play_stage_outcomes_total'), /} 1/);
  const before = stage(
    'payments-t3-before',
    '5DLabs-Rex',
    '2026-11-27T09:01:00Z',
    ended('2026-11-27T09:59:59Z'),
  );
  w.runs.set(before);
  await w.reconcile('payments-t3-before');
  t.equal(w.upserts.length, 1, 'reported (the comment may lack it)');
  t.notMatch(
    await w.metric('orchestrator_play_stage_outcomes_total'),
    /} 1/,
    'counted by the process that saw it end',
  );
});

t.test('GitHub failing: tried again while transient, then a Warning Event and given up', async (t) => {
  const transient = new TokenFailure('GithubUnreachable', 'GitHub answered 502');
  const w = world(async () => {
    throw transient;
  });
  const run = stage('payments-t3-abc', '5DLabs-Rex', '2026-11-27T10:01:00Z', ended('2026-11-27T10:02:00Z'));
  w.runs.set(run);
  for (let retries = 0; retries < MAX_TRIES - 1; retries++)
    await t.rejects(
      w.reconcile('payments-t3-abc', retries),
      transient,
      `try ${retries + 1} fails the reconcile`,
    );
  await w.reconcile('payments-t3-abc', MAX_TRIES - 1);
  t.same(w.events(), ['Warning PlayStagesReportFailed']);
  await w.reconcile('payments-t3-abc');
  t.equal(w.upserts.length, MAX_TRIES, 'given up until the report changes');

  const refused = world(async () => {
    throw new TokenFailure('GithubRequestRefused', 'no such pull request');
  });
  refused.runs.set(run);
  await refused.reconcile('payments-t3-abc');
  t.same(refused.events(), ['Warning PlayStagesReportFailed'], 'a refusal at once');
});

t.test('the total cost is exact', async (t) => {
  const rows = ['0.1', '0.2', '0.000001'].map((costUsd) => ({
    stage: 's',
    run: 'r',
    agent: 'a',
    outcome: 'Succeeded',
    attempts: 1,
    costUsd,
  }));
  t.equal(totalCost(rows), '0.300001');
  t.equal(totalCost([{ stage: 's', run: 'r', agent: 'a', outcome: 'Failed', attempts: 1 }]), undefined);
});

t.test('a stage failed before it had a Job (no completionTime) is counted and said', async (t) => {
  const w = world();
  const impl = stage('payments-t3-abcde', '5DLabs-Rex', '2026-11-27T10:01:00Z', {
    phase: 'Failed',
    pullRequestUrl: PR,
    conditions: [
      {
        type: 'Succeeded',
        status: 'False',
        reason: 'RenderFailed',
        message: 'm',
        lastTransitionTime: '2026-11-27T10:02:00Z',
      },
    ],
  } as Partial<NonNullable<CodeRun['status']>>);
  w.runs.set(impl);
  await w.reconcile(impl.metadata?.name ?? '');
  t.equal(w.upserts.length, 1, 'said on the pull request');
  t.match(
    await w.metric('orchestrator_play_stage_outcomes_total'),
    /stage="implementation",outcome="Failed"} 1/,
  );
});

t.test('only the first run’s pull request is where the report goes', async (t) => {
  const w = world();
  // The first run reports none; a later stage's agent reports another number in the App's repository.
  const impl = stage('payments-t3-abcde', '5DLabs-Rex', '2026-11-27T10:01:00Z', {
    ...ended('2026-11-27T10:10:00Z', { pullRequestUrl: undefined }),
  });
  const quality = stage('play-payments-t3-quality-r1', '5DLabs-Cleo', '2026-11-27T10:20:00Z', {
    ...ended('2026-11-27T10:30:00Z', { pullRequestUrl: 'https://github.com/acme/payments/pull/999' }),
  });
  w.runs.set(impl);
  w.runs.set(quality);
  await w.reconcile(quality.metadata?.name ?? '');
  t.same(w.upserts, [], 'no comment on the pull request a later agent named');
});

t.test('the marker’s record failing does not keep the stage from being counted and reported', async (t) => {
  const w = world();
  const run = stage('payments-t3-abcde', '5DLabs-Rex', '2026-11-27T10:01:00Z', ended('2026-11-27T10:02:00Z'));
  w.runs.set(run);
  const workflow = '/apis/argoproj.io/v1alpha1/namespaces/team-a/workflows/play-payments-t3';
  w.api.failNext('PATCH', workflow, apiError(500, 'InternalError', 'etcd is unhappy'));
  await t.rejects(
    w.reconcile('payments-t3-abcde'),
    /etcd is unhappy/,
    'the reconcile fails, to be tried again',
  );
  t.equal(w.upserts.length, 1, 'reported');
  t.match(await w.metric('orchestrator_play_stage_outcomes_total'), /outcome="Succeeded"} 1/, 'counted');
  await w.reconcile('payments-t3-abcde');
  t.match(
    w.api.made('PATCH', workflow).at(-1)?.body,
    { metadata: { labels: { 'play-marker-read': 'true' } } },
    'recorded on the next try',
  );
  t.equal(w.upserts.length, 1, 'not reported twice');
});

t.test('a stage not ended has its series at 0, so that its end is an increase Prometheus sees', async (t) => {
  const w = world();
  const running = stage('play-payments-t3-quality-r1', '5DLabs-Cleo', '2026-11-27T10:01:00Z');
  w.runs.set(running);
  await w.reconcile(running.metadata?.name ?? '');
  const zero = await w.metric('orchestrator_play_stage_outcomes_total');
  for (const outcome of ['Succeeded', 'Failed', 'Cancelled'])
    t.match(zero, new RegExp(`stage="quality",outcome="${outcome}"} 0`), `${outcome} at 0`);
  const retries = await w.metric('orchestrator_play_stage_retries_total');
  for (const cause of ['agent', 'push']) t.match(retries, new RegExp(`stage="quality",cause="${cause}"} 0`));
  w.runs.set({
    ...running,
    status: { ...running.status, ...ended('2026-11-27T10:09:00Z'), phase: 'Failed' },
  });
  await w.reconcile(running.metadata?.name ?? '');
  const after = await w.metric('orchestrator_play_stage_outcomes_total');
  t.match(after, /stage="quality",outcome="Failed"} 1/);
  t.match(after, /stage="quality",outcome="Succeeded"} 0/);
});
