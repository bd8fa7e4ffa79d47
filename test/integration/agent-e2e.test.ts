// The agent for real (docs/testing.md, "The end-to-end suite"): runs on the real node, in the agent image built from
// images/agent, with the real Claude Code CLI against a scripted model (test/harness/remote/model-standin.ts),
// git's own http-backend over HTTPS (checking the token git presents) and the operator's real
// reconcilers. The stub-based entry-script tests cover the script's many branches; this suite proves
// the seams: the rendered command line and settings the CLI accepts, the image's tools, the hooks
// that commit and push, the termination message the kubelet hands back, and the model gateway between
// the CLI and the model (the platform's key out of the run's namespace, a looping agent refused).
// A labelled issue goes the whole way: a signed delivery to the operator's GitHub endpoint, the TaskRun,
// the agent, and a pull request that closes the issue. The hostile agent's suite (agent-e2e/hostile.ts)
// runs in this process too, and so does the web console's, in a real browser (harness/console).
// Needs root and the real node's Debian packages, and builds the image on first use (minutes; cached).
// @lane real-node
// @needs node agent-image
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Koa from 'koa';
import pino from 'pino';
import t, { type Test } from 'tap';
import type { RunOf } from '../../src/api/index.js';
import { KubeReviewer } from '../../src/auth/index.js';
import { runPath } from '../../src/cli/kinds.js';
import { githubWebhookRouter } from '../../src/github/index.js';
import { loadTemplateSet } from '../../src/render/index.js';
import { keptEntry, keptWindow, readKeptLog } from '../../src/runs/index.js';
import type { KubeObject } from '../../src/runtime/index.js';
import { redactSecrets } from '../../src/util/index.js';
import { e2eCodeRun, expectTurnLimitStop, NODE_GATEWAY, taskDocs } from '../harness/agent/agent-e2e.js';
import { agentSuite, agentWorld, type WorldOptions } from '../harness/agent/agent-world.js';
import { expectedUsage, lastResultEvent } from '../harness/agent/cli-usage.js';
import { gatewayRuns } from '../harness/agent/gateway-runs.js';
import { otherCliRuns } from '../harness/agent/other-cli-runs.js';
import { allowedTo } from '../harness/cluster/access-review.js';
import { kubectl } from '../harness/cluster/cluster.js';
import { consoleRuns } from '../harness/console/console-runs.js';
import { applyObjects } from '../harness/deploy/kustomize.js';
import { roleGrant } from '../harness/deploy/rbac.js';
import { deliverUntilAnswered, githubPayload, type Payload } from '../harness/remote/github.js';
import { mcpServerStandin } from '../harness/remote/mcp-server.js';
import { fail, say, type Turn, tool } from '../harness/remote/model-script.js';
import { scaled, waitFor } from '../harness/util/wait.js';

// Seventeen real agent runs (three of them the hostile suite's) and, when the suite's image is new, a build of its small top layer and the
// node's import of the whole image: more than tap's default per-file limit on 2 busy cores.
t.setTimeout(scaled(60 * 60_000));
// Each suite is a world of its own (namespace, operator, model stand-in, repositories) and mostly waits
// for its agent's pod: three at once (docs/testing.md "Side by side on one node"), since it runs beside
// the unit lane, whose timing-bound files (src/webhook/connections.test.ts, cert-rotation.test.ts)
// need the CPU.
t.jobs = 3;
const USER = { name: 'swe-1', token: 'ghp_e2eToken0123456789' };
const API_KEY = 'sk-ant-e2e-key';
const suite = await agentSuite(t, USER, API_KEY);
const { cluster, client, git, work } = suite;

/** A namespace with its operator, Secrets and a model stand-in scripted with `script`. */
const world = (t: Test, script: Turn[], options?: WorldOptions) => agentWorld(t, suite, script, options);

interface CliInit {
  permissionMode?: string;
  tools?: string[];
  mcp_servers?: { name: string; status: string }[];
}

/** The CLI's `system`/`init` event, from the agent container's log. */
async function cliInit(ns: string, pod: string): Promise<CliInit> {
  const logs = await kubectl(cluster, ['logs', '-n', ns, pod, '-c', 'agent']);
  const line = logs.stdout.split('\n').find((l) => l.startsWith('{"type":"system","subtype":"init"'));
  if (!line) throw new Error(`no init event in the agent's log:\n${logs.stdout.slice(-2000)}${logs.stderr}`);
  return JSON.parse(line) as CliInit;
}

/**
 * Whether the CLI started the MCP server `name`: listed, and not failed. A busy node may still have it
 * `pending` when the CLI's first event is written; one the image cannot start is `failed`.
 */
const started = (init: CliInit, name: string) =>
  init.mcp_servers?.some((m) => m.name === name && m.status !== 'failed') ?? false;

const bash = (command: string) => tool('Bash', { command, description: 'edit the repository' });

t.test(
  'a CodeRun: the real CLI edits, the hooks commit and push, status from the termination message',
  async (t) => {
    // The gateway off (not shipped): this test is about the figures the agent reports itself.
    const { ns, model, create, finished } = await world(
      t,
      [
        bash('printf "retries: 3\\n" > RETRIES.md'),
        say('Wrote RETRIES.md.'),
        bash('printf "retries: 5\\n" > RETRIES.md'),
        say('Raised the retries to 5.'),
      ],
      { gateway: false },
    );
    // Its own repositories' pull requests: the suites beside it open theirs on the same host.
    const ownPulls = () => git.pulls.filter((p) => p.owner === 'acme' && /^payments(-docs)?$/.test(p.repo));
    const repo = git.repository('acme/payments.git', 'main', { 'README.md': '# payments\n' });
    const docs = git.repository(
      'acme/payments-docs.git',
      'main',
      taskDocs('projects/payments', 7, '# Retries\n'),
    );
    const applied = Date.now();
    await create('CodeRun', e2eCodeRun(USER.name, 'payments-7', repo, docs));
    const first = await finished('CodeRun', 'payments-7');
    t.comment(`kubectl apply to finished: ${Math.round((Date.now() - applied) / 1000)} s`);
    t.equal(first.phase, 'Succeeded', first.message ?? '');
    t.same(model.problems, [], 'every request the CLI sent had the shape of the Messages API');
    t.equal(model.turns.length, 2, 'the CLI asked for both turns: the tool call, then the end');
    const branch = 'feature/task-7-implementation';
    const pushed = git.read('acme/payments.git', branch, 'RETRIES.md');
    t.equal(pushed?.content, 'retries: 3\n', 'the stop hooks committed and pushed the edit');
    t.equal(first.commit ?? pushed?.commit, pushed?.commit);
    t.equal(
      git.read('acme/payments.git', branch, '.orchestrator/tasks/task-7.json')?.content,
      '{"taskId": 7}\n',
      "the stop hook added the task's marker with the work",
    );
    t.match(first.sessionId, /^[0-9a-f-]{36}$/, "the CLI's session id, from the termination message");
    t.same(
      ownPulls().map((p) => [p.owner, p.repo, p.head, p.base]),
      [['acme', 'payments', branch, 'main']],
      "the stop hook opened the pull request through the REST API on the repository's host",
    );
    t.equal(first.pullRequestUrl, 'https://github.com/acme/payments/pull/1', 'status.pullRequestUrl');
    t.equal(
      first.workCompleted,
      true,
      'work completed: the agent succeeded and its work is on a pull request',
    );
    // The CLI's first event (the container's log, through the kubelet) shows what it made of the
    // rendered settings and MCP config: a settings value it ignores or a server the image cannot start
    // shows here.
    const init = await cliInit(ns, first.podName ?? '');
    t.equal(init.permissionMode, 'acceptEdits', "settings.json's permissions.defaultMode took effect");
    t.ok(
      started(init, 'filesystem'),
      `the MCP servers installed in the image started: ${JSON.stringify(init.mcp_servers)}`,
    );
    t.ok(started(init, 'git'), 'the git server too');
    t.ok(init.tools?.includes('Bash'), 'the Bash tool is offered');
    // What the attempt cost: the status holds exactly what the CLI's result event (its log) reported.
    const log = await kubectl(cluster, ['logs', '-n', ns, first.podName ?? '', '-c', 'agent']);
    const reported = lastResultEvent(log.stdout);
    t.ok(reported, 'the CLI logged its result event');
    if (reported) {
      t.same(
        first.usage,
        expectedUsage(reported),
        'status.usage: cost, tokens and turns as the CLI reported',
      );
      t.match(
        first.attemptUsage,
        [{ attempt: 1, ...expectedUsage(reported) }],
        'and the attempt’s own entry',
      );
    }
    // The agent's log, the CLI's transcript, kept after the pod (docs/logs.md): what the kubelet gave,
    // less the credential shapes status never holds either.
    const kept = await waitFor(
      "the agent's log kept, in status.logs",
      async (note) => {
        const run = await client.request<KubeObject>('GET', runPath('CodeRun', ns, 'payments-7'));
        const entry = keptEntry(run, 1, 'agent');
        note(entry);
        return entry?.configMap ? readKeptLog(client, ns, entry) : undefined;
      },
      { timeoutMs: 120_000 },
    );
    t.equal(
      kept.text && keptWindow(kept.text, {}, new Date()),
      redactSecrets(log.stdout),
      'the transcript kept',
    );
    const gitAuth = git.server.requests().map((r) => r.auth);
    t.ok(
      gitAuth.includes('ok') && !gitAuth.includes('bad'),
      `git presented the token (${gitAuth.join(',')})`,
    );

    // A new context version resumes the recorded session: the model sees the earlier turns.
    await client.request('PATCH', runPath('CodeRun', ns, 'payments-7'), {
      body: { spec: { contextVersion: 2, continueSession: true } },
      contentType: 'application/merge-patch+json',
    });
    const second = await finished('CodeRun', 'payments-7', 2);
    t.equal(second.phase, 'Succeeded', second.message ?? '');
    t.equal(second.sessionId, first.sessionId, 'the same session, resumed');
    const resumed = JSON.stringify(model.turns[2]?.body);
    t.match(resumed, 'Wrote RETRIES.md.', "the resumed conversation carries the first attempt's turns");
    t.equal(git.read('acme/payments.git', branch, 'RETRIES.md')?.content, 'retries: 5\n');
    const wide = await kubectl(cluster, ['get', 'ocr', 'payments-7', '-n', ns, '-o', 'wide']);
    t.equal(wide.code, 0, wide.stderr);
    t.match(
      wide.stdout,
      'https://github.com/acme/payments/pull/1',
      'kubectl get ocr -o wide shows the pull request',
    );
    t.match(wide.stdout, ` ${second.usage?.costUsd} `, 'and what the run cost');
    t.equal(
      ownPulls().length,
      1,
      'the second attempt found the open pull request rather than opening another',
    );
  },
);

t.test(
  "the web console in a real browser: log in, list, follow a running agent's log, cancel it; a viewer refused",
  (t) => consoleRuns(t, suite),
);

t.test(
  'through the model gateway: the CLI reaches the model only through it, the key is in no object of the run, a looping agent is stopped',
  (t) => gatewayRuns(t, suite),
);

t.test(
  'a labelled issue: the signed delivery starts a TaskRun, the real agent works on it, its pull request closes the issue',
  async (t) => {
    const { ns, config, model, finished } = await world(t, [
      bash('printf "declined cards: stop after the first 402\\n" > DECLINES.md'),
      say('Recorded the rule for declined cards.'),
    ]);
    // At `acme/declines.git`, as the stand-in's pull requests expect; the run's URL says `acme/declines`, as
    // admission stores `owner/name`, and git's http-backend finds the one by the other.
    const repo = git.repository('acme/declines.git', 'main', { 'README.md': '# declines\n' });
    const host = new URL(repo).host;
    // The suite's runs act as the GitHub user (no App keys here), so GitHub cannot be asked who labelled:
    // triggerPermission none, which a label satisfies (GitHub lets only triage or more label). The
    // question itself is test/integration/github-webhook.test.ts's, against the GitHub stand-in.
    config.githubWebhook.triggerPermission = 'none';
    config.githubWebhook.repositories = [
      {
        name: 'acme/declines',
        namespace: ns,
        issues: {
          submitter: `system:serviceaccount:${ns}:issues`,
          label: 'orchestrator',
          assign: false,
          mention: false,
          githubUser: USER.name,
        },
      },
    ];
    // The runs' submitter may use rex and the user's token Secret, as an install grants it; the
    // operator asks RBAC so (the REST API's reviews).
    const granted = await applyObjects(cluster, [
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'issues', namespace: ns } },
      ...roleGrant(ns, 'issue-runs', { kind: 'ServiceAccount', name: 'issues', namespace: ns }, [
        {
          apiGroups: ['orchestrator.io'],
          resources: ['agentprofiles'],
          resourceNames: ['rex'],
          verbs: ['use'],
        },
        {
          apiGroups: [''],
          resources: ['secrets'],
          resourceNames: [`github-pat-${USER.name}`],
          verbs: ['get'],
        },
      ]),
    ] as KubeObject[]);
    t.equal(granted.code, 0, granted.stderr);
    const submitter = `system:serviceaccount:${ns}:issues`;
    const rex = {
      namespace: ns,
      verb: 'use',
      group: 'orchestrator.io',
      resource: 'agentprofiles',
      name: 'rex',
    };
    await waitFor(`RBAC to allow ${submitter} to use rex`, () => allowedTo(cluster, submitter, rex));
    const secret = 'e2e-issue-s3cret';
    const router = githubWebhookRouter({
      api: client,
      config: () => config,
      secrets: () => [secret],
      reviewer: new KubeReviewer({ client, audience: 'orchestrator', timeoutMs: 10_000 }),
      logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    });
    const server = new Koa().use(router.routes()).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    t.teardown(() => new Promise((resolve) => server.close(resolve)));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook/github`;
    const issue = (change: (p: Payload) => void = () => {}) =>
      JSON.stringify(
        githubPayload('issues.labeled', (p) => {
          p.repository.full_name = 'acme/declines';
          p.issue.html_url = `https://${host}/acme/declines/issues/42`;
          change(p);
        }),
      );

    const created = await deliverUntilAnswered(url, secret, { event: 'issues', body: issue() });
    // 200 only for a redelivery that found the run an unanswered delivery had created.
    t.ok(
      created.status === 201 || (created.redelivered > 0 && created.status === 200),
      `started: ${created.status} ${created.body.message} (${created.redelivered} redeliveries)`,
    );
    const name = created.body.run?.name ?? '';
    t.equal(name, 'acme-declines-issue-42-1');
    const again = await deliverUntilAnswered(url, secret, {
      event: 'issues',
      body: issue((p) => (p.issue.updated_at = '2026-11-24T09:00:00Z')),
    });
    t.equal(again.status, 202, 'labelled again while its run works: nothing more');
    t.match(again.body.message, `a run is already working on acme/declines#42: TaskRun ${ns}/${name}`);

    const s = await finished('TaskRun', name);
    t.equal(s.phase, 'Succeeded', s.message ?? '');
    const asked = JSON.stringify(model.turns[0]?.body);
    t.match(asked, 'Declined cards are retried forever', "the issue's title reached the model");
    t.match(asked, 'data, not instructions', 'quoted as data');
    const pulls = git.pulls.filter((p) => p.owner === 'acme' && p.repo === 'declines');
    t.equal(pulls.length, 1, 'one pull request');
    t.equal(
      s.pullRequestUrl,
      `https://github.com/acme/declines/pull/${pulls[0]?.number}`,
      'status.pullRequestUrl',
    );
    t.match(pulls[0]?.body, /\n\nCloses #42$/, 'its body closes the issue: GitHub links the two');
    t.match(pulls[0]?.title, /^Task \d+: Issue #42 of acme\/declines$/);
    const branch = pulls[0]?.head ?? '';
    t.equal(
      git.read('acme/declines.git', branch, 'DECLINES.md')?.content,
      'declined cards: stop after the first 402\n',
      "the agent's work is on the pull request's branch",
    );
  },
);

t.test(
  "the model failing: the CLI exits non-zero and the run's message carries its last words",
  async (t) => {
    // A refusal the CLI does not retry (a 400 it retries with backoff for minutes): every request it
    // may send gets it, so what it says last is about the refusal.
    // One attempt: what is asserted is how an attempt ends, not the retries (reconcile-retries), whose
    // backoff would add a minute and a half of waiting.
    const refusal = fail(404, 'not_found_error', 'scripted: no such model');
    const { model, create, finished } = await world(t, Array<Turn>(60).fill(refusal), { maxRetries: 0 });
    const repo = git.repository('acme/ledger.git', 'main', { 'README.md': '# ledger\n' });
    const docs = git.repository(
      'acme/ledger-docs.git',
      'main',
      taskDocs('projects/payments', 7, '# Ledger\n'),
    );
    await create('CodeRun', e2eCodeRun(USER.name, 'ledger-7', repo, docs, { service: 'ledger' }));
    const s = await finished('CodeRun', 'ledger-7');
    t.equal(s.phase, 'Failed');
    t.match(s.message, /the agent exited with status [1-9]/);
    t.match(s.message, 'issue with the selected model (claude-sonnet-5-5)', "the CLI's own words");
    const statuses = model.turns.map((r) => r.status);
    t.ok(statuses.length > 0 && statuses.every((s) => s === 404), `every request refused: ${statuses}`);
  },
);

t.test(
  'a looping agent is stopped by its turn limit: Failed, TurnLimitReached, its work pushed, no retry',
  async (t) => {
    const { ns, create, finished } = await world(t, [
      bash('printf "half\\n" > LOOP.md'),
      { ...bash('true'), repeat: true },
    ]);
    const repo = git.repository('acme/looper.git', 'main', { 'README.md': '# looper\n' });
    const docs = git.repository('acme/looper-docs.git', 'main', taskDocs('projects/payments', 7, '# Loop\n'));
    await create(
      'CodeRun',
      e2eCodeRun(USER.name, 'looper-7', repo, docs, { service: 'looper', limits: { maxTurns: 3 } }),
    );
    const s = await finished('CodeRun', 'looper-7');
    expectTurnLimitStop(t, s, 3);
    t.equal(s.workCompleted, false);
    t.equal(
      git.read('acme/looper.git', 'feature/task-7-implementation', 'LOOP.md')?.content,
      'half\n',
      'its work so far was pushed (onLimit push)',
    );
    const jobs = await kubectl(cluster, ['get', 'jobs', '-n', ns, '-o', 'name']);
    t.equal(jobs.stdout.trim().split('\n').length, 1, 'one Job: a limit stop is not retried');
  },
);

t.test('a change to a workflow file is not pushed: the reason in the status, no pull request', async (t) => {
  // One attempt: a retry's agent is scripted the same and ends the same (reconcile-retries covers
  // the retries of an attempt whose work is not complete).
  const { create, finished } = await world(
    t,
    [
      bash('mkdir -p .github/workflows && printf "on: push\\n" > .github/workflows/ci.yml'),
      say('Changed the workflow.'),
    ],
    { maxRetries: 0 },
  );
  const repo = git.repository('acme/flows.git', 'main', { 'README.md': '# flows\n' });
  const docs = git.repository('acme/flows-docs.git', 'main', taskDocs('projects/payments', 7, '# Flows\n'));
  await create('CodeRun', e2eCodeRun(USER.name, 'flows-7', repo, docs, { service: 'flows' }));
  const s = await finished('CodeRun', 'flows-7');
  t.match(s.message, /not pushed: the agent changed \.github\/workflows\/ci\.yml; agent \S+ may not/);
  t.equal(s.workCompleted, false);
  t.same(git.branches('acme/flows.git'), ['main'], 'the work branch was not pushed');
  t.notOk(
    git.pulls.some((p) => p.owner === 'acme' && p.repo === 'flows'),
    'no pull request',
  );
});

t.test('an image without a command the run needs: the result names it, before the agent runs', async (t) => {
  // The shipped templates, with the filesystem server run by a command the image does not have.
  const dir = join(work, 'templates-missing-command');
  cpSync(join(import.meta.dirname, '../../templates'), dir, { recursive: true });
  const presets = join(dir, 'tool-presets.yaml');
  writeFileSync(
    presets,
    readFileSync(presets, 'utf8').replace('command: mcp-server-filesystem', 'command: mcp-server-absent'),
  );
  // One attempt: every attempt would end the same (reconcile-retries covers the retries).
  const { model, create, finished } = await world(t, [say('never asked')], {
    templates: loadTemplateSet(dir),
    maxRetries: 0,
  });
  const repo = git.repository('acme/absent.git', 'main', { 'README.md': '# absent\n' });
  const docs = git.repository('acme/absent-docs.git', 'main', taskDocs('projects/payments', 7, '# Absent\n'));
  await create('CodeRun', e2eCodeRun(USER.name, 'absent-7', repo, docs, { service: 'absent' }));
  const s = await finished('CodeRun', 'absent-7');
  t.equal(s.phase, 'Failed');
  t.match(s.message, /failed before the agent ran: the agent image lacks mcp-server-absent \(on PATH /);
  t.equal(model.requests.length, 0, 'the CLI never ran');
});

t.test(
  "a team MCP server from a Secret: the real CLI in the pod calls it with the Secret's header",
  async (t) => {
    // On the node's gateway address, which the agents' pods reach (egress is off in these suites).
    const jira = await mcpServerStandin('you are the payments team', undefined, NODE_GATEWAY);
    t.teardown(() => jira.close());
    const { ns, model, create, finished } = await world(
      t,
      [
        tool('mcp__jira__whoami', {}, 'Asking the team server.'),
        bash('printf "team\\n" > TEAM.md'),
        say('Done.'),
      ],
      {
        gateway: false,
        configure: (c) => {
          c.mcpServers = [
            {
              agents: ['rex'],
              servers: {
                jira: {
                  url: jira.url,
                  headers: { Authorization: { secretKeyRef: { name: 'jira-mcp', key: 'authorization' } } },
                },
              },
            },
          ];
        },
      },
    );
    const secret = await kubectl(cluster, [
      'create',
      'secret',
      'generic',
      'jira-mcp',
      '-n',
      ns,
      '--from-literal=authorization=Bearer e2e-jira-token',
    ]);
    t.equal(secret.code, 0, secret.stderr);
    const repo = git.repository('acme/team-mcp.git', 'main', { 'README.md': '# team\n' });
    const docs = git.repository(
      'acme/team-mcp-docs.git',
      'main',
      taskDocs('projects/payments', 7, '# Team\n'),
    );
    await create('CodeRun', e2eCodeRun(USER.name, 'team-mcp-7', repo, docs, { service: 'team-mcp' }));
    const s = await finished('CodeRun', 'team-mcp-7');
    t.equal(s.phase, 'Succeeded', s.message ?? '');
    const init = await cliInit(ns, s.podName ?? '');
    t.ok(started(init, 'jira'), `the team server started: ${JSON.stringify(init.mcp_servers)}`);
    t.equal(jira.got.filter((q) => q.method === 'tools/call').length, 1, 'the agent called its tool');
    t.ok(
      jira.got.length > 0 && jira.got.every((q) => q.headers.authorization === 'Bearer e2e-jira-token'),
      "every request carried the Secret's key, from the agent container's variable",
    );
    t.match(
      JSON.stringify(model.turns[1]),
      'you are the payments team',
      "the tool's answer reached the model",
    );
  },
);

t.test('a DocsRun completes the same way', async (t) => {
  const { create, finished } = await world(t, [
    // A DocsRun works at the repository's root with only its workingDirectory checked out (sparse).
    bash(
      'cd projects/orders && mkdir -p .taskmaster/docs/task-1 && printf "# Task 1\\n" > .taskmaster/docs/task-1/task.md',
    ),
    say('Documented task 1.'),
  ]);
  const docsRepo = git.repository('acme/orders-docs.git', 'main', {
    'projects/orders/.taskmaster/tasks/tasks.json': JSON.stringify({ tasks: [{ id: 1, title: 'Orders' }] }),
  });
  await create('DocsRun', {
    apiVersion: 'orchestrator.io/v1',
    kind: 'DocsRun',
    metadata: { name: 'orders-docs' },
    spec: { githubUser: USER.name, repositoryUrl: docsRepo, workingDirectory: 'projects/orders' },
  } as RunOf<'DocsRun'>);
  const docs = await finished('DocsRun', 'orders-docs');
  t.equal(docs.phase, 'Succeeded', docs.message ?? '');
  const docsBranch = git.branches('acme/orders-docs.git').find((b) => b !== 'main') ?? '';
  t.equal(
    git.read('acme/orders-docs.git', docsBranch, 'projects/orders/.taskmaster/docs/task-1/task.md')?.content,
    '# Task 1\n',
    `the DocsRun wrote .taskmaster/docs/task-1/ on ${docsBranch}`,
  );
});

// The other CLIs (docs/agents.md): each real CLI through the gateway to its provider's stand-in.
for (const cli of ['codex', 'gemini'] as const)
  t.test(
    `cli: ${cli}: a TaskRun opens its pull request and reports what the stand-in billed; over its spend limit the gateway stops it`,
    (t) => otherCliRuns(t, suite, cli),
  );

// The hostile agent's suite, in this process so that it shares the node and the image's import
// (its world is its own: user, git host, namespaces).
await import('./agent-e2e/hostile.js');
