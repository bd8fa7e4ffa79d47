// The table of deliveries (test/fixtures/github, changed a field at a time) and what each asks for:
// a task's feedback, or a reason to do nothing.
import t from 'tap';
import { eventOf, githubPayload, type Payload } from '../../test/harness/remote/github.js';
import { seedConfig } from '../../test/harness/util/app-configs.js';
import type { ControllerConfig } from '../api/index.js';
import { configFrom } from '../config/load.js';
import { readEvent } from './events.js';
import { decide } from './mapping.js';

const config: ControllerConfig = (() => {
  // The seed's Apps (config/samples/seed): their bots are the project's own.
  const base = seedConfig();
  return configFrom({
    ...base,
    githubWebhook: {
      repositories: [{ name: 'Acme/Payments', namespace: 'team-a' }],
      botLogins: ['ci-helper[bot]'],
    },
  });
})();

interface Row {
  fixture: string;
  change?: (p: Payload) => void;
  /** The task id, `by-url` (found from the pull request's URL), or a pattern of the reason to ignore. */
  want: number | 'by-url' | RegExp;
  config?: (c: ControllerConfig) => void;
}

const rows: Record<string, Row> = {
  'a member comments on the pull request (no label: found by its URL)': {
    fixture: 'issue_comment.pull_request',
    want: 'by-url',
  },
  'a comment on a pull request labelled task-9': {
    fixture: 'issue_comment.pull_request',
    change: (p) => p.issue.labels.push({ name: 'task-9' }),
    want: 9,
  },
  'a comment on an issue': { fixture: 'issue_comment.issue', want: /on an issue, not on a pull request/ },
  'an edited comment': {
    fixture: 'issue_comment.pull_request',
    change: (p) => (p.action = 'edited'),
    want: /only new comments/,
  },
  'an empty comment': {
    fixture: 'issue_comment.pull_request',
    change: (p) => (p.comment.body = ''),
    want: /no text/,
  },
  "the agent's own comment (no loops)": {
    fixture: 'issue_comment.pull_request',
    change: (p) => {
      p.comment.user = { login: '5DLabs-Rex[bot]', type: 'Bot' };
      p.comment.author_association = 'NONE';
    },
    want: /5DLabs-Rex\[bot\] is one of the project's own apps/,
  },
  "the bot of an App the config's profile names, whatever its name (no loops)": {
    fixture: 'issue_comment.pull_request',
    change: (p) => {
      p.comment.user = { login: 'Acme-Code-Bot[bot]', type: 'Bot' };
      p.comment.author_association = 'NONE';
    },
    config: (c) => {
      c.githubApps = [];
      Object.assign(c.agents.rex ?? {}, { githubApp: 'acme-code-bot' });
    },
    want: /Acme-Code-Bot\[bot\] is one of the project's own apps/,
  },
  'a configured bot login': {
    fixture: 'issue_comment.pull_request',
    change: (p) => (p.comment.user.login = 'ci-helper[bot]'),
    want: /ci-helper\[bot\] is one of the project's own apps/,
  },
  'a stranger on a public repository': {
    fixture: 'issue_comment.pull_request',
    change: (p) => (p.comment.author_association = 'NONE'),
    want: /octocat is NONE on acme\/payments, not one of githubWebhook\.authorAssociations \(OWNER, MEMBER, COLLABORATOR\)/,
  },
  'a contributor, once the config allows them': {
    fixture: 'issue_comment.pull_request',
    change: (p) => {
      p.comment.author_association = 'CONTRIBUTOR';
      p.issue.labels.push({ name: 'task-7' });
    },
    config: (c) => c.githubWebhook.authorAssociations.push('CONTRIBUTOR'),
    want: 7,
  },
  'another repository': {
    fixture: 'issue_comment.pull_request',
    change: (p) => (p.repository.full_name = 'acme/ledger'),
    want: /repository acme\/ledger is not configured \(githubWebhook\.repositories\)/,
  },
  'a review comment on the task branch': { fixture: 'pull_request_review_comment', want: 7 },
  'a review comment on a branch naming no task, without a label': {
    fixture: 'pull_request_review_comment',
    change: (p) => (p.pull_request.head.ref = 'octocat/typo'),
    want: /branch octocat\/typo names no task \(githubWebhook\.branchPattern feature\/task-\{taskId\}-implementation, taskLabel task-\{taskId\}\)/,
  },
  "a review comment on a fork's branch of the same name": {
    fixture: 'pull_request_review_comment',
    change: (p) => (p.pull_request.head.repo = { full_name: 'mallory/payments' }),
    want: /the head branch feature\/task-7-implementation is a fork's/,
  },
  'a branch pattern of the config': {
    fixture: 'pull_request_review_comment',
    change: (p) => (p.pull_request.head.ref = 'tasks/31'),
    config: (c) => (c.githubWebhook.branchPattern = 'tasks/{taskId}'),
    want: 31,
  },
  'a review requesting changes, on a branch named otherwise, labelled task-7': {
    fixture: 'pull_request_review.changes_requested',
    want: 7,
  },
  'an approving review': {
    fixture: 'pull_request_review.changes_requested',
    change: (p) => (p.review.state = 'approved'),
    want: /a review in state approved/,
  },
  'a failed check on the task branch': { fixture: 'check_run.failure', want: 7 },
  'a passing check': {
    fixture: 'check_run.failure',
    change: (p) => (p.check_run.conclusion = 'success'),
    want: /concluded success/,
  },
  "a failed check of a fork's pull request (GitHub lists none)": {
    fixture: 'check_run.failure',
    change: (p) => (p.check_run.pull_requests = []),
    want: /is a fork's/,
  },
  'a failed workflow run on the task branch': { fixture: 'workflow_run.failure', want: 7 },
  'a failed workflow run on main': {
    fixture: 'workflow_run.failure',
    change: (p) => (p.workflow_run.head_branch = 'main'),
    want: /branch main names no task/,
  },
  'a workflow run still in progress': {
    fixture: 'workflow_run.failure',
    change: (p) => (p.action = 'in_progress'),
    want: /only completed runs count/,
  },
  'a payload without its repository': {
    fixture: 'workflow_run.failure',
    change: (p) => delete p.repository,
    want: /names no repository/,
  },
};

for (const [title, row] of Object.entries(rows)) {
  t.test(title, async (t) => {
    const cfg = structuredClone(config);
    row.config?.(cfg);
    const reading = readEvent(eventOf(row.fixture), githubPayload(row.fixture, row.change));
    const decision = 'ignored' in reading ? reading : decide(reading.feedback, cfg);
    if (row.want instanceof RegExp) return t.match(decision, { ignored: row.want });
    if ('ignored' in decision) return t.fail(decision.ignored);
    t.equal(decision.target.repository.namespace, 'team-a');
    t.equal(decision.target.taskId, row.want === 'by-url' ? undefined : row.want);
  });
}

t.test('what each kind of feedback carries for the run', async (t) => {
  const read = (fixture: string) => {
    const r = readEvent(eventOf(fixture), githubPayload(fixture));
    if ('ignored' in r) throw new Error(r.ignored);
    return r.feedback;
  };
  t.match(read('issue_comment.pull_request'), {
    trigger: 'comment',
    author: 'octocat',
    text: 'The retry loop never stops on a declined card: stop after a 402.',
    url: 'https://github.com/acme/payments/pull/12#issuecomment-1466357331',
    pullRequestUrl: 'https://github.com/acme/payments/pull/12',
  });
  t.match(read('pull_request_review_comment'), {
    trigger: 'comment',
    text: 'On `services/payments/src/capture.ts` line 14:\n\nUse the idempotency key here, or a retry charges twice.',
    branch: 'feature/task-7-implementation',
  });
  t.match(read('pull_request_review.changes_requested'), {
    trigger: 'review',
    labels: ['task-7', 'enhancement'],
  });
  t.match(read('check_run.failure'), {
    trigger: 'ci-failure',
    author: 'github-actions',
    text: 'The check "test (20.x)" failed: 1 failing test\n\ncapture retries › stops after a 402: expected 1 call, got 3',
    pullRequestUrl: 'https://github.com/acme/payments/pull/12',
    headSha: 'ec26c3e57ca3a959ca5aad62de7213c562f8c821',
  });
  t.match(read('workflow_run.failure'), {
    trigger: 'ci-failure',
    text: /^The workflow "CI" failed \(attempt 1\) on "Task 7 \(payments\)"/,
    url: 'https://github.com/acme/payments/actions/runs/15555555555',
  });
  t.match(readEvent('push', {}), { ignored: /the push event starts no run/ });
  t.match(readEvent('issue_comment', [1]), { ignored: /not a JSON object/ });
  t.match(readEvent('issue_comment', { repository: { full_name: 'a/b' }, action: 'created', issue: 'x' }), {
    ignored: /not on a pull request/,
  });
});
