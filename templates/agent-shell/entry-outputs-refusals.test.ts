// Safe outputs refused through the entry script (real git, real shell), against the GitHub stand-in:
// texts over the size bound, with an @-mention or a link to an unlisted host; a profile with no outputs
// policy; an agent that failed. What is performed: entry-outputs.test.ts.
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
