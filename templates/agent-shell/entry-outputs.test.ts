// Safe outputs, end to end through the entry script's three phases (real git, real shell): the agent,
// with no GitHub credential, declares GitHub actions with orchestrator-output; the publisher performs
// those its profile's outputs policy allows against the GitHub stand-in (checked against GitHub's REST
// description), refuses the others, says which in the result document and in a note on the pull
// request. The texts' rules, a profile without outputs and a failed agent: entry-outputs-refusals.test.ts; the
// policy's rules one by one: outputs-policy.test.ts.
import t from 'tap';
import {
  asks,
  EVERYTHING,
  outputsGithub as github,
  outputsOf,
  withOutputs,
} from '../../test/harness/agent/outputs-fixture.js';
import { publishFixture } from '../../test/harness/agent/publish-fixture.js';

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
