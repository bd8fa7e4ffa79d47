// What a delivery about an issue asks for: a label, an assignment or a comment, with the issue quoted
// and a key from signed fields; anything else ignored with the reason, never a throw.
import t from 'tap';
import { githubPayload } from '../../test/harness/remote/github.js';
import { readIssueEvent } from './issue-events.js';

t.test('issues labeled: the label, the issue and who labelled', async (t) => {
  const reading = readIssueEvent('issues', githubPayload('issues.labeled'));
  t.match(reading, {
    request: {
      trigger: 'label',
      repository: 'acme/payments',
      number: 42,
      title: 'Declined cards are retried forever',
      body: /Stop after the first 402/,
      url: 'https://github.com/acme/payments/issues/42',
      author: 'mona',
      actor: 'octocat',
      label: 'orchestrator',
      pullRequest: false,
      key: 'label-orchestrator-2026-11-24T08:15:02Z',
    },
  });
});

t.test('issues assigned: the assignee', async (t) => {
  const payload = githubPayload('issues.labeled', (p) => {
    p.action = 'assigned';
    p.assignee = { login: '5dlabs-rex[bot]', type: 'Bot' };
  });
  t.match(readIssueEvent('issues', payload), {
    request: { trigger: 'assign', assignee: '5dlabs-rex[bot]', actor: 'octocat' },
  });
});

t.test('a new comment on an issue: the comment, its author and association', async (t) => {
  const reading = readIssueEvent('issue_comment', githubPayload('issue_comment.issue'));
  t.match(reading, {
    request: {
      trigger: 'mention',
      number: 13,
      actor: 'octocat',
      association: 'MEMBER',
      pullRequest: false,
      comment: { id: '1466357331', body: /declined card/ },
      key: 'comment-1466357331',
    },
  });
  const onPull = readIssueEvent('issue_comment', githubPayload('issue_comment.pull_request'));
  t.match(onPull, { request: { pullRequest: true } }, 'a comment on a pull request says so');
});

t.test('what asks for nothing is ignored with the reason', async (t) => {
  const cases: [string, unknown, RegExp][] = [
    [
      'issues',
      githubPayload('issues.labeled', (p) => (p.action = 'opened')),
      /issues opened: only labeled and assigned/,
    ],
    ['issues', githubPayload('issues.labeled', (p) => (p.issue.state = 'closed')), /closed/],
    ['issues', githubPayload('issues.labeled', (p) => delete p.label), /names no label/],
    ['issues', githubPayload('issues.labeled', (p) => (p.action = 'assigned')), /names no assignee/],
    ['issues', githubPayload('issues.labeled', (p) => (p.issue.number = '42')), /no issue number/],
    ['issues', githubPayload('issues.labeled', (p) => (p.issue.title = '')), /has no title/],
    [
      'issue_comment',
      githubPayload('issue_comment.issue', (p) => (p.action = 'edited')),
      /only new comments/,
    ],
    ['issue_comment', githubPayload('issue_comment.issue', (p) => (p.comment.body = '')), /no text/],
    ['issues', githubPayload('issues.labeled', (p) => delete p.repository), /names no repository/],
    ['issues', [1, 2], /not a JSON object/],
    ['check_run', {}, /not about an issue/],
  ];
  for (const [event, payload, why] of cases) t.match(readIssueEvent(event, payload), { ignored: why });
});
