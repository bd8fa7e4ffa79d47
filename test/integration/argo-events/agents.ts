// The seeds' play without a person (issue #80 item 3, docs/argo.md "The event-gated play"): a person
// labels the issue task-5, and from there only the agents and GitHub move it. The agents are the real
// agent image on the real node (test/harness/deploy/argo-agents.ts): rex implements and its publisher
// pushes and opens the pull request; cleo declares `ready-for-qa` and a comment, tess an approving
// review (safe outputs, docs/security.md); each publisher performs them with the App's write token on
// the GitHub stand-in, which sends the EventSource GitHub's delivery for each (opened, labeled,
// review submitted), signed. The Sensors open the play's waits on those alone; the test posts nothing
// on an agent's behalf. The merge gate stays a person's (the play's `approval`, resumed here).
import type { Test } from 'tap';
import type { RunStatus } from '../../../src/api/index.js';
import type { KubeObject } from '../../../src/runtime/index.js';
import { agentPlayNamespace } from '../../harness/deploy/argo-agents.js';
import { label, startEventsWorld } from '../../harness/deploy/argo-events-suite.js';
import { runsOf } from '../../harness/deploy/argo-runs.js';
import { resumeWorkflow, untilWorkflow, workflowOutputs } from '../../harness/deploy/argo-workflows.js';
import { githubPayload } from '../../harness/remote/github.js';
import type { PullRequestDelivery } from '../../harness/remote/github-pull-request.js';
import { say, tool } from '../../harness/remote/model-script.js';
import { waitFor } from '../../harness/util/wait.js';

const TASK = 5;
const API_KEY = 'sk-ant-play-key';
const bash = (command: string) => tool('Bash', { command, description: 'work on the task' });

/** The three agents' turns, in the play's order: each runs one command, then ends. */
const SCRIPT = [
  bash('printf "Retry a capture after a 402 at most 3 times.\\n" > RETRIES.md'),
  say('Wrote RETRIES.md.'),
  bash(
    "orchestrator-output labels ready-for-qa && orchestrator-output comment 'Quality gate: lint and types clean.'",
  ),
  say('Labelled the pull request ready-for-qa.'),
  bash("orchestrator-output review APPROVE 'The retries are tested: approved.'"),
  say('Approved the pull request.'),
];

const FILES = {
  'README.md': '# payments\n',
  [`.taskmaster/docs/task-${TASK}/task.md`]: '# Retries\nRetry a failed capture.\n',
  [`.taskmaster/docs/task-${TASK}/acceptance-criteria.md`]: '- [ ] retries documented\n',
};

export async function agentPlaySuites(t: Test): Promise<void> {
  let deliver: ((d: PullRequestDelivery) => Promise<number>) | undefined;
  let world: Awaited<ReturnType<typeof agentPlayNamespace>> | undefined;
  const events = await startEventsWorld(t, async ({ cluster, client, agentImage, tls }) => {
    world = await agentPlayNamespace(t, cluster, client, API_KEY, {
      image: agentImage,
      tls,
      script: SCRIPT,
      files: FILES,
      send: (d) => (deliver ? deliver(d) : Promise.reject(new Error('the EventSource is not ready'))),
    });
    return world.ns;
  });
  if (!world) throw new Error('the namespace of the agents was not made');
  const { github, model } = world;
  const { client, controller, ns, post, untilStep } = events;
  deliver = async (d) => (await post(d.event, d.body)).status;
  const wf = `play-payments-t${TASK}`;
  const status = (run: KubeObject | undefined) => (run?.status ?? {}) as RunStatus;

  t.test(
    'from a task label to the merge gate: the agents label and approve through the publisher',
    async (t) => {
      // A person labels an issue of the repository (on the git host, as GitHub Enterprise's) task-5.
      const labelled = githubPayload('issue_comment.issue', (p) => {
        p.action = 'labeled';
        p.label = label(`task-${TASK}`);
        p.issue.labels = [label(`task-${TASK}`)];
        p.repository.html_url = github.repositoryUrl;
        delete p.comment;
      });
      t.equal((await post('issues', labelled)).status, 200);
      // Three agents for real, one after another, beside the other groups' on a busy node.
      await untilStep(wf, 'approval', 1_800_000).catch(async (err: Error) => {
        // What each run said, and what GitHub was told: where a play that stopped short went wrong.
        const runs = await runsOf(client, ns, 'CodeRun', wf);
        const said = runs.map((r) => ({ name: r.metadata?.name, ...status(r) }));
        throw new Error(
          `${err.message}\nruns: ${JSON.stringify(said)}\nsent: ${JSON.stringify(github.sent())}`,
        );
      });
      t.equal(await resumeWorkflow(client, ns, wf), 1, 'a person merges');
      const done = await untilWorkflow(client, ns, wf, ['Succeeded', 'Failed', 'Error'], controller);
      t.equal(done.status?.phase, 'Succeeded', `the play Succeeded ${done.status?.message ?? ''}`);

      const bot = `${github.app.slug}[bot]`;
      t.same(
        github.sent().map((d) => [d.event, d.action, d.pullRequest, d.sender, d.status]),
        [
          ['pull_request', 'opened', 1, bot, 200],
          ['pull_request', 'labeled', 1, bot, 200],
          ['pull_request_review', 'submitted', 1, bot, 200],
        ],
        'GitHub told the EventSource what the publishers did, and nothing else moved the play',
      );
      t.same([...github.labels.entries()], [[1, ['ready-for-qa']]], 'cleo labelled the pull request');
      t.same(
        github.reviews.map((r) => [r.number, r.event, r.author]),
        [[1, 'APPROVE', bot]],
        'tess approved it',
      );
      t.same(
        github.comments
          .filter((c) => c.author.login === bot && !c.body.startsWith('<!--'))
          .map((c) => c.body),
        ['Quality gate: lint and types clean.'],
        "cleo's comment, besides the operator's report of the stages",
      );

      const runs = await runsOf(client, ns, 'CodeRun', wf);
      const outputs = (agent: string) =>
        status(runs.find((r) => (r.spec as { githubApp?: string }).githubApp === agent)).outputs;
      t.same(
        runs.map((r) => status(r).phase),
        ['Succeeded', 'Succeeded', 'Succeeded'],
        'implementation, quality and testing each Succeeded once',
      );
      t.match(outputs('5DLabs-Cleo'), [
        { kind: 'labels', outcome: 'Performed' },
        { kind: 'comment', outcome: 'Performed' },
      ]);
      t.match(outputs('5DLabs-Tess'), [{ kind: 'review', outcome: 'Performed' }]);
      t.equal(model.turns.length, SCRIPT.length, 'each agent took its two turns');

      // Each stage's result in the Workflow (a JSON object each): its run, pull request, what the
      // gateway billed for it and its attempts, as the operator's status says them.
      const pr = `${github.host.server.base}/acme/payments/pull/1`;
      const result = (run: KubeObject | undefined) => ({
        'run-name': run?.metadata?.name,
        'pull-request-url': pr,
        'cost-usd': status(run).usage?.costUsd,
        attempts: '1',
      });
      const outputsOf = workflowOutputs(done);
      t.same(
        Object.fromEntries(Object.entries(outputsOf).map(([k, v]) => [k, v ? JSON.parse(v) : v])),
        {
          implementation: result(runs[0]),
          quality: result(runs[1]),
          testing: result(runs[2]),
          deploy: '',
          acceptance: '',
        },
        "the play's outputs: each stage's run, no deploy or acceptance",
      );
      t.ok(
        runs.every((r) => Number(status(r).usage?.costUsd) > 0),
        'each stage cost what the gateway billed its calls',
      );
      // The operator's report of the stages: one comment of the App, edited in place as they ended.
      const report = await waitFor(
        'the report of every stage on acme/payments#1',
        async (note) => {
          const reports = github.comments.filter((c) =>
            c.body.startsWith('<!-- orchestrator.io/play-stages'),
          );
          note({ reports: reports.map((c) => c.body) });
          return reports.length === 1 && /testing \(round 1\).*Succeeded/.test(reports[0]?.body ?? '')
            ? reports[0]
            : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 1000 },
      );
      t.same(
        report.body
          .split('\n')
          .filter((l) => l.startsWith('| ') && !l.startsWith('| stage'))
          .map((r) =>
            r
              .split('|')
              .map((c) => c.trim())
              .slice(1, 7),
          ),
        [
          ['implementation', `\`${runs[0]?.metadata?.name}\``, 'rex', 'Succeeded', '1', '#1'],
          ['quality (round 1)', `\`${wf}-quality-r1\``, 'cleo', 'Succeeded', '1', '#1'],
          ['testing (round 1)', `\`${wf}-testing-r1\``, 'tess', 'Succeeded', '1', '#1'],
        ],
      );
      t.same(model.problems, [], 'every request the CLIs sent had the shape of the Messages API');
    },
  );
}
