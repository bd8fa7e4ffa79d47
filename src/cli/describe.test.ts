import t from 'tap';
import type { KubeObject } from '../runtime/index.js';
import { describeText, githubText, resultSection, usageSection } from './describe.js';

const now = Date.parse('2025-01-01T12:00:00Z');
const run = (status: object): KubeObject => ({
  apiVersion: 'orchestrator.io/v1',
  kind: 'CodeRun',
  metadata: { name: 'r', namespace: 'a', creationTimestamp: '2025-01-01T11:59:00Z' },
  spec: { taskId: 7 },
  status,
});

t.test('the Result section: what the agent reported, the pod and the retries, aligned', async (t) => {
  const status = {
    phase: 'Succeeded' as const,
    message: 'attempt 2 succeeded',
    pullRequestUrl: 'https://github.com/acme/p/pull/1',
    sessionId: 'sess-42',
    workCompleted: true,
    summary: 'pull request https://github.com/acme/p/pull/1',
    commit: '0123456789abcdef0123456789abcdef01234567',
    podName: 'r-run-2-x7k2p',
    retryCount: 1,
    setup: {
      attempt: 2,
      script: '.orchestrator/setup.sh',
      exitCode: 0,
      output: 'added 212 packages\nready\n',
    },
  };
  t.equal(
    resultSection(status),
    [
      'Result:',
      '  Pull Request:   https://github.com/acme/p/pull/1',
      '  Session:        sess-42',
      '  Work Completed: true',
      '  Summary:        pull request https://github.com/acme/p/pull/1',
      '  Setup:          .orchestrator/setup.sh exited 0 (attempt 2): ready',
      '  Commit:         0123456789abcdef0123456789abcdef01234567',
      '  Pod:            r-run-2-x7k2p',
      '  Retries:        1',
      '',
    ].join('\n'),
  );
  t.match(
    describeText(run(status), [], [], now),
    /\n {2}Message: +attempt 2 succeeded\nResult:\n {2}Pull Request: +https:\S+\n(.*\n)*Conditions:/,
    'after the status, before the conditions',
  );
  t.equal(
    resultSection({ workCompleted: false, retryCount: 0 }),
    'Result:\n  Work Completed: false\n  Retries:        0\n',
    'false and 0 are shown',
  );
  t.equal(resultSection({ phase: 'Running' as const }), '', 'nothing reported: no section');
  t.notMatch(describeText(run({ phase: 'Running' }), [], [], now), /Result:/);
});

t.test('GitHub: the App or the user the run acts as, and how a user authenticates', async (t) => {
  const of = (kind: string, spec: object) => githubText({ kind, spec } as KubeObject);
  t.equal(of('CodeRun', { githubApp: '5DLabs-Rex' }), 'GitHub App 5DLabs-Rex');
  t.equal(
    of('CodeRun', {
      githubUser: 'swe-1',
      repositoryUrl: 'git@github.com:a/b.git',
      docsRepositoryUrl: 'https://github.com/a/d',
    }),
    'GitHub user swe-1: token (https URLs), SSH key (git@ URLs)',
  );
  t.equal(
    of('TaskRun', { repository: { url: 'https://github.com/a/b', githubUser: 'swe-1' } }),
    'GitHub user swe-1: token (https URLs)',
  );
  t.equal(of('TaskRun', { agent: 'cleo' }), 'the GitHub App of the agent profile (cleo)');
  t.match(
    describeText({ ...run({}), spec: { githubApp: '5DLabs-Rex' } }, [], [], now),
    /\nGitHub: +GitHub App 5DLabs-Rex\nStatus:/,
    'after the spec',
  );
});

t.test(
  'Attempts: each Job with its state, start and finish, a failed one finished at its Failed condition',
  async (t) => {
    const job = (name: string, status: object) => ({
      metadata: { name, creationTimestamp: '2025-01-01T11:00:00Z' },
      status,
    });
    const jobs = [
      job('r-1', {
        startTime: '2025-01-01T11:00:00Z',
        // A failed Job has no completionTime: its Failed condition says when it ended.
        conditions: [
          { type: 'FailureTarget', status: 'True', lastTransitionTime: '2025-01-01T11:09:00Z' },
          { type: 'Failed', status: 'True', lastTransitionTime: '2025-01-01T11:10:00Z' },
        ],
      }),
      job('r-2', {
        startTime: '2025-01-01T11:20:00Z',
        completionTime: '2025-01-01T11:40:00Z',
        conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: '2025-01-01T11:40:00Z' }],
      }),
      job('r-3', { startTime: '2025-01-01T11:50:00Z' }),
    ];
    const text = describeText(run({ phase: 'Running', jobName: 'r-3' }), jobs, [], now);
    const rows = text.split('\n').filter((l) => /^ {2}r-\d/.test(l));
    t.match(rows, [
      /^ {2}r-1 +Failed +60m ago +50m ago\s*$/,
      /^ {2}r-2 +Complete +40m ago +20m ago\s*$/,
      /^ {2}r-3 +Active +10m ago +- +\*$/,
    ]);
  },
);

t.test(
  'the Usage section: the total, by model, then each attempt and the limit that stopped it',
  async (t) => {
    t.equal(usageSection(undefined), '', 'nothing without usage');
    const text = usageSection({
      usage: {
        costUsd: '1.75',
        inputTokens: 12000,
        outputTokens: 800,
        cacheReadInputTokens: 50000,
        turns: 9,
        models: [{ model: 'claude-sonnet-4-6', costUsd: '1.75' }],
      },
      attemptUsage: [
        { attempt: 1, finishedAt: '2026-11-24T01:00:00Z', costUsd: '1.25', turns: 6, inputTokens: 8000 },
        {
          attempt: 2,
          finishedAt: '2026-11-24T02:00:00Z',
          costUsd: '0.5',
          turns: 3,
          stopReason: 'TurnLimitReached',
          inputTokens: 4000,
        },
      ],
    });
    t.equal(
      text,
      [
        'Usage:',
        '  Cost:    $1.75',
        '  Tokens:  12,000 in, 800 out, 50,000 cache read, 0 cache write',
        '  Turns:   9',
        '  Models:  claude-sonnet-4-6 $1.75',
        '  Attempts:',
        '    ATTEMPT   COST    TURNS   TOKENS   STOPPED            FINISHED',
        '    -------   ----    -----   ------   -------            --------',
        '    1         $1.25   6       8,000                       2026-11-24T01:00:00Z',
        '    2         $0.50   3       4,000    TurnLimitReached   2026-11-24T02:00:00Z',
        '',
      ].join('\n'),
    );
  },
);
