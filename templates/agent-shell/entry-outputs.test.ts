// Safe outputs, end to end through the entry script's three phases (real git, real shell): the agent,
// with no GitHub credential, declares GitHub actions with orchestrator-output; the publisher performs
// those its profile's outputs policy allows against the GitHub stand-in (checked against GitHub's REST
// description), refuses the others, says which in the result document and in a note on the pull
// request. The policy's rules one by one: outputs-policy.test.ts.
import t, { type Test } from 'tap';
import type { ControllerConfig } from '../../src/api/index.js';
import { configFrom } from '../../src/config/load.js';
import { PR, PUBLISH_CONFIG, publishFixture } from '../../test/harness/agent/publish-fixture.js';
import { githubAppFixture } from '../../test/harness/remote/github-api/apps.js';
import { type CheckRunRecord, checkRunRoutes } from '../../test/harness/remote/github-api/check-runs.js';
import {
  type IssueCommentRecord,
  issueCommentRoutes,
} from '../../test/harness/remote/github-api/issue-comments.js';
import { labelRoutes } from '../../test/harness/remote/github-api/labels.js';
import type { PullRequestRecord } from '../../test/harness/remote/github-api/pulls.js';
import { type ReviewRecord, reviewRoutes } from '../../test/harness/remote/github-api/reviews.js';
import { startGithubApi } from '../../test/harness/remote/github-api/server.js';

type Outputs = NonNullable<ControllerConfig['agents'][string]['outputs']>;

/** The shipped config with rex's outputs policy `outputs` (none: undefined). */
function withOutputs(outputs: Outputs | undefined): ControllerConfig {
  const { outputs: _shipped, ...rex } = PUBLISH_CONFIG.agents.rex as ControllerConfig['agents'][string];
  const agents = { ...PUBLISH_CONFIG.agents, rex: outputs ? { ...rex, outputs } : rex };
  return configFrom({ ...PUBLISH_CONFIG, agents });
}

/** The GitHub stand-in holding PR (acme/payments#7) and a write token of the rex App for it. */
async function github(t: Test) {
  const app = githubAppFixture();
  const token = 'ghs_outputsTokenOfTheRexApp0123456789';
  app.tokens.push({
    token,
    app: app.slug,
    installationId: 21,
    repositories: ['payments'],
    permissions: { pull_requests: 'write', issues: 'write', checks: 'write' },
    expiresAt: new Date(Date.now() + 3_600_000),
    revoked: false,
  });
  const pulls: PullRequestRecord[] = [
    {
      number: 7,
      owner: 'acme',
      repo: 'payments',
      head: 'feature/task-7-implementation',
      base: 'main',
      title: 'T',
      body: null,
      state: 'open',
    },
  ];
  const comments: IssueCommentRecord[] = [];
  const reviews: ReviewRecord[] = [];
  const labels = new Map<number, string[]>();
  const checkRuns: CheckRunRecord[] = [];
  const api = await startGithubApi(t, [
    ...issueCommentRoutes(comments, pulls, app),
    ...reviewRoutes(reviews, pulls, app),
    ...labelRoutes(labels, pulls, app),
    ...checkRunRoutes(checkRuns, app),
  ]);
  const env = { STUB_PR_URL: PR, STUB_GH_API: api.url, GH_TOKEN: token };
  return { api, env, token, comments, reviews, labels, checkRuns };
}

/** The agent's shell commands: each orchestrator-output call, its status kept in the run's log. */
const asks = (...calls: string[]) => calls.map((c) => `orchestrator-output ${c} || true`).join('; ');

const outputsOf = (result: string) =>
  (JSON.parse(result) as { outputs?: { kind: string; outcome: string; reason?: string }[] }).outputs;

const EVERYTHING: Outputs = {
  comment: { max: 1 },
  review: { events: ['APPROVE', 'REQUEST_CHANGES'], maxInlineComments: 2 },
  labels: { allowed: ['ready-for-qa'], max: 1 },
  checkRun: { max: 1 },
  maxBodyBytes: 512,
  allowMentions: false,
  linkHosts: ['github.com'],
};

t.test(
  'each kind of output the profile allows is performed on the pull request by the publisher',
  async (t) => {
    const gh = await github(t);
    const { f, render } = publishFixture(t, withOutputs(EVERYTHING));
    const r = await f.runAsync(render(1), {
      ...gh.env,
      STUB_SHELL: asks(
        "comment 'Implemented; see https://github.com/acme/payments/blob/main/README.md'",
        "review REQUEST_CHANGES 'Two fixes needed.' --inline README.md:1 'Say what it is.'",
        'labels ready-for-qa',
        "check-run quality success 'All checks passed' 'Lint and tests are green.'",
      ),
    });
    t.equal(r.status, 0, r.log);
    t.same(outputsOf(r.result), [
      { kind: 'comment', outcome: 'Performed' },
      { kind: 'review', outcome: 'Performed', reason: 'REQUEST_CHANGES with 1 inline comment(s)' },
      { kind: 'labels', outcome: 'Performed', reason: 'ready-for-qa' },
      { kind: 'checkRun', outcome: 'Performed', reason: 'success' },
    ]);
    t.same(
      gh.comments.map((c) => [c.body, c.author.login]),
      [['Implemented; see https://github.com/acme/payments/blob/main/README.md', '5dlabs-rex[bot]']],
      "the comment, as the App's bot; no note, since nothing was refused",
    );
    t.equal(gh.reviews.length, 1);
    t.match(gh.reviews[0], {
      event: 'REQUEST_CHANGES',
      body: 'Two fixes needed.',
      comments: [{ path: 'README.md', line: 1, body: 'Say what it is.' }],
    });
    t.match(gh.reviews[0]?.commitId, /^[0-9a-f]{40}$/, 'on the commit the publisher published');
    t.same(gh.labels.get(7), ['ready-for-qa']);
    t.match(gh.checkRuns, [
      {
        name: 'quality',
        conclusion: 'success',
        title: 'All checks passed',
        headSha: gh.reviews[0]?.commitId,
      },
    ]);
    t.same(gh.api.unmatched, []);
    t.notMatch(r.agentEnv, gh.token, "the agent's container never held the write token");
    t.notMatch(r.agentEnv, /^GH_TOKEN=/m);
  },
);

t.test(
  'what the policy refuses is not performed, and the publisher says why in the result and on the pull request',
  async (t) => {
    const gh = await github(t);
    const { f, render } = publishFixture(
      t,
      withOutputs({
        ...EVERYTHING,
        checkRun: undefined,
        review: { events: ['REQUEST_CHANGES'], maxInlineComments: 2 },
      }),
    );
    // The agent writes its requests straight to the file, as a prompt-injected agent could: the
    // publisher's check is the one that counts, not the command's.
    const requests = [
      { kind: 'comment', body: 'first' },
      { kind: 'comment', body: 'second, over the limit' },
      { kind: 'review', event: 'APPROVE' },
      { kind: 'labels', labels: ['deploy-now'] },
      { kind: 'checkRun', name: 'q', conclusion: 'success', title: 't', summary: 's' },
    ];
    const lines = requests.map((q) => JSON.stringify(q)).join('\n');
    const r = await f.runAsync(render(1), {
      ...gh.env,
      STUB_SHELL: `printf '%s\\n' '${lines}' >"$ORCHESTRATOR_OUTPUTS_FILE"`,
    });
    t.equal(r.status, 0, r.log);
    t.same(outputsOf(r.result), [
      { kind: 'comment', outcome: 'Performed' },
      { kind: 'comment', outcome: 'Refused', reason: 'more than 1 comment request(s) (outputs.comment.max)' },
      {
        kind: 'review',
        outcome: 'Refused',
        reason: 'event APPROVE not in outputs.review.events (REQUEST_CHANGES)',
      },
      {
        kind: 'labels',
        outcome: 'Refused',
        reason: '1 label(s) not in outputs.labels.allowed (ready-for-qa)',
      },
      {
        kind: 'checkRun',
        outcome: 'Refused',
        reason: "the agent's profile allows no checkRun (outputs.checkRun)",
      },
    ]);
    t.same(gh.reviews, [], 'no review');
    t.same(gh.labels.size, 0, 'no label');
    t.same(gh.checkRuns, [], 'no check run');
    t.equal(gh.comments.length, 2, 'the allowed comment, and the note');
    const note = gh.comments[1]?.body ?? '';
    t.match(
      note,
      /^The orchestrator did not perform 4 of the GitHub actions agent `rex` \(TaskRun \S+, attempt 1\) asked for/,
    );
    t.match(note, /- review: refused: event APPROVE not in outputs\.review\.events \(REQUEST_CHANGES\)/);
    t.notMatch(note, /deploy-now/, "the note quotes no text of the agent's");
  },
);

t.test(
  'an oversized comment, one that mentions, one that links elsewhere: each refused, none posted',
  async (t) => {
    const gh = await github(t);
    const { f, render } = publishFixture(t, withOutputs({ ...EVERYTHING, comment: { max: 3 } }));
    const r = await f.runAsync(render(1), {
      ...gh.env,
      STUB_SHELL: `printf '%s\\n' ${[
        { kind: 'comment', body: 'x'.repeat(600) },
        { kind: 'comment', body: 'cc @acme/admins please merge' },
        { kind: 'comment', body: 'details at https://evil.example/x and www.evil.example' },
      ]
        .map((q) => `'${JSON.stringify(q)}'`)
        .join(' ')} >"$ORCHESTRATOR_OUTPUTS_FILE"`,
    });
    t.equal(r.status, 0, r.log);
    t.same(
      outputsOf(r.result)?.map((o) => o.reason),
      [
        'a text of 600 bytes, more than outputs.maxBodyBytes (512)',
        'an @-mention of a user or team (outputs.allowMentions is false)',
        'a link to a host not in outputs.linkHosts (github.com)',
      ],
    );
    t.equal(gh.comments.length, 1, 'only the note');
    t.notMatch(gh.comments[0]?.body ?? '', /@acme|evil\.example/, 'which neither mentions nor links');
  },
);

t.test('a profile with no outputs policy: the agent can cause nothing on GitHub', async (t) => {
  const gh = await github(t);
  const { f, render } = publishFixture(t, withOutputs(undefined));
  const r = await f.runAsync(render(1), { ...gh.env, STUB_SHELL: asks("comment 'hello'") });
  t.equal(r.status, 0, r.log);
  t.match(
    r.log,
    /orchestrator-output: not requested: the agent's profile allows no comment \(outputs\.comment\)/,
  );
  t.notOk(outputsOf(r.result), 'nothing was requested');
  t.same(gh.comments, []);
});

t.test("a failed agent's requests are all refused", async (t) => {
  const gh = await github(t);
  const { f, render } = publishFixture(t, withOutputs(EVERYTHING));
  const r = await f.runAsync(render(1), { ...gh.env, STUB_EXIT: '3', STUB_SHELL: asks("comment 'done'") });
  t.same(outputsOf(r.result), [
    { kind: 'comment', outcome: 'Refused', reason: 'the agent did not finish: it exited with status 3' },
  ]);
  t.equal(gh.comments.length, 1, 'only the note');
});
