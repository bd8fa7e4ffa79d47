// The safe-outputs policy (outputs-policy.mjs), rule by rule, as both the agent's command and the
// publisher apply it; performed for real through the entry script: entry-outputs.test.ts.
import t from 'tap';

// A plain module of the agent shell (no declarations): its API as this test uses it.
const { checkRequests, linkedHosts, MAX_REQUESTS } = (await import('./outputs-policy.mjs' as string)) as {
  checkRequests(requests: unknown[], policy: object): { refused?: string }[];
  linkedHosts(text: string): string[];
  MAX_REQUESTS: number;
};

const POLICY = {
  comment: { max: 2 },
  review: { events: ['APPROVE'], maxInlineComments: 1 },
  labels: { allowed: ['ready-for-qa', 'tested'], max: 2 },
  maxBodyBytes: 64,
  allowMentions: false,
  linkHosts: ['github.com'],
};
const refusals = (requests: unknown[], policy: object = POLICY) =>
  checkRequests(requests, policy).map((v) => v.refused);

t.test('what the policy allows passes, counted per kind', async (t) => {
  t.same(
    refusals([
      { kind: 'comment', body: 'one' },
      { kind: 'labels', labels: ['ready-for-qa'] },
      { kind: 'comment', body: 'two, see https://github.com/acme/x and https://api.github.com/y' },
      { kind: 'review', event: 'APPROVE', comments: [{ path: 'a.ts', line: 3, body: 'nice' }] },
      { kind: 'labels', labels: ['tested'] },
      { kind: 'comment', body: 'three' },
      { kind: 'labels', labels: ['tested'] },
      { kind: 'review', event: 'APPROVE' },
    ]),
    [
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      'more than 2 comment request(s) (outputs.comment.max)',
      'more than outputs.labels.max (2) labels',
      'more than 1 review request(s) (outputs.review.max)',
    ],
  );
});

t.test(
  'a kind the profile does not name is refused, and so is every kind under an empty policy',
  async (t) => {
    const check = { kind: 'checkRun', name: 'q', conclusion: 'success', title: 't', summary: 's' };
    t.same(refusals([check]), ["the agent's profile allows no checkRun (outputs.checkRun)"]);
    t.same(refusals([{ kind: 'comment', body: 'hi' }], {}), [
      "the agent's profile allows no comment (outputs.comment)",
    ]);
  },
);

t.test('review events, inline comments and labels outside the policy are refused', async (t) => {
  t.same(
    refusals([
      { kind: 'review', event: 'REQUEST_CHANGES', body: 'no' },
      {
        kind: 'review',
        event: 'APPROVE',
        comments: [
          { path: 'a', line: 1, body: 'x' },
          { path: 'b', line: 2, body: 'y' },
        ],
      },
      { kind: 'labels', labels: ['ready-for-qa', 'deploy-now'] },
    ]),
    [
      'event REQUEST_CHANGES not in outputs.review.events (APPROVE)',
      '2 inline comments, more than outputs.review.maxInlineComments (1)',
      '1 label(s) not in outputs.labels.allowed (ready-for-qa, tested)',
    ],
  );
});

t.test('texts: a size bound, no @-mention, links only to the listed hosts', async (t) => {
  t.same(
    refusals([
      { kind: 'comment', body: 'é'.repeat(33) },
      { kind: 'comment', body: 'ping @octocat' },
      { kind: 'comment', body: 'ping @acme/security-team' },
      { kind: 'review', event: 'APPROVE', comments: [{ path: 'a', line: 1, body: 'see www.evil.example' }] },
      { kind: 'comment', body: '[x](//evil.example/a)' },
      { kind: 'comment', body: 'go to https://github.com.evil.example/a' },
    ]),
    [
      'a text of 66 bytes, more than outputs.maxBodyBytes (64)',
      'an @-mention of a user or team (outputs.allowMentions is false)',
      'an @-mention of a user or team (outputs.allowMentions is false)',
      'a link to a host not in outputs.linkHosts (github.com)',
      'a link to a host not in outputs.linkHosts (github.com)',
      'a link to a host not in outputs.linkHosts (github.com)',
    ],
  );
  t.same(
    refusals([{ kind: 'comment', body: 'mail a@b.io, `x@y`' }]),
    [undefined],
    'an e-mail address is no mention',
  );
  t.same(refusals([{ kind: 'comment', body: 'cc @octocat' }], { ...POLICY, allowMentions: true }), [
    undefined,
  ]);
  t.same(linkedHosts('https://user:pw@Docs.GitHub.com:443/x.'), ['docs.github.com']);
});

t.test('a malformed request, or one past the most an attempt may declare, is refused', async (t) => {
  t.same(
    refusals([
      { kind: 'comment' },
      { kind: 'merge' },
      'text',
      { kind: 'review', event: 'APPROVE', comments: [{ path: 'a', line: 0, body: 'x' }] },
    ]),
    [
      'malformed: a comment needs a body',
      'malformed: the kind is one of comment, review, labels, checkRun',
      'malformed: a request is a JSON object',
      'malformed: an inline comment has a path, a line (a whole number from 1) and a body',
    ],
  );
  const many = Array.from({ length: MAX_REQUESTS + 1 }, () => ({ kind: 'labels', labels: ['nope'] }));
  t.equal(refusals(many).at(-1), `more than ${MAX_REQUESTS} requests in one attempt`);
});
