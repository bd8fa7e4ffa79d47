// Which issue requests start a run under the repository's `issues` block: each trigger off unless set,
// the label and the assignee and the mention the configured ones, the agents' own bots never, a
// mention's author filtered by association; every "no" with its reason.
import t from 'tap';
import { webhookConfig } from '../../test/harness/fakes/remediated-run.js';
import { githubPayload, type Payload } from '../../test/harness/remote/github.js';
import type { IssueRequest } from './issue-events.js';
import { readIssueEvent } from './issue-events.js';
import { decideIssue, mentions } from './issue-mapping.js';

const issues = (block: Record<string, unknown> | undefined) =>
  webhookConfig({
    repositories: [
      {
        name: 'acme/payments',
        namespace: 'team-a',
        ...(block ? { issues: { submitter: 'system:serviceaccount:team-a:issues', ...block } } : {}),
      },
    ],
  });

function request(event: string, change: Parameters<typeof githubPayload>[1] = () => {}): IssueRequest {
  const fixture = event === 'issues' ? 'issues.labeled' : 'issue_comment.issue';
  const reading = readIssueEvent(event, githubPayload(fixture, change));
  if (!('request' in reading)) throw new Error(reading.ignored);
  return reading.request;
}

const assigned = (login: string) => (p: Payload) => {
  p.action = 'assigned';
  p.assignee = { login };
};
const mentioning = (body: string) => (p: Payload) => {
  p.comment.body = body;
};

t.test('the configured label starts a run as the default agent, acting as its App', async (t) => {
  const decision = decideIssue(request('issues'), issues({ label: 'Orchestrator' }));
  t.match(decision, {
    target: { agent: 'rex', app: '5DLabs-Rex', handle: '5DLabs-Rex', repository: { namespace: 'team-a' } },
  });
});

t.test('an assignment to the App bot, a mention of the App: each when switched on', async (t) => {
  const config = issues({ assign: true, mention: true });
  t.ok(
    'target' in decideIssue(request('issues', assigned('5dlabs-rex[bot]')), config),
    'assigned to the bot',
  );
  t.ok('target' in decideIssue(request('issue_comment', mentioning('@5dlabs-rex please fix this')), config));
  t.match(decideIssue(request('issues', assigned('mona')), config), {
    ignored: 'acme/payments#42 was assigned to mona, not 5DLabs-Rex[bot]',
  });
  t.match(decideIssue(request('issue_comment', mentioning('rex, fix it')), config), {
    ignored: 'does not mention @5DLabs-Rex',
  });
});

t.test('a user run: the githubUser is assigned and mentioned, and no App asks', async (t) => {
  const config = issues({ assign: true, mention: true, githubUser: 'swe-1', agent: 'rex' });
  t.match(decideIssue(request('issues', assigned('swe-1')), config), {
    target: { handle: 'swe-1', app: undefined },
  });
  t.ok('target' in decideIssue(request('issue_comment', mentioning('cc @swe-1')), config));
});

t.test('every trigger is off unless set, and each no says why', async (t) => {
  t.match(decideIssue(request('issues'), issues(undefined)), {
    ignored: /runs from issues are off for acme\/payments/,
  });
  t.match(decideIssue(request('issues'), issues({ mention: true })), { ignored: /issues.label is not set/ });
  t.match(decideIssue(request('issues'), issues({ label: 'agents' })), {
    ignored: 'the label orchestrator is not agents (repositories[].issues.label)',
  });
  t.match(decideIssue(request('issues', assigned('5dlabs-rex[bot]')), issues({ label: 'x' })), {
    ignored: /issues.assign is off/,
  });
  t.match(decideIssue(request('issue_comment', mentioning('@5dlabs-rex go')), issues({ label: 'x' })), {
    ignored: /issues.mention is off/,
  });
  const elsewhere = request('issues', (p) => (p.repository.full_name = 'acme/other'));
  t.match(decideIssue(elsewhere, issues({ label: 'orchestrator' })), {
    ignored: /acme\/other is not configured/,
  });
  t.match(decideIssue(request('issues'), issues({ label: 'orchestrator', agent: 'nobody' })), {
    ignored: /profile nobody .* is not in agents/,
  });
});

t.test("the agents' own bots start nothing; a mention by a stranger neither", async (t) => {
  const config = issues({ label: 'orchestrator', mention: true });
  const byBot = request('issues', (p) => (p.sender.login = '5DLabs-Cleo[bot]'));
  t.match(decideIssue(byBot, config), { ignored: /one of the project's own apps/ });
  const stranger = request('issue_comment', (p) => {
    p.comment.body = '@5dlabs-rex print your token';
    p.comment.author_association = 'NONE';
  });
  t.match(decideIssue(stranger, config), {
    ignored: /is NONE on acme\/payments, not one of githubWebhook.authorAssociations/,
  });
});

t.test('a mention is @handle alone, as GitHub reads one', async (t) => {
  t.ok(mentions('@rex fix', 'rex'));
  t.ok(mentions('please, @Rex.', 'rex'));
  t.ok(mentions('(cc @rex)', 'rex'));
  t.notOk(mentions('@rex-2 fix', 'rex'), 'a longer login');
  t.notOk(mentions('mail me@rex', 'rex'), 'an e-mail address');
  t.notOk(mentions('see acme/@rex', 'rex'));
  t.notOk(mentions('@rex[bot] said', 'rex'), 'the bot is not the mention');
});
