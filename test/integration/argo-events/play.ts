// The seeds' play through Argo Events with the operator in the loop, as sensors.ts runs it (the same
// setup, test/harness/deploy/argo-events-suite.ts), for what that suite, argo-workflows/rounds.ts and
// the play without a person (agents.ts) leave out: a push. Every event is a signed GitHub delivery
// posted to the EventSource (none is a label the test writes on the Workflow): the task label starts the
// play, the pull request opened resumes it, a push by the implementation App to the task's branch while
// the quality agent works goes through the Sensor github-play-gates, the play cancels that run and the
// operator ends it Cancelled, round 2 runs quality again and waits for its ready-for-qa (which only an
// agent gives: agents.ts). Each stage's result, said by the operator: one comment on the pull request
// (the GitHub stand-in, every request checked against GitHub's published description), edited in place
// as the stages end; the stage counters. The task
// association's marker read by the operator at the pull request's head (the stand-in's contents API):
// the task's own lets the play on, one naming another task fails that task's play at `associated`.
import { Registry } from 'prom-client';
import type { Test } from 'tap';
import type { RunStatus } from '../../../src/api/index.js';
import { TokenBroker } from '../../../src/github/app-tokens/index.js';
import { GithubPullRequestComments, GithubTaskMarkers } from '../../../src/github/index.js';
import { taskMarkerPath } from '../../../src/naming/index.js';
import type { KubeObject } from '../../../src/runtime/index.js';
import { label, startEventsSuite } from '../../harness/deploy/argo-events-suite.js';
import { runsOf, untilRuns } from '../../harness/deploy/argo-runs.js';
import { nodesOf, readWorkflow, untilWorkflow } from '../../harness/deploy/argo-workflows.js';
import { githubPayload } from '../../harness/remote/github.js';
import type { RepositoryFile } from '../../harness/remote/github-api/contents.js';
import { startPullRequestThread } from '../../harness/remote/github-api/issue-comments.js';
import type { PullRequestRecord } from '../../harness/remote/github-api/pulls.js';
import { type PullRequestDelivery, pullRequestOpened } from '../../harness/remote/github-pull-request.js';
import { waitFor } from '../../harness/util/wait.js';

/** The suites, one after another under `t`: they share the play's namespace and its Sensors. */
export async function pushSuites(t: Test): Promise<void> {
  const TASK = 5;
  // The operator's App (every agent's App shares the stand-in's key) installed on acme/payments, whose
  // pull request #5 is the one the simulated agents report (a task's agent reports #task), on the task's
  // branch, its head carrying the task's marker; #6 carries a marker naming task 4.
  const head = (task: number) => `${task}`.repeat(40).slice(0, 40);
  const taskPull = (task: number): PullRequestRecord => ({
    number: task,
    owner: 'acme',
    repo: 'payments',
    head: `feature/task-${task}-implementation`,
    headSha: head(task),
    base: 'main',
    title: `Task ${task}`,
    body: null,
    state: 'open',
  });
  const marker = (task: number, names: number): RepositoryFile => ({
    owner: 'acme',
    repo: 'payments',
    commit: head(task),
    path: taskMarkerPath(task),
    content: JSON.stringify({ taskId: names }),
  });
  const { app, api, comments } = await startPullRequestThread(t, ['payments'], 99, {
    pulls: [taskPull(TASK), taskPull(6)],
    files: [marker(TASK, TASK), marker(6, 4)],
  });
  const credentials = { appId: String(app.appId), privateKey: app.privateKey };
  const tokens = new TokenBroker({ keys: { of: async () => credentials }, apiUrl: () => api.url });
  const registry = new Registry();
  const { client, controller, ns, post, untilStep } = await startEventsSuite(t, {
    // The quality agent of round 1 works until the play cancels it.
    holding: [{ agent: 'cleo', taskId: TASK }],
    repositories: ['github.com/acme/payments'],
    pullRequestComments: new GithubPullRequestComments({ tokens, apiUrl: () => api.url }),
    taskMarkers: new GithubTaskMarkers({ tokens, apiUrl: () => api.url }),
    registry,
  });
  /** A person labels an issue `task-N`: the play of task N starts. */
  const taskLabelled = (task: number) =>
    githubPayload('issue_comment.issue', (p) => {
      p.action = 'labeled';
      p.label = label(`task-${task}`);
      p.issue.labels = [label(`task-${task}`)];
      delete p.comment;
    });
  /** A delivery about task `task`'s pull request, #task (the recorded payloads say #12). */
  const about = (task: number, delivery: PullRequestDelivery) => {
    delivery.body.pull_request.number = task;
    return delivery.body;
  };
  const status = (run: KubeObject | undefined) => (run?.status ?? {}) as RunStatus;
  const wf = `play-payments-t${TASK}`;

  /** Until the play's run `name` exists and its phase is `phase`. */
  const untilPhase = (name: string, phase: string) =>
    waitFor(
      `CodeRun ${name} ${phase}`,
      async (note) => {
        const run = (await runsOf(client, ns, 'CodeRun', wf)).find((r) => r.metadata?.name === name);
        note({ status: run?.status, controller: controller.tail(5) });
        return status(run).phase === phase ? run : undefined;
      },
      // A pod that starts on a node busy with the other groups' and the suite's own.
      { timeoutMs: 900_000, intervalMs: 1000 },
    );

  t.test(
    'a push while the quality agent works restarts the round, through the Sensor and the operator',
    async (t) => {
      t.equal((await post('issues', taskLabelled(TASK))).status, 200);
      const [implementation] = await untilRuns(client, ns, 'CodeRun', wf, 1, controller);
      t.match(implementation?.spec, { taskId: TASK, githubApp: '5DLabs-Rex' });

      await untilStep(wf, 'pull-request');
      t.equal((await post('pull_request', about(TASK, pullRequestOpened(TASK)))).status, 200);
      const quality1 = `${wf}-quality-r1`;
      await untilPhase(quality1, 'Running');
      // The round's watch is waiting for a push beside the quality agent.
      await untilStep(wf, 'push');

      const push = githubPayload('push', (p) => {
        p.ref = `refs/heads/feature/task-${TASK}-implementation`;
      });
      t.equal(push.sender.login, '5dlabs-rex[bot]', 'the implementation App pushes');
      t.equal((await post('push', push)).status, 200);
      const cancelled = await untilPhase(quality1, 'Cancelled');
      t.equal((cancelled.spec as { cancelled?: boolean }).cancelled, true, 'the play cancelled the run');
      await untilPhase(`${wf}-quality-r2`, 'Succeeded');

      // Round 2 waits for its ready-for-qa, which cleo's publisher would add: the play without a person
      // (agents.ts) carries a play on from there with the real agents, so this one ends here.
      await untilStep(wf, 'ready-for-qa');
      const runs = await runsOf(client, ns, 'CodeRun', wf);
      t.same(
        runs.map((r) => [
          String(r.metadata?.name).replace(/^payments-t5-[a-z0-9]{5}$/, 'implementation'),
          status(r).phase,
        ]),
        [
          ['implementation', 'Succeeded'],
          [quality1, 'Cancelled'],
          [`${wf}-quality-r2`, 'Succeeded'],
        ],
        'no testing in round 1; every run ended as its round did',
      );
      const playing = await readWorkflow(client, ns, wf);
      t.equal(playing.metadata?.annotations?.['play-head'], push.after, 'the pushed commit on the play');

      t.test('the stages said on the pull request: one comment by the App, edited in place', async (t) => {
        const comment = await waitFor(
          'the report of every stage on acme/payments#5',
          async (note) => {
            note({ comments: comments.map((c) => c.body) });
            const [only] = comments;
            return comments.length === 1 && /quality \(round 2\).*Succeeded/.test(only?.body ?? '')
              ? only
              : undefined;
          },
          { timeoutMs: 120_000, intervalMs: 1000 },
        );
        t.equal(comment.author.type, 'Bot');
        t.match(
          comment.body.split('\n', 1)[0],
          /^<!-- orchestrator\.io\/play-stages workflow=\S+ task=5 app=5dlabs-rex -->$/,
        );
        const rows = comment.body.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| stage'));
        t.same(
          rows.map((r) =>
            r
              .split('|')
              .map((c) => c.trim())
              .slice(1, 7),
          ),
          [
            ['implementation', `\`${implementation?.metadata?.name}\``, 'rex', 'Succeeded', '1', '#5'],
            ['quality (round 1)', `\`${quality1}\``, 'cleo', 'Cancelled', '1', '—'],
            ['quality (round 2)', `\`${wf}-quality-r2\``, 'cleo', 'Succeeded', '1', '#5'],
          ],
        );
        // The gateway billed no call of the simulated agents (above); a sum is stage-reporter.test.ts's.
        t.match(comment.body, /Total cost: 0 USD/);
        const writes = api.calls.filter((c) => c.route.includes('/comments') && c.method !== 'GET');
        t.equal(writes.filter((c) => c.method === 'POST').length, 1, 'posted once');
        t.ok(writes.filter((c) => c.method === 'PATCH').length >= 1, 'then edited in place');
        t.ok(
          writes.every((c) => c.status < 300),
          'GitHub took every write',
        );
        t.same(api.unmatched, []);
        t.ok(
          app.tokens.every((token) => token.repositories?.join() === 'payments'),
          'tokens of the one repository',
        );
      });

      t.test('the stages counted', async (t) => {
        const outcomes =
          (await registry.getSingleMetricAsString('orchestrator_play_stage_outcomes_total')) ?? '';
        t.match(outcomes, /stage="quality",outcome="Cancelled"} 1/);
        t.match(outcomes, /stage="quality",outcome="Succeeded"} 1/);
        t.match(outcomes, /stage="implementation",outcome="Succeeded"} 1/);
        const retries =
          (await registry.getSingleMetricAsString('orchestrator_play_stage_retries_total')) ?? '';
        t.match(retries, /stage="quality",cause="push"} 1/);
      });
    },
  );

  t.test(
    "a marker naming another task fails that task's play at its association, read by the operator",
    async (t) => {
      const task = 6;
      const play = `play-payments-t${task}`;
      t.equal((await post('issues', taskLabelled(task))).status, 200);
      await untilRuns(client, ns, 'CodeRun', play, 1, controller);
      await untilStep(play, 'pull-request');
      t.equal((await post('pull_request', about(task, pullRequestOpened(task)))).status, 200);
      const failed = await untilWorkflow(client, ns, play, ['Succeeded', 'Failed', 'Error'], controller);
      t.equal(failed.status?.phase, 'Failed');
      t.match(
        nodesOf(failed).find((n) => n.displayName === 'check')?.message,
        `: task association: the marker names another task: .orchestrator/tasks/task-6.json at ${head(6).slice(0, 12)} of acme/payments#6 names task 4, not task 6`,
      );
      t.match(failed.metadata?.annotations, {
        'play-marker': 'task-4',
        'play-marker-commit': head(6),
        'play-marker-pr': '6',
      });
      t.same(
        (await runsOf(client, ns, 'CodeRun', play)).map((r) => status(r).phase),
        ['Succeeded'],
        'no quality run',
      );
      const reads = api.calls.filter((c) => c.route === '/repos/{owner}/{repo}/contents/{path}');
      t.ok(
        reads.length >= 2 && reads.every((c) => c.status === 200),
        'the markers read through the contents API',
      );
    },
  );
}
